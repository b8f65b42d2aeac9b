#!/usr/bin/python3
"""PyTorch's side of the training-epoch benchmark: the lecture's Keras workflow, one epoch at a time.

Windows of 10 steps of the series sin(0.1 t) + 0.5 sin(0.037 t), each predicting the next value (many-to-one);
nn.LSTM(1, 50, batch_first=True) + nn.Linear(50, 1) on the last step; torch.optim.Adam(lr=1e-3, eps=1e-7);
nn.MSELoss; batches of 32 in order (no shuffling, no validation), one optimizer step per batch: the same data,
sizes and work as FixedRnn's `training-epoch` command, which runs this script for its comparison.

Prints one line of JSON: {"threads": n, "default_threads": d, "epoch_seconds": [...], "final_loss": x, "torch": v}.

    /usr/bin/python3 benchmarks/peers/pytorch_training_epoch.py [--windows 4096] [--epochs 3] [--threads 1|default]
"""

import argparse
import json
import math
import time

import torch

WINDOW = 10
UNITS = 50
BATCH = 32


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--windows", type=int, default=4096)
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs, after one untimed warm-up epoch")
    parser.add_argument("--threads", default="1", help="torch.set_num_threads, or 'default' for PyTorch's own choice")
    args = parser.parse_args()

    default_threads = torch.get_num_threads()
    threads = default_threads if args.threads == "default" else int(args.threads)
    torch.set_num_threads(threads)
    torch.manual_seed(0)

    steps = args.windows + WINDOW
    series = torch.tensor([math.sin(0.1 * t) + 0.5 * math.sin(0.037 * t) for t in range(steps)], dtype=torch.float32)
    x = torch.stack([series[i:i + WINDOW] for i in range(args.windows)]).unsqueeze(-1)  # [N, 10, 1]
    y = series[WINDOW:WINDOW + args.windows].unsqueeze(-1)                            # [N, 1]

    lstm = torch.nn.LSTM(1, UNITS, batch_first=True)
    dense = torch.nn.Linear(UNITS, 1)
    optimizer = torch.optim.Adam(list(lstm.parameters()) + list(dense.parameters()), lr=1e-3, eps=1e-7)
    loss_function = torch.nn.MSELoss()

    def epoch():
        total = 0.0
        for start in range(0, args.windows, BATCH):
            xb, yb = x[start:start + BATCH], y[start:start + BATCH]
            optimizer.zero_grad()
            h, _ = lstm(xb)
            loss = loss_function(dense(h[:, -1]), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * xb.shape[0]
        return total / args.windows

    epoch()  # warm-up: allocator, autograd and dispatcher caches
    seconds = []
    loss = float("nan")
    for _ in range(args.epochs):
        started = time.perf_counter()
        loss = epoch()
        seconds.append(time.perf_counter() - started)
    print(json.dumps({"threads": threads, "default_threads": default_threads, "epoch_seconds": seconds,
                      "final_loss": loss, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
