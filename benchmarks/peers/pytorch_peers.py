#!/usr/bin/python3
"""PyTorch peers of the FixedRnn benchmarks: ns per step, batch 1, float32, CPU, torch.no_grad().

For every (input, hidden) of the C# suite and every cell kind PyTorch has (LSTM, GRU (reset-after),
RNN tanh; PyTorch has no reset-before GRU), it times
  * one step of nn.LSTMCell / nn.GRUCell / nn.RNNCell (x [1, I], state [1, H]), and
  * nn.LSTM / nn.GRU / nn.RNN over T = 100 steps (x [100, 1, I]), reported per step,
with torch.set_num_threads(1) and again with PyTorch's default thread count. Each figure is the
median of --repeats repeats, each repeat timing enough calls to last about --target-ms.

--projection times instead the LSTM with projection of ProjectionBenchmarks, nn.LSTM(32, 128,
proj_size=64), next to nn.LSTM(32, 128): nn.LSTMCell has no proj_size, so its Step is nn.LSTM over
one step (x [1, 1, I]) with the (h, c) it returned carried into the next call, and its Forward is
nn.LSTM over T = 100 steps, reported per step.

Run with Debian's PyTorch:  /usr/bin/python3 benchmarks/peers/pytorch_peers.py [--quick]
"""

import argparse
import platform
import statistics
import time

import torch
from torch import nn

SIZES = [(1, 16), (8, 32), (1, 32), (1, 64), (16, 64), (32, 128), (64, 256)]
KINDS = [
    ("lstm", nn.LSTMCell, nn.LSTM),
    ("gru", nn.GRUCell, nn.GRU),
    ("rnn", nn.RNNCell, nn.RNN),
]
T = 100
PROJECTED = [(32, 128, 64)]


def time_per_call(fn, target_ms, repeats):
    """Median over repeats of the mean time of one call, in ns."""
    for _ in range(20):  # warm up (allocator, dispatcher caches)
        fn()
    # Calibrate the number of calls per repeat.
    calls = 1
    while True:
        start = time.perf_counter_ns()
        for _ in range(calls):
            fn()
        elapsed = time.perf_counter_ns() - start
        if elapsed >= target_ms * 1e6 / 4 or calls >= 1 << 20:
            break
        calls *= 2
    calls = max(1, int(calls * (target_ms * 1e6) / max(elapsed, 1)))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter_ns() - start) / calls)
    return statistics.median(samples), min(samples)


def measure(threads, target_ms, repeats):
    torch.set_num_threads(threads)
    rows = []
    for name, cell_type, seq_type in KINDS:
        for inp, hid in SIZES:
            torch.manual_seed(0)
            cell = cell_type(inp, hid)
            seq = seq_type(inp, hid)
            x = torch.randn(1, inp)
            xs = torch.randn(T, 1, inp)
            h = torch.zeros(1, hid)
            if name == "lstm":
                state = (h, torch.zeros(1, hid))
                step = lambda: cell(x, state)
            else:
                step = lambda: cell(x, h)
            forward = lambda: seq(xs)
            with torch.no_grad():
                step_med, step_min = time_per_call(step, target_ms, repeats)
                fwd_med, fwd_min = time_per_call(forward, target_ms, repeats)
            rows.append((name, inp, hid, step_med, step_min, fwd_med / T, fwd_min / T))
    return rows


def measure_projection(threads, target_ms, repeats):
    """nn.LSTM with and without proj_size: one step with the state carried, and T steps per step."""
    torch.set_num_threads(threads)
    rows = []
    for inp, hid, proj in PROJECTED:
        for p in (0, proj):
            torch.manual_seed(0)
            seq = nn.LSTM(inp, hid, proj_size=p)
            x = torch.randn(1, 1, inp)
            xs = torch.randn(T, 1, inp)
            carried = [(torch.zeros(1, 1, p or hid), torch.zeros(1, 1, hid))]

            def step():
                carried[0] = seq(x, carried[0])[1]

            forward = lambda: seq(xs)
            with torch.no_grad():
                step_med, step_min = time_per_call(step, target_ms, repeats)
                fwd_med, fwd_min = time_per_call(forward, target_ms, repeats)
            rows.append((f"lstm proj {p}" if p else "lstm", inp, hid, step_med, step_min, fwd_med / T, fwd_min / T))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--target-ms", type=float, default=20.0, help="duration of one repeat")
    parser.add_argument("--quick", action="store_true", help="3 repeats of 5 ms (a smoke test)")
    parser.add_argument("--projection", action="store_true", help="time nn.LSTM(32, 128, proj_size=64) and nn.LSTM(32, 128) instead")
    parser.add_argument("--threads", default="1,default",
                        help="comma-separated thread counts to measure; 'default' is torch's own choice (default: 1,default)")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.target_ms = 3, 5.0

    default_threads = torch.get_num_threads()
    print(f"PyTorch {torch.__version__}, Python {platform.python_version()}, {platform.machine()}; "
          f"default torch.get_num_threads() = {default_threads}, interop threads = {torch.get_num_interop_threads()}")
    print(f"batch 1, float32, torch.no_grad(); median (and min) of {args.repeats} repeats of ~{args.target_ms:g} ms")
    thread_settings = []
    for item in args.threads.split(","):
        count = default_threads if item.strip() == "default" else int(item)
        if count not in thread_settings:
            thread_settings.append(count)
    for threads in thread_settings:
        rows = (measure_projection if args.projection else measure)(threads, args.target_ms, args.repeats)
        print()
        print(f"### torch.set_num_threads({threads})" + (" (the default)" if threads == default_threads else ""))
        print()
        step_column = "nn.LSTM 1-step ns, state carried (median)" if args.projection else "*Cell step ns (median)"
        print(f"| model | I→H | {step_column} | min | nn.* T=100 ns/step (median) | min |")
        print("|---|---|--:|--:|--:|--:|")
        for name, inp, hid, step_med, step_min, fwd_med, fwd_min in rows:
            print(f"| {name} | {inp}→{hid} | {step_med:,.0f} | {step_min:,.0f} | {fwd_med:,.0f} | {fwd_min:,.0f} |")
    if default_threads in thread_settings and default_threads == 1 and "default" in args.threads:
        print()
        print("(PyTorch's default thread count is 1 on this machine, so the set_num_threads(1) table is also the default.)")


if __name__ == "__main__":
    main()
