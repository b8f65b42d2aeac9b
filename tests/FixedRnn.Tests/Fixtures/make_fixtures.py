"""Generate PyTorch reference fixtures for the FixedRnn tests.

For every fixture NAME this script writes three safetensors files next to itself:

* NAME.weights.safetensors -- the model's PyTorch ``state_dict()`` (float32,
  key names exactly as PyTorch produces them), with ``__metadata__``
  {"format": "pt", "fixture": NAME, "generator": "make_fixtures.py"}.
* NAME.io.safetensors -- ``input`` [T, I], expected ``output`` [T, O] at every
  time step (batch size 1, zero initial state), ``final_hidden_{k}`` [H_k] for
  each recurrent layer k and, for LSTM layers, ``final_cell_{k}`` [H_k].
* NAME.grads.safetensors -- autograd gradients of the loss
  L = sum(output * output_grad), where ``output_grad`` [T, O] is a fixed-seed
  standard-normal tensor (stored too): ``grad.{key}`` for every weights key,
  ``grad.input`` [T, I], ``grad.initial_hidden_{k}`` [H_k] and, for LSTM
  layers, ``grad.initial_cell_{k}`` [H_k] (gradients with respect to the zero
  initial state).

The "reset-before" GRU fixtures (gru_rb_*) use ordinary nn.GRU weights but
expected values computed in float64 with the Cho et al. / Keras
reset_after=False / ONNX linear_before_reset=0 equations, which PyTorch itself
does not implement. Their gradients come from torch autograd in float64
through a torch implementation of those equations.

Requires Debian's python3-torch and python3-numpy (system interpreter, not
pyenv). Re-run from the repository root with:

    /usr/bin/python3 tests/FixedRnn.Tests/Fixtures/make_fixtures.py

The output is deterministic: re-running reproduces byte-identical files.
"""

import json
import os
import struct

import numpy as np
import torch
from torch import nn

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
SCALE = 1.5  # recurrent weights/biases are scaled to exercise saturation

# Layer specs: (kind, input_size, output_size[, option]).
# Recurrent option: nonlinearity for RNN/RNNCell. Linear option: activation.
# "GRU_RB" is a reset-before GRU, stored as an ordinary nn.GRU.
FIXTURES = [
    # name, seed, T, layers
    ("lstm_8_32", 1, 60, [("LSTM", 8, 32)]),
    ("lstm_cell_3_13", 2, 50, [("LSTMCell", 3, 13)]),
    ("gru_5_37", 3, 50, [("GRU", 5, 37)]),
    ("gru_cell_1_1", 4, 50, [("GRUCell", 1, 1)]),
    ("rnn_tanh_4_50", 5, 50, [("RNN", 4, 50, "tanh")]),
    ("rnn_relu_cell_4_3", 6, 50, [("RNNCell", 4, 3, "relu")]),
    ("stack_gru_dense", 7, 50,
     [("GRU", 6, 24), ("GRU", 24, 16), ("Linear", 16, 2, "identity")]),
    ("stack_mixed", 8, 50,
     [("LSTM", 3, 20), ("GRUCell", 20, 13), ("RNN", 13, 9, "tanh"),
      ("Linear", 9, 3, "sigmoid")]),
    ("dense_relu_head", 9, 50,
     [("RNN", 2, 12, "relu"), ("Linear", 12, 5, "relu")]),
    ("lstm_1_128", 10, 64, [("LSTM", 1, 128)]),
    ("gru_16_256", 11, 50, [("GRU", 16, 256)]),
    ("gru_rb_5_37", 13, 50, [("GRU_RB", 5, 37)]),
    ("gru_rb_8_130", 14, 50, [("GRU_RB", 8, 130)]),
    ("gru_rb_stack_dense", 15, 50,
     [("GRU_RB", 3, 11), ("Linear", 11, 2, "identity")]),
    # Modules built with bias=False have no bias tensors at all.
    ("nobias_stack", 16, 40,
     [("LSTM", 3, 10, "nobias"), ("GRU", 10, 7, "nobias"),
      ("Linear", 7, 2, "identity", "nobias")]),
]
LSTM_MULTI_SEED = 12
# float32 fixture whose nn.GRU gradients validate the float64 autograd GRU.
GRAD_SELF_CHECK = "gru_5_37"

ACTIVATIONS = {"identity": lambda v: v, "sigmoid": torch.sigmoid, "relu": torch.relu}


