"""Generate the peephole-LSTM fixtures for the FixedRnn tests.

PyTorch has no peephole LSTM, so the expected values come from the peephole
equations (Gers and Schmidhuber; ONNX's LSTM with its P input; Keras'
tf.keras.experimental.PeepholeLSTMCell), with PyTorch's gate order i, f, g, o:

    i  = sigmoid(W_ii x + b_ii + W_hi h + b_hi + p_i * c)
    f  = sigmoid(W_if x + b_if + W_hf h + b_hf + p_f * c)
    g  = tanh(W_ig x + b_ig + W_hg h + b_hg)
    c' = f * c + i * g
    o  = sigmoid(W_io x + b_io + W_ho h + b_ho + p_o * c')
    h' = o * tanh(c')

Writes, next to itself (formats as in README.md):

* lstm_ph_8_40 (LSTM-peephole 8 -> 40, T = 50) and lstm_ph_stack_dense
  (LSTM-peephole 3 -> 13, LSTM-peephole 13 -> 7, Linear 7 -> 2, T = 50):
  NAME.weights/io/grads.safetensors. The weights are ordinary nn.LSTM and
  nn.Linear state_dict tensors plus `layers.{i}.weight_peephole_l0` [3*H]
  (p_i, p_f, p_o), uniform in +-1/sqrt(H). Outputs are computed twice in
  float64, with numpy and with torch ops, which must agree to 1e-12; the
  gradients are float64 torch autograd through the torch-op version. As a check
  of the gate order, the torch-op version with zero peepholes must reproduce
  nn.LSTM's own forward to 1e-6.
* onnx/lstm_ph_4_12.onnx + .io.safetensors: an ONNX LSTM 4 -> 12 with B and
  P (ONNX's order p_i, p_o, p_f) and a Gemm head 12 -> 2, built with
  onnx.helper; `output` is ONNX's equations (gate order i, o, f, c) in float64
  numpy, computed independently of the PyTorch-order code above.

Requires Debian's python3-torch, python3-numpy and python3-onnx. Re-run from
the repository root with:

    /usr/bin/python3 tests/FixedRnn.Tests/Fixtures/make_peephole_fixtures.py

The output is deterministic.
"""

import os
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "onnx"))

import make_fixtures as mf  # noqa: E402
import make_onnx_fixtures as mo  # noqa: E402

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

GENERATOR = "make_peephole_fixtures.py"

# name, seed, steps, input size, layers: ("LSTM_PH", in, hidden) or ("Linear", in, out)
FIXTURES = [
    ("lstm_ph_8_40", 31, 50, 8, [("LSTM_PH", 8, 40)]),
    ("lstm_ph_stack_dense", 32, 50, 3, [("LSTM_PH", 3, 13), ("LSTM_PH", 13, 7), ("Linear", 7, 2)]),
]


def metadata(name):
    return {"format": "pt", "fixture": name, "generator": GENERATOR}


def build(seed, specs):
    torch.manual_seed(seed)
    modules, peepholes = [], {}
    for i, spec in enumerate(specs):
        if spec[0] == "LSTM_PH":
            modules.append(nn.LSTM(spec[1], spec[2]))
        else:
            modules.append(nn.Linear(spec[1], spec[2]))
    model = mf.Stack(modules)
    for i, spec in enumerate(specs):
        if spec[0] == "LSTM_PH":
            bound = 1.0 / np.sqrt(spec[2])
            peepholes[f"layers.{i}.weight_peephole_l0"] = (torch.rand(3 * spec[2]) * 2 - 1) * bound
    state = dict(model.state_dict())
    state.update(peepholes)
    return model, state


