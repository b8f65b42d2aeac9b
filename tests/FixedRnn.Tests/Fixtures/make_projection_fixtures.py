"""Generate the LSTM-with-projection fixtures (PyTorch's proj_size) for the FixedRnn tests.

PyTorch's nn.LSTM(proj_size=P) computes, with h of P units and c of H units:

    i, f, g, o = sigmoid, sigmoid, tanh, sigmoid(W_ih x + b_ih + W_hh h + b_hh)   W_hh is [4H, P]
    c' = f * c + i * g
    h' = W_hr (o * tanh(c'))                                                     W_hr is [P, H], no bias

Writes, next to itself (formats as in README.md):

* lstm_proj_8_40_12 (LSTM 8 -> 40, proj_size 12, T = 50) and
  lstm_proj_stack_dense (LSTM 3 -> 20 proj 9, LSTM 9 -> 13 proj 5, Linear 5 -> 2,
  T = 50): NAME.weights/io/grads.safetensors. The weights are the modules'
  state_dict (float32, including `layers.{i}.weight_hr_l0`), PyTorch's default
  init scaled by 1.5 as in make_fixtures.py. `output` and the finals come from
  the nn.LSTM modules run in float64 (final_hidden_k has P units,
  final_cell_k H); the gradients are float64 autograd through the modules. The
  float64 module output is checked against the equations above in numpy
  (1e-12) and the float32 module output against the float64 one (1e-5).
* bilstm_proj_4_16_6 (nn.LSTM(4, 16, proj_size=6, bidirectional=True), T = 30):
  the same three files, for a bidirectional layer with projection; `output` is
  [T, 12], the forward direction's h then the reverse direction's, and the
  finals are final_hidden_0 / final_cell_0 (forward) and final_hidden_0_reverse
  / final_cell_0_reverse, likewise the initial-state gradients
  (BidirectionalTests.ProjectedLstm4To16 reads it).

Requires Debian's python3-torch and python3-numpy. Re-run from the repository
root with:

    /usr/bin/python3 tests/FixedRnn.Tests/Fixtures/make_projection_fixtures.py

The output is deterministic.
"""

import os
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import make_fixtures as mf  # noqa: E402

GENERATOR = "make_projection_fixtures.py"

# name, seed, steps, input size, layers: ("LSTM", in, hidden, proj) or ("Linear", in, out)
FIXTURES = [
    ("lstm_proj_8_40_12", 41, 50, 8, [("LSTM", 8, 40, 12)]),
    ("lstm_proj_stack_dense", 42, 50, 3, [("LSTM", 3, 20, 9), ("LSTM", 9, 13, 5), ("Linear", 5, 2)]),
]
BIDIRECTIONAL = ("bilstm_proj_4_16_6", 43, 30, 4, 16, 6)


def metadata(name):
    return {"format": "pt", "fixture": name, "generator": GENERATOR}


def build(seed, specs):
    torch.manual_seed(seed)
    modules = [nn.LSTM(s[1], s[2], proj_size=s[3]) if s[0] == "LSTM" else nn.Linear(s[1], s[2]) for s in specs]
    model = mf.Stack(modules)
    with torch.no_grad():
        for spec, layer in zip(specs, model.layers):
            if spec[0] == "LSTM":
                for p in layer.parameters():
                    p.mul_(mf.SCALE)
    return model


def initial_state(specs, dtype):
    state, k = {}, 0
    for spec in specs:
        if spec[0] == "LSTM":
            state[f"initial_hidden_{k}"] = torch.zeros(spec[3], dtype=dtype, requires_grad=True)
            state[f"initial_cell_{k}"] = torch.zeros(spec[2], dtype=dtype, requires_grad=True)
            k += 1
    return state


def run_modules(model, specs, x, initial):
    seq, finals, k = x, {}, 0
    for spec, layer in zip(specs, model.layers):
        if spec[0] == "Linear":
            seq = layer(seq)
            continue
        h0 = initial[f"initial_hidden_{k}"].view(1, 1, -1)
        c0 = initial[f"initial_cell_{k}"].view(1, 1, -1)
        out, (h, c) = layer(seq.unsqueeze(1), (h0, c0))
        seq = out.squeeze(1)
        finals[f"final_hidden_{k}"], finals[f"final_cell_{k}"] = h[0, 0], c[0, 0]
        k += 1
    return seq, finals


def numpy_forward(state, specs, x):
    """The equations in the docstring, float64 numpy, independent of nn.LSTM."""
    seq = x.astype(np.float64)
    for i, spec in enumerate(specs):
        p = {key[len(f"layers.{i}."):]: v.double().numpy() for key, v in state.items() if key.startswith(f"layers.{i}.")}
        if spec[0] == "Linear":
            seq = seq @ p["weight"].T + p["bias"]
            continue
        h, c = np.zeros(spec[3]), np.zeros(spec[2])
        outs = []
        for xt in seq:
            a = p["weight_ih_l0"] @ xt + p["bias_ih_l0"] + p["weight_hh_l0"] @ h + p["bias_hh_l0"]
            ai, af, ag, ao = np.split(a, 4)
            c = mf.sigmoid(af) * c + mf.sigmoid(ai) * np.tanh(ag)
            h = p["weight_hr_l0"] @ (mf.sigmoid(ao) * np.tanh(c))
            outs.append(h)
        seq = np.stack(outs)
    return seq


