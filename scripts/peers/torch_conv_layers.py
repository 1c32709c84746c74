"""Peer of ConvBench: PyTorch's CPU convolutions (oneDNN) for each Nature CNN layer at batch 32, the same
work as `ConvBench -p layer=... forwardRelu` and `backward` (dW, db and dX from a given dY).
Usage: DIR/bin/python torch_conv_layers.py [--threads T] [--seconds S] [--batch 32]
Prints one line per layer: name, forward+ReLU ms, backward ms (means over the timed calls).
"""
import argparse, time
import torch
import torch.nn.functional as F

LAYERS = {  # name: (in channels, size, out channels, kernel, stride), as ConvBench's geometries
    "conv1": (4, 84, 32, 8, 4),
    "conv2": (32, 20, 64, 4, 2),
    "conv3": (64, 9, 64, 3, 1),
}


def timed(fn, seconds):
    for _ in range(10):
        fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        fn()
        n += 1
    return (time.perf_counter() - t0) / n * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--batch", type=int, default=32)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    print(f"# torch {torch.__version__} threads {a.threads} capability {torch.backends.cpu.get_cpu_capability()}")
    for name, (c, size, oc, k, s) in LAYERS.items():
        x = (torch.rand(a.batch, c, size, size) - 0.5).requires_grad_()
        w = (torch.rand(oc, c, k, k) - 0.5).requires_grad_()
        b = (torch.rand(oc) - 0.5).requires_grad_()
        with torch.no_grad():
            fwd = timed(lambda: F.relu(F.conv2d(x, w, b, stride=s)), a.seconds)
        y = F.conv2d(x, w, b, stride=s)  # the graph the backward runs on, kept
        dy = torch.rand_like(y) - 0.5
        bwd = timed(lambda: torch.autograd.grad(y, (x, w, b), dy, retain_graph=True), a.seconds)
        print(f"{name} forward_relu_ms {fwd:.3f} backward_ms {bwd:.3f}", flush=True)


if __name__ == "__main__":
    main()