def numpy_forward(state, specs, x):
    seq = x.astype(np.float64)
    finals, k = {}, 0
    for i, spec in enumerate(specs):
        p = {key[len(f"layers.{i}."):]: v.double().numpy() for key, v in state.items() if key.startswith(f"layers.{i}.")}
        if spec[0] == "Linear":
            seq = seq @ p["weight"].T + p["bias"]
            continue
        hidden = spec[2]
        pi, pf, po = np.split(p["weight_peephole_l0"], 3)
        h, c = np.zeros(hidden), np.zeros(hidden)
        outs = []
        for xt in seq:
            a = p["weight_ih_l0"] @ xt + p["bias_ih_l0"] + p["weight_hh_l0"] @ h + p["bias_hh_l0"]
            ai, af, ag, ao = np.split(a, 4)
            i_gate = mf.sigmoid(ai + pi * c)
            f_gate = mf.sigmoid(af + pf * c)
            c = f_gate * c + i_gate * np.tanh(ag)
            o_gate = mf.sigmoid(ao + po * c)
            h = o_gate * np.tanh(c)
            outs.append(h)
        seq = np.stack(outs)
        finals[f"final_hidden_{k}"], finals[f"final_cell_{k}"] = h, c
        k += 1
    return seq, finals


def torch_forward(params, specs, x, initial):
    seq, finals, k = x, {}, 0
    for i, spec in enumerate(specs):
        if spec[0] == "Linear":
            seq = seq @ params[f"layers.{i}.weight"].T + params[f"layers.{i}.bias"]
            continue
        w_ih, w_hh = params[f"layers.{i}.weight_ih_l0"], params[f"layers.{i}.weight_hh_l0"]
        b = params[f"layers.{i}.bias_ih_l0"] + params[f"layers.{i}.bias_hh_l0"]
        pi, pf, po = params[f"layers.{i}.weight_peephole_l0"].chunk(3)
        h, c = initial[f"initial_hidden_{k}"], initial[f"initial_cell_{k}"]
        outs = []
        for t in range(seq.shape[0]):
            ai, af, ag, ao = (w_ih @ seq[t] + w_hh @ h + b).chunk(4)
            i_gate = torch.sigmoid(ai + pi * c)
            f_gate = torch.sigmoid(af + pf * c)
            c = f_gate * c + i_gate * torch.tanh(ag)
            o_gate = torch.sigmoid(ao + po * c)
            h = o_gate * torch.tanh(c)
            outs.append(h)
        seq = torch.stack(outs)
        finals[f"final_hidden_{k}"], finals[f"final_cell_{k}"] = h, c
        k += 1
    return seq, finals


def initial_state(specs, dtype):
    state, k = {}, 0
    for spec in specs:
        if spec[0] == "LSTM_PH":
            state[f"initial_hidden_{k}"] = torch.zeros(spec[2], dtype=dtype, requires_grad=True)
            state[f"initial_cell_{k}"] = torch.zeros(spec[2], dtype=dtype, requires_grad=True)
            k += 1
    return state


def check_gate_order(model, state, specs, x):
    """With zero peepholes the equations must be nn.LSTM's: catches a wrong gate split."""
    zeroed = {key: (torch.zeros_like(v) if "peephole" in key else v).double() for key, v in state.items()}
    ours, _ = torch_forward(zeroed, specs, x.double(), initial_state(specs, torch.float64))
    with torch.no_grad():
        seq = x.unsqueeze(1)
        for layer in model.layers:
            seq = layer(seq)[0] if isinstance(layer, nn.LSTM) else layer(seq)
    diff = (ours.detach() - seq.squeeze(1).double()).abs().max().item()
    assert diff < 1e-6, f"zero-peephole equations differ from nn.LSTM by {diff}"


def make_fixture(name, seed, steps, inputs, specs):
    model, state = build(seed, specs)
    x = mf.make_input(seed, steps, inputs)
    check_gate_order(model, state, specs, x)

    expected, finals = numpy_forward(state, specs, x.numpy())
    params = {key: v.detach().double().requires_grad_(True) for key, v in state.items()}
    x_leaf = x.double().requires_grad_(True)
    initial = initial_state(specs, torch.float64)
    output, torch_finals = torch_forward(params, specs, x_leaf, initial)
    diff = np.abs(output.detach().numpy() - expected).max()
    assert diff < 1e-12, f"{name}: numpy and torch float64 forward differ by {diff}"

    output_grad = mf.make_output_grad(seed, steps, expected.shape[1])
    leaves = dict(params)
    leaves.update(initial, input=x_leaf)
    grads = mf.autograd_grads(output, output_grad.double(), leaves)

    meta = metadata(name)
    mf.write_safetensors(os.path.join(HERE, f"{name}.weights.safetensors"), state, meta)
    io = {"input": x, "output": torch.from_numpy(expected).float(),
          **{key: torch.from_numpy(v).float() for key, v in finals.items()}}
    mf.write_safetensors(os.path.join(HERE, f"{name}.io.safetensors"), io, meta)
    tensors = {"output_grad": output_grad, **{f"grad.{key}": g.float() for key, g in grads.items()}}
    mf.write_safetensors(os.path.join(HERE, f"{name}.grads.safetensors"), tensors, meta)
    print(f"{name}: numpy vs torch float64 {diff:.1e}")


