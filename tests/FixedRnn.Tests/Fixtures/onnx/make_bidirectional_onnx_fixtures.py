"""Generate the ONNX fixtures of bidirectional layers for the FixedRnn tests (OnnxImportTests).

Writes, next to itself:

* NAME.onnx + NAME.io.safetensors: PyTorch modules built with
  bidirectional=True, exported with torch.onnx.export (opset 14), which writes
  each as a node of direction = "bidirectional" whose Y [T, 2, B, H] goes
  through Transpose(perm = [0, 2, 1, 3]) and Reshape([0, 0, -1]) to
  [T, B, 2H]. `output` is PyTorch's float32 forward, checked against the
  float64 forward of the same modules to 1e-5.
  - bilstm_4_10: nn.LSTM(4, 10, bidirectional) and nn.Linear(20, 2) on the 3-D output.
  - bigru_stack_3_6_5: nn.GRU(3, 6, bidirectional), nn.GRU(12, 5, bidirectional), no head.
  - birnn_5_7: nn.RNN(5, 7, bidirectional) and nn.Linear(14, 1).
* invalid_reverse.onnx: an LSTM node of direction = "reverse" (built with
  onnx.helper), which the importer must refuse.
* invalid_bidirectional_unmerged.onnx: a bidirectional LSTM 2 -> 3 whose Y
  [T, 2, B, 3] a MatMul reads directly (no Transpose/Reshape concatenating the
  directions), which the importer must refuse.

Requires Debian's python3-torch, python3-numpy and python3-onnx. Re-run from the
repository root with:

    /usr/bin/python3 tests/FixedRnn.Tests/Fixtures/onnx/make_bidirectional_onnx_fixtures.py
"""

import io
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import make_onnx_fixtures as mo  # noqa: E402

GENERATOR = "make_bidirectional_onnx_fixtures.py"

FIXTURES = [
    ("bilstm_4_10", 151, lambda: [nn.LSTM(4, 10, bidirectional=True), nn.Linear(20, 2)]),
    ("bigru_stack_3_6_5", 152, lambda: [nn.GRU(3, 6, bidirectional=True), nn.GRU(12, 5, bidirectional=True)]),
    ("birnn_5_7", 153, lambda: [nn.RNN(5, 7, bidirectional=True), nn.Linear(14, 1)]),
]


def build(seed, layers):
    torch.manual_seed(seed)
    model = mo.Stack(layers()).eval()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.mul_(1.5)  # as make_onnx_fixtures.py: a little beyond PyTorch's init range
    return model


def make_fixture(name, seed, layers):
    model = build(seed, layers)
    x = torch.randn(mo.T, 1, model.layers[0].input_size)
    with torch.no_grad():
        output = model(x).reshape(mo.T, -1)
        output64 = build(seed, layers).double()(x.double()).reshape(mo.T, -1)
    diff = (output.double() - output64).abs().max().item()
    assert diff < mo.TOLERANCE, f"{name}: float32 and float64 forward differ by {diff}"

    buffer = io.BytesIO()
    torch.onnx.export(model, x, buffer, opset_version=mo.OPSET, input_names=["input"], output_names=["output"])
    onnx_model = onnx.load_from_string(buffer.getvalue())
    ops = [node.op_type for node in onnx_model.graph.node]
    assert any(node.op_type in ("LSTM", "GRU", "RNN") and any(a.name == "direction" and a.s == b"bidirectional" for a in node.attribute)
               for node in onnx_model.graph.node), f"{name}: no bidirectional node in {ops}"
    mo.save_model(name, onnx_model)
    meta = {"format": "onnx", "fixture": name, "generator": GENERATOR}
    mo.write_safetensors(os.path.join(HERE, f"{name}.io.safetensors"), {"input": x[:, 0, :].numpy(), "output": output.numpy()}, meta)
    print(f"{name}: {' '.join(ops)}; float32 vs float64 {diff:.1e}")


def make_unmerged():
    rng = np.random.default_rng(154)
    hidden, inputs = 3, 2
    tensors = {
        "W": mo.uniform(rng, (2, 4 * hidden, inputs), hidden),
        "R": mo.uniform(rng, (2, 4 * hidden, hidden), hidden),
        "head_W": mo.uniform(rng, (hidden, 1), hidden),
    }
    nodes = [
        helper.make_node("LSTM", ["input", "W", "R"], ["Y"], name="unmerged", hidden_size=hidden, direction="bidirectional"),
        helper.make_node("MatMul", ["Y", "head_W"], ["output"], name="head"),
    ]
    model = mo.make_model("invalid_bidirectional_unmerged", nodes,
                          [numpy_helper.from_array(value, key) for key, value in tensors.items()],
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, [mo.T, 1, inputs])],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT, [mo.T, 2, 1, 1])])
    mo.save_model("invalid_bidirectional_unmerged", model)


def main():
    torch.set_num_threads(1)
    mo.OUT_DIR = HERE
    for fixture in FIXTURES:
        make_fixture(*fixture)
    mo.make_invalid("invalid_reverse", "LSTM", {"direction": "reverse"})
    make_unmerged()
    print("invalid_reverse, invalid_bidirectional_unmerged: written")


if __name__ == "__main__":
    main()
