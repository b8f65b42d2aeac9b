#!/usr/bin/python3
"""PyTorch peer of `-- bidirectional`: nn.LSTM(8, 32, bidirectional=True) over T steps (x [T, 1, 8]), ns per step,
batch 1, float32, CPU, torch.no_grad(), torch.set_num_threads(1); the one-directional nn.LSTM(8, 32) alongside.
Median of --repeats repeats, timed as pytorch_peers.py times its models.

Run with Debian's PyTorch:  /usr/bin/python3 benchmarks/peers/pytorch_bidirectional.py [--steps 64]
"""

import argparse
import os
import platform
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_peers import time_per_call  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--target-ms", type=float, default=200)
    args = parser.parse_args()
    torch.set_num_threads(1)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())
    print(f"CPU: {cpu}; torch {torch.__version__}, 1 thread")
    torch.manual_seed(0)
    xs = torch.randn(args.steps, 1, 8)
    print(f"nn.LSTM forward over T = {args.steps}, ns per step (median of {args.repeats}):")
    for name, module in (("bidirectional LSTM 8 -> 32", nn.LSTM(8, 32, bidirectional=True)), ("LSTM 8 -> 32 (one direction)", nn.LSTM(8, 32))):
        with torch.no_grad():
            median, _ = time_per_call(lambda: module(xs), args.target_ms, args.repeats)
        print(f"  {name:30s} {median / args.steps:8.1f}")


if __name__ == "__main__":
    main()