# --------------------------------------------------------------------------
# safetensors writer
# --------------------------------------------------------------------------

def write_safetensors(path, tensors, metadata):
    """Write float32 tensors in sorted-name order with a space-padded header."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name in sorted(tensors):
        array = tensors[name].detach().cpu().contiguous().numpy().astype("<f4")
        blob = array.tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for blob in blobs:
            f.write(blob)


def fixture_metadata(name):
    return {"format": "pt", "fixture": name, "generator": "make_fixtures.py"}


def save_fixture(name, model, x, output, finals):
    meta = fixture_metadata(name)
    write_safetensors(os.path.join(OUT_DIR, f"{name}.weights.safetensors"),
                      model.state_dict(), meta)
    io = {"input": x, "output": output, **finals}
    write_safetensors(os.path.join(OUT_DIR, f"{name}.io.safetensors"), io, meta)


def save_grads(name, output_grad, grads):
    tensors = {"output_grad": output_grad,
               **{f"grad.{key}": g.float() for key, g in grads.items()}}
    write_safetensors(os.path.join(OUT_DIR, f"{name}.grads.safetensors"),
                      tensors, fixture_metadata(name))


# --------------------------------------------------------------------------
# ModuleList models
# --------------------------------------------------------------------------

class Stack(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)


def make_layer(spec):
    kind, n_in, n_out, *opt = spec
    if "nobias" in opt:
        modules = {"LSTM": nn.LSTM, "GRU": nn.GRU, "Linear": nn.Linear}
        return modules[kind](n_in, n_out, bias=False)
    if kind == "LSTM":
        return nn.LSTM(n_in, n_out)
    if kind == "LSTMCell":
        return nn.LSTMCell(n_in, n_out)
    if kind in ("GRU", "GRU_RB"):
        return nn.GRU(n_in, n_out)
    if kind == "GRUCell":
        return nn.GRUCell(n_in, n_out)
    if kind == "RNN":
        return nn.RNN(n_in, n_out, nonlinearity=opt[0])
    if kind == "RNNCell":
        return nn.RNNCell(n_in, n_out, nonlinearity=opt[0])
    if kind == "Linear":
        return nn.Linear(n_in, n_out)
    raise ValueError(kind)


def is_recurrent(spec):
    return spec[0] != "Linear"


def build_model(seed, specs):
    """Default init with a fixed seed; scale non-relu recurrent layers by 1.5."""
    torch.manual_seed(seed)
    model = Stack([make_layer(s) for s in specs])
    with torch.no_grad():
        for spec, layer in zip(specs, model.layers):
            if is_recurrent(spec) and "relu" not in spec[3:]:
                for p in layer.parameters():
                    p.mul_(SCALE)
    return model


def make_input(seed, steps, n_in):
    gen = torch.Generator().manual_seed(seed + 1000)
    return torch.randn(steps, n_in, generator=gen) * SCALE


def run_torch(model, specs, x, init=None):
    """float32 forward pass with PyTorch modules; returns (output, finals).

    With ``init`` None every recurrent layer starts from PyTorch's implicit
    zero state (the modules get no state argument). Otherwise ``init`` maps
    "initial_hidden_{k}" / "initial_cell_{k}" to [H_k] tensors that are passed
    explicitly. Gradient mode is up to the caller.
    """
    finals, k = {}, 0
    seq = x
    for spec, layer in zip(specs, model.layers):
        kind = spec[0]
        if kind == "Linear":
            seq = ACTIVATIONS[spec[3]](layer(seq))
            continue
        if init is None:
            h0 = c0 = torch.zeros(spec[2])
        else:
            h0 = init[f"initial_hidden_{k}"]
            c0 = init.get(f"initial_cell_{k}")
        if kind in ("LSTM", "GRU", "GRU_RB", "RNN"):
            if init is None:
                out, state = layer(seq.unsqueeze(1))
            elif kind == "LSTM":
                out, state = layer(seq.unsqueeze(1),
                                   (h0.view(1, 1, -1), c0.view(1, 1, -1)))
            else:
                out, state = layer(seq.unsqueeze(1), h0.view(1, 1, -1))
            seq = out.squeeze(1)
            if kind == "LSTM":
                h, c = state[0][0, 0], state[1][0, 0]
            else:
                h, c = state[0, 0], None
        else:  # *Cell: step through time
            h = h0.view(1, -1)
            c = c0.view(1, -1) if kind == "LSTMCell" else None
            outs = []
            for t in range(seq.shape[0]):
                if kind == "LSTMCell":
                    h, c = layer(seq[t:t + 1], (h, c))
                else:
                    h = layer(seq[t:t + 1], h)
                outs.append(h[0])
            seq = torch.stack(outs)
            h, c = h[0], (c[0] if kind == "LSTMCell" else None)
        finals[f"final_hidden_{k}"] = h
        if c is not None:
            finals[f"final_cell_{k}"] = c
        k += 1
    return seq, finals


# --------------------------------------------------------------------------
# gradients
# --------------------------------------------------------------------------

def make_output_grad(seed, steps, n_out):
    """dL/doutput: standard normal from its own generator (fixture seed + 2000)."""
    gen = torch.Generator().manual_seed(seed + 2000)
    return torch.randn(steps, n_out, generator=gen)


def zero_initial_state(specs, dtype):
    """Zero initial states that require grad, keyed like the gradient names."""
    init, k = {}, 0
    for spec in specs:
        if not is_recurrent(spec):
            continue
        init[f"initial_hidden_{k}"] = torch.zeros(spec[2], dtype=dtype, requires_grad=True)
        if spec[0] in ("LSTM", "LSTMCell"):
            init[f"initial_cell_{k}"] = torch.zeros(spec[2], dtype=dtype, requires_grad=True)
        k += 1
    return init


def autograd_grads(output, output_grad, leaves):
    """Gradients of L = sum(output * output_grad) w.r.t. every leaf, by name."""
    names = sorted(leaves)
    loss = (output * output_grad).sum()
    grads = torch.autograd.grad(loss, [leaves[n] for n in names])
    return dict(zip(names, grads))


def check_keys(name, grads, model):
    """Every weights key has a gradient of the parameter's shape."""
    state = model.state_dict()
    for key, value in state.items():
        assert grads[key].shape == value.shape, f"{name}: grad.{key} has shape {grads[key].shape}"
    extra = set(grads) - set(state)
    assert all(n == "input" or n.startswith(("initial_hidden_", "initial_cell_"))
               for n in extra), f"{name}: unexpected gradient names {sorted(extra)}"


