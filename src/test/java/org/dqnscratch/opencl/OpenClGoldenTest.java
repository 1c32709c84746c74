package org.dqnscratch.opencl;

import org.dqnscratch.GoldenCases;
import org.dqnscratch.tensor.Backend;

/** Every PyTorch golden case, on the OpenCL backend. */
class OpenClGoldenTest extends GoldenCases {
    @Override protected Backend backend() { return OpenClSupport.backend(); }
}
