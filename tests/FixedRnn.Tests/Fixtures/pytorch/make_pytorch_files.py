"""Generate the torch.save fixtures for the FixedRnn tests (PyTorchFileTests).

Writes, next to itself, files as PyTorch users save them:

* net_lstm2_head.pt -- torch.save(net.state_dict()) of the module
      self.rnn = nn.LSTM(4, 24, num_layers=2); self.head = nn.Linear(24, 1)
  (the zip format torch.save has written since PyTorch 1.6), with
  net_lstm2_head.io.safetensors: ``input`` [T, 4] and PyTorch's ``output``
  [T, 1] (batch 1, zero initial state).
* checkpoint.pt -- torch.save({"encoder": gru.state_dict(), "head":
  linear.state_dict(), "epoch": 7, "loss": 0.25, "optimizer":
  adam.state_dict()}) after one Adam step: nested dicts of tensors, numbers and
  optimizer state, with checkpoint.io.safetensors (input [T, 3], output [T, 2]).
* dtypes_views.pt -- a dict of tensors in float64, float16 and bfloat16 and a
  non-contiguous (transposed) view, with dtypes_views.expected.safetensors
  holding each tensor's values as float32 (exact for these dtypes).
* legacy.pt -- the same state_dict as net_lstm2_head.pt, saved with
  _use_new_zipfile_serialization=False (the format before PyTorch 1.6).
* whole_module.pt -- torch.save(net) of the whole module (a pickle of the
  class __main__.Net), which a weights-only reader must refuse.
* torchscript.pt -- torch.jit.save(torch.jit.script(net)).

Requires Debian's python3-torch and python3-numpy (system interpreter):

    /usr/bin/python3 tests/FixedRnn.Tests/Fixtures/pytorch/make_pytorch_files.py

torch.save's zip archive is deterministic for the same tensors (its entries
carry no timestamps), so re-running reproduces net_lstm2_head.pt,
checkpoint.pt and dtypes_views.pt byte for byte; legacy.pt (random storage
keys) and torchscript.pt (TorchScript's own records) differ between runs in
bytes the tests do not depend on.
"""

import json
import os
import struct

import numpy as np
import torch
from torch import nn

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
T = 20


def write_safetensors(path, tensors, metadata):
    """Write float32 tensors in sorted-name order with a space-padded header (as ../make_fixtures.py)."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name in sorted(tensors):
        array = np.ascontiguousarray(np.asarray(tensors[name], dtype="<f4"))
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


def meta(name):
    return {"format": "pt", "fixture": name, "generator": "make_pytorch_files.py"}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(4, 24, num_layers=2)
        self.head = nn.Linear(24, 1)

    def forward(self, x):  # x [T, 1, 4]
        y, _ = self.rnn(x)
        return self.head(y)


class Checkpointed(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.GRU(3, 10)
        self.head = nn.Linear(10, 2)

    def forward(self, x):
        y, _ = self.encoder(x)
        return torch.sigmoid(self.head(y))


def save(name, obj, **kwargs):
    torch.save(obj, os.path.join(OUT_DIR, name), **kwargs)


def make_net():
    torch.manual_seed(1201)
    net = Net().eval()
    x = torch.randn(T, 1, 4)
    with torch.no_grad():
        y = net(x)
    save("net_lstm2_head.pt", net.state_dict())
    write_safetensors(os.path.join(OUT_DIR, "net_lstm2_head.io.safetensors"),
                      {"input": x[:, 0, :], "output": y[:, 0, :]}, meta("net_lstm2_head"))
    save("legacy.pt", net.state_dict(), _use_new_zipfile_serialization=False)
    save("whole_module.pt", net)
    torch.jit.save(torch.jit.script(net), os.path.join(OUT_DIR, "torchscript.pt"))


def make_checkpoint():
    torch.manual_seed(1202)
    model = Checkpointed()
    adam = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(T, 1, 3)
    model(x).square().sum().backward()
    adam.step()
    model.eval()
    with torch.no_grad():
        y = model(x)
    save("checkpoint.pt", {"encoder": model.encoder.state_dict(), "head": model.head.state_dict(),
                           "epoch": 7, "loss": 0.25, "optimizer": adam.state_dict()})
    write_safetensors(os.path.join(OUT_DIR, "checkpoint.io.safetensors"),
                      {"input": x[:, 0, :], "output": y[:, 0, :]}, meta("checkpoint"))


def make_dtypes_views():
    torch.manual_seed(1203)
    tensors = {
        "f64": torch.randn(3, 5, dtype=torch.float64),
        "f16": torch.randn(7).half(),
        "bf16": torch.randn(2, 3).bfloat16(),
        "transposed": torch.randn(6, 4).t(),          # a [4, 6] view with strides (1, 4)
        "sliced": torch.randn(5, 8)[1:4, ::2],        # offset 8, strides (8, 2)
        "count": torch.tensor(3, dtype=torch.int64),  # an integer scalar, as num_batches_tracked
    }
    assert not tensors["transposed"].is_contiguous() and not tensors["sliced"].is_contiguous()
    save("dtypes_views.pt", tensors)
    write_safetensors(os.path.join(OUT_DIR, "dtypes_views.expected.safetensors"),
                      {name: t.float() for name, t in tensors.items() if t.is_floating_point()},
                      meta("dtypes_views"))


def main():
    make_net()
    make_checkpoint()
    make_dtypes_views()
    loaded = torch.load(os.path.join(OUT_DIR, "dtypes_views.pt"))
    print({name: (tuple(t.shape), t.stride(), t.dtype) for name, t in loaded.items()})


if __name__ == "__main__":
    main()
