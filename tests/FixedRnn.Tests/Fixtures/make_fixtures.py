"""Generate PyTorch reference fixtures for the FixedRnn tests.

For every fixture NAME this script writes two safetensors files next to itself:

* NAME.weights.safetensors -- the model's PyTorch ``state_dict()`` (float32,
  key names exactly as PyTorch produces them), with ``__metadata__``
  {"format": "pt", "fixture": NAME, "generator": "make_fixtures.py"}.
* NAME.io.safetensors -- ``input`` [T, I], expected ``output`` [T, O] at every
  time step (batch size 1, zero initial state), ``final_hidden_{k}`` [H_k] for
  each recurrent layer k and, for LSTM layers, ``final_cell_{k}`` [H_k].

The "reset-before" GRU fixtures (gru_rb_*) use ordinary nn.GRU weights but
expected values computed in float64 with the Cho et al. / Keras
reset_after=False / ONNX linear_before_reset=0 equations, which PyTorch itself
does not implement.

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
]
LSTM_MULTI_SEED = 12

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


def save_fixture(name, model, x, output, finals):
    meta = {"format": "pt", "fixture": name, "generator": "make_fixtures.py"}
    write_safetensors(os.path.join(OUT_DIR, f"{name}.weights.safetensors"),
                      model.state_dict(), meta)
    io = {"input": x, "output": output, **finals}
    write_safetensors(os.path.join(OUT_DIR, f"{name}.io.safetensors"), io, meta)


# --------------------------------------------------------------------------
# ModuleList models
# --------------------------------------------------------------------------

class Stack(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)


def make_layer(spec):
    kind, n_in, n_out, *opt = spec
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


def run_torch(model, specs, x):
    """float32 forward pass with PyTorch modules; returns (output, finals)."""
    finals, k = {}, 0
    seq = x
    with torch.no_grad():
        for spec, layer in zip(specs, model.layers):
            kind = spec[0]
            if kind == "Linear":
                seq = ACTIVATIONS[spec[3]](layer(seq))
                continue
            if kind in ("LSTM", "GRU", "GRU_RB", "RNN"):
                out, state = layer(seq.unsqueeze(1))
                seq = out.squeeze(1)
                if kind == "LSTM":
                    h, c = state[0][0, 0], state[1][0, 0]
                else:
                    h, c = state[0, 0], None
            else:  # *Cell: step through time
                h = torch.zeros(1, spec[2])
                c = torch.zeros(1, spec[2])
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


def max_abs_diff(a, b):
    return (a.double() - b.double()).abs().max().item()


def make_stack_fixture(name, seed, steps, specs):
    model = build_model(seed, specs)
    x = make_input(seed, steps, specs[0][1])
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


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    print(f"torch {torch.__version__}, numpy {np.__version__}")
    for name, seed, steps, specs in FIXTURES:
        make_stack_fixture(name, seed, steps, specs)
    make_lstm_multi()
    print(f"wrote {len(FIXTURES) + 1} fixtures to {OUT_DIR}")


if __name__ == "__main__":
    main()