def torch_grads(name, model, specs, x, output, finals, output_grad):
    """float32 autograd gradients through the PyTorch modules."""
    x_leaf = x.clone().requires_grad_(True)
    init = zero_initial_state(specs, torch.float32)
    out, fin = run_torch(model, specs, x_leaf, init)
    err = max(max_abs_diff(out.detach(), output),
              *(max_abs_diff(fin[key].detach(), finals[key]) for key in finals))
    assert err <= 1e-7, f"{name}: forward with explicit initial state differs by {err}"
    leaves = dict(model.named_parameters())
    leaves.update(init, input=x_leaf)
    grads = autograd_grads(out, output_grad, leaves)
    check_keys(name, grads, model)
    return grads, err


# --------------------------------------------------------------------------
# float64 reference for GRU (reset-before / reset-after) + Linear stacks
# --------------------------------------------------------------------------

def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def gru_f64(layer, seq, reset_before):
    w_ih = layer.weight_ih_l0.detach().double().numpy()
    w_hh = layer.weight_hh_l0.detach().double().numpy()
    b_ih = layer.bias_ih_l0.detach().double().numpy()
    b_hh = layer.bias_hh_l0.detach().double().numpy()
    hidden = w_hh.shape[1]
    wr, wz, wn = np.split(w_hh, 3)
    br, bz, bn = np.split(b_hh, 3)
    h = np.zeros(hidden)
    outs = []
    for x in seq:
        xr, xz, xn = np.split(w_ih @ x + b_ih, 3)
        r = sigmoid(xr + wr @ h + br)
        z = sigmoid(xz + wz @ h + bz)
        if reset_before:
            n = np.tanh(xn + wn @ (r * h) + bn)
        else:
            n = np.tanh(xn + r * (wn @ h + bn))
        h = (1.0 - z) * n + z * h
        outs.append(h)
    return np.stack(outs), h


def run_f64(model, specs, x, reset_before):
    """float64 forward pass for models made of GRU_RB and Linear layers."""
    seq = x.double().numpy()
    finals, k = {}, 0
    for spec, layer in zip(specs, model.layers):
        if spec[0] == "GRU_RB":
            seq, h = gru_f64(layer, seq, reset_before)
            finals[f"final_hidden_{k}"] = torch.from_numpy(h)
            k += 1
        elif spec[0] == "Linear":
            w = layer.weight.detach().double().numpy()
            b = layer.bias.detach().double().numpy()
            seq = NP_ACTIVATIONS[spec[3]](seq @ w.T + b)
        else:
            raise ValueError(f"no float64 reference for {spec[0]}")
    return torch.from_numpy(seq), finals


