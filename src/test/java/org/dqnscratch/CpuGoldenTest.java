package org.dqnscratch;

import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.CpuBackend;

class CpuGoldenTest extends GoldenCases {
    @Override protected Backend backend() { return new CpuBackend(); }
}
