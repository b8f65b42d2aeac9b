"""PyTorch loads FixedRnn's export and reproduces its outputs.

Reads export_stack.fixedrnn.safetensors, which FixedRnn wrote with SavePyTorch (see
ExportToPyTorchTests.cs), into an nn.ModuleList of nn.LSTM(3, 12), nn.GRU(12, 10),
nn.RNN(10, 6, nonlinearity='relu') and nn.Linear(6, 2) with load_state_dict(strict=True), so every
key, shape and dtype must be PyTorch's own. Runs a fixed random input through it and writes
export_stack.torch.safetensors with `input` [40, 3] and PyTorch's `output` [40, 2].

Needs Debian's python3-torch. Run from the repository root:
    /usr/bin/python3 tests/FixedRnn.Tests/Fixtures/check_export.py
"""
import json
import os
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", (name, info["dtype"])
        begin, end = info["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(body[begin:end], dtype="<f4").reshape(info["shape"]).copy())
    return tensors


def write_safetensors(path, tensors):
    header, chunks, offset = {"__metadata__": {"generator": "check_export.py"}}, [], 0
    for name in sorted(tensors):
        raw = tensors[name].detach().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


class Stack(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList([
            torch.nn.LSTM(3, 12),
            torch.nn.GRU(12, 10),
            torch.nn.RNN(10, 6, nonlinearity="relu"),
            torch.nn.Linear(6, 2),
        ])

    def forward(self, x):
        for layer in self.layers[:-1]:
            x, _ = layer(x)
        return self.layers[-1](x)


def main():
    torch.manual_seed(31)
    model = Stack()
    model.load_state_dict(read_safetensors(os.path.join(HERE, "export_stack.fixedrnn.safetensors")), strict=True)
    inputs = torch.randn(40, 3)
    with torch.no_grad():
        outputs = model(inputs.unsqueeze(1)).squeeze(1)
    write_safetensors(os.path.join(HERE, "export_stack.torch.safetensors"), {"input": inputs, "output": outputs})
    print("PyTorch", torch.__version__, "loaded the export strictly; output[0] =", outputs[0].tolist())


if __name__ == "__main__":
    main()