NP_ACTIVATIONS = {"identity": lambda v: v, "sigmoid": sigmoid,
                  "relu": lambda v: np.maximum(v, 0.0)}


def gru_torch64(p, prefix, seq, h0, reset_before):
    """The gru_f64 equations with torch ops, so that autograd can run through them."""
    w_ih, w_hh = p[f"{prefix}.weight_ih_l0"], p[f"{prefix}.weight_hh_l0"]
    b_ih, b_hh = p[f"{prefix}.bias_ih_l0"], p[f"{prefix}.bias_hh_l0"]
    wr, wz, wn = w_hh.chunk(3)
    br, bz, bn = b_hh.chunk(3)
    h = h0
    outs = []
    for t in range(seq.shape[0]):
        xr, xz, xn = (w_ih @ seq[t] + b_ih).chunk(3)
        r = torch.sigmoid(xr + wr @ h + br)
        z = torch.sigmoid(xz + wz @ h + bz)
        if reset_before:
            n = torch.tanh(xn + wn @ (r * h) + bn)
        else:
            n = torch.tanh(xn + r * (wn @ h + bn))
        h = (1.0 - z) * n + z * h
        outs.append(h)
    return torch.stack(outs), h


def f64_grads(name, model, specs, x, output_grad, reset_before):
    """float64 autograd through GRU (either form) and Linear layers.

    The parameters, input and zero initial state are float64 leaves made from
    the float32 values. Returns (output, finals, grads), all float64.
    """
    params = {key: v.detach().double().requires_grad_(True)
              for key, v in model.named_parameters()}
    x_leaf = x.double().requires_grad_(True)
    init = zero_initial_state(specs, torch.float64)
    seq, finals, k = x_leaf, {}, 0
    for i, spec in enumerate(specs):
        if spec[0] in ("GRU", "GRU_RB"):
            seq, h = gru_torch64(params, f"layers.{i}", seq, init[f"initial_hidden_{k}"],
                                 reset_before)
            finals[f"final_hidden_{k}"] = h
            k += 1
        elif spec[0] == "Linear":
            w, b = params[f"layers.{i}.weight"], params[f"layers.{i}.bias"]
            seq = ACTIVATIONS[spec[3]](seq @ w.T + b)
        else:
            raise ValueError(f"no float64 autograd path for {spec[0]}")
    leaves = dict(params)
    leaves.update(init, input=x_leaf)
    grads = autograd_grads(seq, output_grad.double(), leaves)
    check_keys(name, grads, model)
    return seq.detach(), {key: v.detach() for key, v in finals.items()}, grads


def max_rel_diff(grads, reference):
    """Worst over tensors of max|a - b| / max|b| (b the reference)."""
    worst, where = 0.0, None
    for key, ref in reference.items():
        rel = max_abs_diff(grads[key], ref) / max(ref.abs().max().item(), 1e-30)
        if rel > worst:
            worst, where = rel, key
    return worst, where


def max_abs_diff(a, b):
    return (a.double() - b.double()).abs().max().item()


