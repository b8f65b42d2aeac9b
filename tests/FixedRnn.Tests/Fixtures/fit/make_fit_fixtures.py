#!/usr/bin/python3
"""PyTorch's figures for the Keras-fit fixtures (see README.md): the same example, weights and batches.

make_fit_fixtures.mjs (tfjs) writes fit_NAME.safetensors with the series, the initial weights in PyTorch's
layout and tfjs' epoch losses. This script loads those weights into nn.RNN / nn.LSTM / nn.GRU (batch_first)
and nn.Linear, trains them the way Keras' fit does with shuffle=False, and adds to the file:
  * torch.loss, torch.val_loss: the model with one bias per gate, as Keras' SimpleRNN and LSTM and FixedRnn's
    kernels hold it: bias_hh is folded into bias_ih and frozen at zero (for the GRU only its r and z rows; the
    n row, inside r * (W_hn h + b_hn), stays a parameter of its own in FixedRnn too). PyTorch's modules train
    two copies of each of those biases, and Adam moves each copy by about the learning rate, so their sum
    would move twice as far per step;
  * for the GRU also torch.two_biases.loss and .val_loss: PyTorch's own two-bias GRU, which is Keras' GRU
    (reset_after=True keeps an input and a recurrent bias for every gate), to compare with tfjs.
How they train:
  * windows of 10 steps -> the next value; the last floor(N * (1 - 0.2)) windows train, the rest validate;
  * batches of 32 in order (the last one smaller), the loss on the last step's output, nn.MSELoss (the mean
    over the batch), one torch.optim.Adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-7) step per batch (Keras' epsilon);
  * the epoch loss is the mean of the batch losses weighted by batch size, as Keras reports it; the
    validation loss is evaluated in batches of 32 and averaged the same way.
One thread, float32. Run with Debian's PyTorch, after the .mjs:  /usr/bin/python3 make_fit_fixtures.py
"""

import json
import math
import os
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
WINDOW = 10
BATCH = 32
EPOCHS = 5
VALIDATION_SPLIT = 0.2
MODELS = [("fit_simple_rnn", torch.nn.RNN), ("fit_lstm", torch.nn.LSTM), ("fit_gru", torch.nn.GRU)]


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(body[begin:end], dtype="<f4").reshape(info["shape"]).copy()
    return tensors


def write_safetensors(path, tensors):
    header = {}
    offset = 0
    for name, array in tensors.items():
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + array.size * 4]}
        offset += array.size * 4
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for array in tensors.values():
            f.write(np.ascontiguousarray(array, dtype="<f4").tobytes())


class Forecaster(torch.nn.Module):
    def __init__(self, recurrent):
        super().__init__()
        self.layers = torch.nn.ModuleList([recurrent(1, 50, batch_first=True), torch.nn.Linear(50, 1)])

    def forward(self, x):  # x: [B, 10, 1] -> [B, 1], from the last step only (return_sequences=False)
        h, _ = self.layers[0](x)
        return self.layers[1](h[:, -1])


def fold_biases(model, gru):
    """One bias per gate where FixedRnn (and Keras, for SimpleRNN and LSTM) has one: b_ih += b_hh, b_hh frozen at 0."""
    recurrent = model.layers[0]
    hidden = recurrent.hidden_size
    folded = slice(0, 2 * hidden) if gru else slice(0, recurrent.bias_hh_l0.shape[0])
    with torch.no_grad():
        recurrent.bias_ih_l0[folded] += recurrent.bias_hh_l0[folded]
        recurrent.bias_hh_l0[folded] = 0
    if gru:
        mask = torch.ones_like(recurrent.bias_hh_l0)
        mask[folded] = 0
        recurrent.bias_hh_l0.register_hook(lambda gradient: gradient * mask)
    else:
        recurrent.bias_hh_l0.requires_grad_(False)


def fit(model, x, y):
    count = x.shape[0]
    split = int(math.floor(count * (1.0 - VALIDATION_SPLIT)))  # Keras' train_validation_split
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_function = torch.nn.MSELoss()
    losses, val_losses = [], []
    for _ in range(EPOCHS):
        total = 0.0
        for start in range(0, split, BATCH):
            xb, yb = x[start:min(start + BATCH, split)], y[start:min(start + BATCH, split)]
            optimizer.zero_grad()
            loss = loss_function(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * xb.shape[0]
        losses.append(total / split)
        with torch.no_grad():
            total = 0.0
            for start in range(split, count, BATCH):
                xb, yb = x[start:min(start + BATCH, count)], y[start:min(start + BATCH, count)]
                total += loss_function(model(xb), yb).item() * xb.shape[0]
        val_losses.append(total / (count - split))
    return np.array(losses, dtype=np.float32), np.array(val_losses, dtype=np.float32)


def main():
    torch.set_num_threads(1)
    print(f"PyTorch {torch.__version__}")
    for name, recurrent in MODELS:
        path = os.path.join(HERE, f"{name}.safetensors")
        tensors = read_safetensors(path)
        tensors = {k: v for k, v in tensors.items() if not k.startswith("torch.")}
        series = tensors["series"]
        count = series.shape[0] - WINDOW
        x = torch.tensor(np.stack([series[i:i + WINDOW] for i in range(count)])[:, :, None])
        y = torch.tensor(series[WINDOW:WINDOW + count, None])
        state = {k: torch.tensor(v) for k, v in tensors.items() if k.startswith("layers.")}
        gru = recurrent is torch.nn.GRU
        model = Forecaster(recurrent)
        model.load_state_dict(state, strict=True)
        fold_biases(model, gru)
        loss, val_loss = fit(model, x, y)
        tensors["torch.loss"] = loss
        tensors["torch.val_loss"] = val_loss
        line = f"{name}: torch loss {', '.join(f'{v:.8g}' for v in loss)}; val_loss {', '.join(f'{v:.8g}' for v in val_loss)}"
        if gru:
            model = Forecaster(recurrent)
            model.load_state_dict(state, strict=True)
            two_loss, two_val_loss = fit(model, x, y)
            tensors["torch.two_biases.loss"] = two_loss
            tensors["torch.two_biases.val_loss"] = two_val_loss
            line += (f"\n  two biases (Keras' GRU): loss {', '.join(f'{v:.8g}' for v in two_loss)}; largest relative difference "
                     f"from tfjs' loss {relative(two_loss, tensors['tfjs.loss']):.2e}, val_loss {relative(two_val_loss, tensors['tfjs.val_loss']):.2e}; "
                     f"the one-bias form differs from it by {relative(loss, two_loss):.2e}")
        else:
            line += (f"; largest relative difference from tfjs' loss {relative(loss, tensors['tfjs.loss']):.2e}, "
                     f"val_loss {relative(val_loss, tensors['tfjs.val_loss']):.2e}")
        write_safetensors(path, tensors)
        print(line)


def relative(values, reference):
    return float(np.max(np.abs(values.astype(np.float64) - reference) / np.abs(reference)))

if __name__ == "__main__":
    main()