def onnx_lstm_peephole_reference(w, r, b, p, head_w, head_b, x):
    """ONNX's LSTM equations (gates i, o, f, c; P = p_i, p_o, p_f), float64, then the Gemm head."""
    w, r, b, p = (a.astype(np.float64)[0] for a in (w, r, b, p))
    hidden = r.shape[1]
    wb, rb = np.split(b, 2)
    pi, po, pf = np.split(p, 3)
    h, c = np.zeros(hidden), np.zeros(hidden)
    outs = []
    for xt in x.astype(np.float64):
        a = w @ xt + r @ h + wb + rb
        ai, ao, af, ac = np.split(a, 4)
        i_gate = mo.sigmoid(ai + pi * c)
        f_gate = mo.sigmoid(af + pf * c)
        c = f_gate * c + i_gate * np.tanh(ac)
        o_gate = mo.sigmoid(ao + po * c)
        h = o_gate * np.tanh(c)
        outs.append(h)
    return np.stack(outs) @ head_w.astype(np.float64).T + head_b.astype(np.float64)


def make_onnx_fixture():
    """ONNX LSTM 4 -> 12 with B and P, Squeeze, Gemm(transB = 1) 12 -> 2."""
    name, inputs, hidden, outputs = "lstm_ph_4_12", 4, 12, 2
    rng = np.random.default_rng(131)
    w = mo.uniform(rng, (1, 4 * hidden, inputs), hidden)
    r = mo.uniform(rng, (1, 4 * hidden, hidden), hidden)
    b = mo.uniform(rng, (1, 8 * hidden), hidden)
    p = mo.uniform(rng, (1, 3 * hidden), hidden)
    head_w = mo.uniform(rng, (outputs, hidden), hidden)
    head_b = mo.uniform(rng, (outputs,), hidden)
    nodes = [
        helper.make_node("LSTM", ["input", "W", "R", "B", "", "", "", "P"], ["Y", "", ""], name="lstm", hidden_size=hidden),
        helper.make_node("Squeeze", ["Y", "axes"], ["h"], name="squeeze"),
        helper.make_node("Gemm", ["h", "head_W", "head_b"], ["output"], name="head", transB=1),
    ]
    initializers = [
        numpy_helper.from_array(w, "W"), numpy_helper.from_array(r, "R"),
        numpy_helper.from_array(b, "B"), numpy_helper.from_array(p, "P"),
        numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "axes"),
        numpy_helper.from_array(head_w, "head_W"), numpy_helper.from_array(head_b, "head_b"),
    ]
    model = mo.make_model(name, nodes, initializers,
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, [mo.T, 1, inputs])],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT, [mo.T, outputs])])
    x = rng.standard_normal((mo.T, inputs)).astype(np.float32)
    expected = onnx_lstm_peephole_reference(w, r, b, p, head_w, head_b, x)
    mo.OUT_DIR = os.path.join(HERE, "onnx")
    mo.save_model(name, model)
    meta = {"format": "onnx", "fixture": name, "generator": GENERATOR}
    mo.write_safetensors(os.path.join(HERE, "onnx", f"{name}.io.safetensors"), {"input": x, "output": expected}, meta)
    print(f"{name}: written")


def main():
    torch.set_num_threads(1)
    for fixture in FIXTURES:
        make_fixture(*fixture)
    make_onnx_fixture()


if __name__ == "__main__":
    main()