def make_stack_fixture(name, seed, steps, specs):
    model = build_model(seed, specs)
    x = make_input(seed, steps, specs[0][1])
    with torch.no_grad():
        output, finals = run_torch(model, specs, x)
    if any(s[0] == "GRU_RB" for s in specs):
        after, after_finals = run_f64(model, specs, x, reset_before=False)
        before, before_finals = run_f64(model, specs, x, reset_before=True)
        # Validate the hand-written GRU against PyTorch (reset-after form) ...
        err = max(max_abs_diff(after, output),
                  *(max_abs_diff(after_finals[key], finals[key]) for key in finals))
        assert err < 1e-5, f"{name}: float64 reset-after GRU differs from nn.GRU by {err}"
        # ... and make sure the fixture really distinguishes the two forms.
        gap = max_abs_diff(before, after)
        assert gap > 1e-3, f"{name}: reset-before and reset-after differ only by {gap}"
        print(f"  {name}: reset-after vs nn.GRU {err:.2e}, reset-before vs after {gap:.3f}")
        output = before.float()
        finals = {key: v.float() for key, v in before_finals.items()}
    save_fixture(name, model, x, output, finals)

    output_grad = make_output_grad(seed, steps, output.shape[1])
    if any(s[0] == "GRU_RB" for s in specs):
        out64, finals64, grads = f64_grads(name, model, specs, x, output_grad,
                                           reset_before=True)
        err = max(max_abs_diff(out64, output),
                  *(max_abs_diff(finals64[key], finals[key]) for key in finals))
        assert err <= 1e-6, f"{name}: float64 torch reset-before GRU differs by {err}"
        err_np = max_abs_diff(out64, before)
        print(f"  {name}: float64 torch forward vs stored output {err:.2e}"
              f" (vs numpy float64 {err_np:.1e})")
    else:
        grads, err = torch_grads(name, model, specs, x, output, finals, output_grad)
        print(f"  {name}: forward with explicit initial state vs stored output {err:.1e}")
        if name == GRAD_SELF_CHECK:
            # Validate the float64 autograd path against nn.GRU (reset-after form).
            out64, _, grads64 = f64_grads(name, model, specs, x, output_grad,
                                          reset_before=False)
            fwd = max_abs_diff(out64, output)
            rel, where = max_rel_diff(grads64, grads)
            assert fwd < 1e-5, f"{name}: float64 torch reset-after GRU differs by {fwd}"
            assert rel <= 1e-4, f"{name}: float64 autograd vs nn.GRU grads: {rel} at {where}"
            print(f"  {name}: float64 reset-after autograd vs nn.GRU: forward {fwd:.2e},"
                  f" grads max rel {rel:.2e} ({where})")
    save_grads(name, output_grad, grads)


# --------------------------------------------------------------------------
# lstm_multi: two-layer nn.LSTM plus Linear head, not a ModuleList
# --------------------------------------------------------------------------

class LstmMulti(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 24, num_layers=2)
        self.fc = nn.Linear(24, 1)


def make_lstm_multi(steps=50):
    torch.manual_seed(LSTM_MULTI_SEED)
    model = LstmMulti()
    with torch.no_grad():
        for p in model.lstm.parameters():
            p.mul_(SCALE)
        x = make_input(LSTM_MULTI_SEED, steps, 4)
        out, (h_n, c_n) = model.lstm(x.unsqueeze(1))
        output = model.fc(out.squeeze(1))
    finals = {}
    for k in range(2):
        finals[f"final_hidden_{k}"] = h_n[k, 0]
        finals[f"final_cell_{k}"] = c_n[k, 0]
    save_fixture("lstm_multi", model, x, output, finals)

    output_grad = make_output_grad(LSTM_MULTI_SEED, steps, output.shape[1])
    x_leaf = x.clone().requires_grad_(True)
    h0 = torch.zeros(2, 1, 24, requires_grad=True)
    c0 = torch.zeros(2, 1, 24, requires_grad=True)
    out, (h_n, c_n) = model.lstm(x_leaf.unsqueeze(1), (h0, c0))
    out = model.fc(out.squeeze(1))
    err = max(max_abs_diff(out.detach(), output),
              *(max_abs_diff(v.detach()[k, 0], finals[f"final_{kind}_{k}"])
                for k in range(2) for kind, v in (("hidden", h_n), ("cell", c_n))))
    assert err <= 1e-7, f"lstm_multi: forward with explicit initial state differs by {err}"
    print(f"  lstm_multi: forward with explicit initial state vs stored output {err:.1e}")
    leaves = dict(model.named_parameters())
    leaves.update(input=x_leaf, h0=h0, c0=c0)
    grads = autograd_grads(out, output_grad, leaves)
    g_h0, g_c0 = grads.pop("h0"), grads.pop("c0")
    for k in range(2):
        grads[f"initial_hidden_{k}"] = g_h0[k, 0]
        grads[f"initial_cell_{k}"] = g_c0[k, 0]
    check_keys("lstm_multi", grads, model)
    save_grads("lstm_multi", output_grad, grads)


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    print(f"torch {torch.__version__}, numpy {np.__version__}")
    for name, seed, steps, specs in FIXTURES:
        make_stack_fixture(name, seed, steps, specs)
    make_lstm_multi()
    print(f"wrote {len(FIXTURES) + 1} fixtures (weights, io, grads) to {OUT_DIR}")


if __name__ == "__main__":
    main()
