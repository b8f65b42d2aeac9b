"""Generate the bidirectional-layer fixtures for the FixedRnn tests.

Each model is an nn.ModuleList under `layers.` of nn.LSTM/GRU/RNN built with
bidirectional=True (one layer per module) and an optional nn.Linear head, as
PyTorch computes them: each layer's output is [h_forward_t, h_reverse_t], the
forward direction's first, and the reverse direction runs from t = T - 1 down
to 0. The reverse direction's tensors are PyTorch's `*_l0_reverse`.

Writes, next to itself (formats as in README.md), NAME.weights/io/grads.safetensors:

* bilstm_8_32: bidirectional LSTM 8 -> 32 (64 outputs), T = 40.
* bigru_stack_dense: bidirectional GRU 5 -> 12, bidirectional GRU 24 -> 9,
  Linear 18 -> 3, T = 30.
* birnn_4_20: bidirectional RNN (tanh) 4 -> 20, T = 30.

`output` is the float64 forward pass of the same modules (.double()), stored as
float32; its float32 forward must agree to 1e-5. The gradients are float64
autograd of L = sum(output * output_grad) with respect to every parameter, the
input and each layer's initial state, zero: `grad.initial_hidden_{k}` (and
`_cell_`) for the forward direction of recurrent layer k, and
`grad.initial_hidden_reverse_{k}` (and `_cell_`) for its reverse direction.

Requires Debian's python3-torch and python3-numpy. Re-run from the repository
root with:

    /usr/bin/python3 tests/FixedRnn.Tests/Fixtures/make_bidirectional_fixtures.py

The output is deterministic.
"""

import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import make_fixtures as mf  # noqa: E402

GENERATOR = "make_bidirectional_fixtures.py"

# name, seed, steps, input size, layers: (kind, in, hidden) or ("Linear", in, out)
FIXTURES = [
    ("bilstm_8_32", 41, 40, 8, [("LSTM", 8, 32)]),
    ("bigru_stack_dense", 42, 30, 5, [("GRU", 5, 12), ("GRU", 24, 9), ("Linear", 18, 3)]),
    ("birnn_4_20", 43, 30, 4, [("RNN", 4, 20)]),
]

MODULES = {"LSTM": nn.LSTM, "GRU": nn.GRU, "RNN": nn.RNN}


def metadata(name):
    return {"format": "pt", "fixture": name, "generator": GENERATOR}


def build(seed, specs):
    torch.manual_seed(seed)
    layers = []
    for kind, n_in, n_out in specs:
        if kind == "Linear":
            layers.append(nn.Linear(n_in, n_out))
        else:
            layers.append(MODULES[kind](n_in, n_out, bidirectional=True))
    model = mf.Stack(layers)
    with torch.no_grad():
        for (kind, _, _), layer in zip(specs, model.layers):
            if kind != "Linear":
                for p in layer.parameters():
                    p.mul_(mf.SCALE)  # as make_fixtures.py: exercise saturation
    return model


def initial_state(specs, dtype):
    state, k = {}, 0
    for kind, _, hidden in specs:
        if kind == "Linear":
            continue
        for direction in ("", "reverse_"):
            state[f"initial_hidden_{direction}{k}"] = torch.zeros(hidden, dtype=dtype, requires_grad=True)
            if kind == "LSTM":
                state[f"initial_cell_{direction}{k}"] = torch.zeros(hidden, dtype=dtype, requires_grad=True)
        k += 1
    return state


def run(model, specs, x, initial):
    """Forward through the modules with explicit [2, 1, H] initial states; returns [T, outputs]."""
    seq, k = x, 0
    for (kind, _, _), layer in zip(specs, model.layers):
        if kind == "Linear":
            seq = layer(seq)
            continue
        h0 = torch.stack([initial[f"initial_hidden_{k}"], initial[f"initial_hidden_reverse_{k}"]]).unsqueeze(1)
        if kind == "LSTM":
            c0 = torch.stack([initial[f"initial_cell_{k}"], initial[f"initial_cell_reverse_{k}"]]).unsqueeze(1)
            out, _ = layer(seq.unsqueeze(1), (h0, c0))
        else:
            out, _ = layer(seq.unsqueeze(1), h0)
        seq = out.squeeze(1)
        k += 1
    return seq


def make_fixture(name, seed, steps, inputs, specs):
    model = build(seed, specs)
    x = mf.make_input(seed, steps, inputs)
    with torch.no_grad():
        out32 = run(model, specs, x, initial_state(specs, torch.float32))

    model64 = build(seed, specs).double()
    x_leaf = x.double().requires_grad_(True)
    initial = initial_state(specs, torch.float64)
    out64 = run(model64, specs, x_leaf, initial)
    diff = (out64.detach() - out32.double()).abs().max().item()
    assert diff < 1e-5, f"{name}: float32 and float64 forward differ by {diff}"

    output_grad = mf.make_output_grad(seed, steps, out64.shape[1])
    leaves = dict(model64.named_parameters())
    leaves.update(initial, input=x_leaf)
    grads = mf.autograd_grads(out64, output_grad.double(), leaves)

    meta = metadata(name)
    mf.write_safetensors(os.path.join(HERE, f"{name}.weights.safetensors"), model.state_dict(), meta)
    mf.write_safetensors(os.path.join(HERE, f"{name}.io.safetensors"), {"input": x, "output": out64.detach().float()}, meta)
    tensors = {"output_grad": output_grad, **{f"grad.{key}": g.float() for key, g in grads.items()}}
    mf.write_safetensors(os.path.join(HERE, f"{name}.grads.safetensors"), tensors, meta)
    print(f"{name}: float32 vs float64 forward {diff:.1e}, {len(model.state_dict())} tensors")


def main():
    torch.set_num_threads(1)
    for fixture in FIXTURES:
        make_fixture(*fixture)


if __name__ == "__main__":
    main()