def make_fixture(name, seed, steps, inputs, specs):
    model = build(seed, specs)
    state = {key: v.detach().clone() for key, v in model.state_dict().items()}
    x = mf.make_input(seed, steps, inputs)

    with torch.no_grad():
        out32, _ = run_modules(model, specs, x, initial_state(specs, torch.float32))
    model64 = build(seed, specs).double()
    model64.load_state_dict({key: v.double() for key, v in state.items()})
    x_leaf = x.double().requires_grad_(True)
    initial = initial_state(specs, torch.float64)
    output, finals = run_modules(model64, specs, x_leaf, initial)

    equations = numpy_forward(state, specs, x.numpy())
    diff = np.abs(output.detach().numpy() - equations).max()
    assert diff < 1e-12, f"{name}: nn.LSTM(proj_size) float64 and the numpy equations differ by {diff}"
    diff32 = (out32.double() - output.detach()).abs().max().item()
    assert diff32 < 1e-5, f"{name}: float32 and float64 modules differ by {diff32}"

    output_grad = mf.make_output_grad(seed, steps, output.shape[1])
    leaves = dict(model64.named_parameters())
    leaves.update(initial, input=x_leaf)
    grads = mf.autograd_grads(output, output_grad.double(), leaves)

    meta = metadata(name)
    mf.write_safetensors(os.path.join(HERE, f"{name}.weights.safetensors"), state, meta)
    io = {"input": x, "output": output.detach().float(), **{key: v.detach().float() for key, v in finals.items()}}
    mf.write_safetensors(os.path.join(HERE, f"{name}.io.safetensors"), io, meta)
    tensors = {"output_grad": output_grad, **{f"grad.{key}": g.float() for key, g in grads.items()}}
    mf.write_safetensors(os.path.join(HERE, f"{name}.grads.safetensors"), tensors, meta)
    print(f"{name}: module vs equations {diff:.1e}, float32 vs float64 {diff32:.1e}")


def make_bidirectional_fixture(name, seed, steps, inputs, hidden, proj):
    torch.manual_seed(seed)
    model = mf.Stack([nn.LSTM(inputs, hidden, proj_size=proj, bidirectional=True)])
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(mf.SCALE)
    state = {key: v.detach().clone() for key, v in model.state_dict().items()}
    x = mf.make_input(seed, steps, inputs)

    model64 = mf.Stack([nn.LSTM(inputs, hidden, proj_size=proj, bidirectional=True)]).double()
    model64.load_state_dict({key: v.double() for key, v in state.items()})
    x_leaf = x.double().requires_grad_(True)
    initial = {
        "initial_hidden_0": torch.zeros(proj, dtype=torch.float64, requires_grad=True),
        "initial_cell_0": torch.zeros(hidden, dtype=torch.float64, requires_grad=True),
        "initial_hidden_0_reverse": torch.zeros(proj, dtype=torch.float64, requires_grad=True),
        "initial_cell_0_reverse": torch.zeros(hidden, dtype=torch.float64, requires_grad=True),
    }
    h0 = torch.stack([initial["initial_hidden_0"], initial["initial_hidden_0_reverse"]]).unsqueeze(1)
    c0 = torch.stack([initial["initial_cell_0"], initial["initial_cell_0_reverse"]]).unsqueeze(1)
    out, (h, c) = model64.layers[0](x_leaf.unsqueeze(1), (h0, c0))
    output = out.squeeze(1)

    # The reverse direction is the same equations over the reversed sequence, concatenated after the forward one.
    p = {key[len("layers.0."):]: v.double().numpy() for key, v in state.items()}
    halves = []
    for suffix, order in (("", range(steps)), ("_reverse", reversed(range(steps)))):
        hh, cc = np.zeros(proj), np.zeros(hidden)
        outs = [None] * steps
        for t in order:
            a = p[f"weight_ih_l0{suffix}"] @ x.double().numpy()[t] + p[f"bias_ih_l0{suffix}"] + p[f"weight_hh_l0{suffix}"] @ hh + p[f"bias_hh_l0{suffix}"]
            ai, af, ag, ao = np.split(a, 4)
            cc = mf.sigmoid(af) * cc + mf.sigmoid(ai) * np.tanh(ag)
            hh = p[f"weight_hr_l0{suffix}"] @ (mf.sigmoid(ao) * np.tanh(cc))
            outs[t] = hh
        halves.append(np.stack(outs))
    equations = np.concatenate(halves, axis=1)
    diff = np.abs(output.detach().numpy() - equations).max()
    assert diff < 1e-12, f"{name}: bidirectional nn.LSTM(proj_size) and the numpy equations differ by {diff}"

    output_grad = mf.make_output_grad(seed, steps, output.shape[1])
    leaves = dict(model64.named_parameters())
    leaves.update(initial, input=x_leaf)
    grads = mf.autograd_grads(output, output_grad.double(), leaves)

    meta = metadata(name)
    mf.write_safetensors(os.path.join(HERE, f"{name}.weights.safetensors"), state, meta)
    finals = {"final_hidden_0": h[0, 0], "final_cell_0": c[0, 0], "final_hidden_0_reverse": h[1, 0], "final_cell_0_reverse": c[1, 0]}
    io = {"input": x, "output": output.detach().float(), **{key: v.detach().float() for key, v in finals.items()}}
    mf.write_safetensors(os.path.join(HERE, f"{name}.io.safetensors"), io, meta)
    tensors = {"output_grad": output_grad, **{f"grad.{key}": g.float() for key, g in grads.items()}}
    mf.write_safetensors(os.path.join(HERE, f"{name}.grads.safetensors"), tensors, meta)
    print(f"{name}: module vs equations {diff:.1e}")


def main():
    torch.set_num_threads(1)
    for fixture in FIXTURES:
        make_fixture(*fixture)
    make_bidirectional_fixture(*BIDIRECTIONAL)


if __name__ == "__main__":
    main()
