"""Generate the ONNX import fixtures for the FixedRnn tests (OnnxImportTests).

Writes, next to itself:

* NAME.onnx + NAME.io.safetensors for every parity fixture: the model, its
  input ``input`` [T, I] and the expected ``output`` [T, O] (batch 1, zero
  initial state, float32).
  - lstm_4_12, gru_3_10, rnn_relu_5_9, stack_lstm_gru: PyTorch modules
    exported with torch.onnx.export (opset 14); ``output`` is PyTorch's own
    forward.
  - gru_rb_3_7 (GRU with linear_before_reset=0 and a Gemm head with
    transB=0) and rnn_tanh_f64_2_5 (an all-DOUBLE RNN without B, weights in
    double_data): built with onnx.helper, as PyTorch has neither; ``output``
    is computed in float64 numpy with ONNX's equations.
* invalid_*.onnx: small models built with onnx.helper that the importer must
  reject (bidirectional, clip, peepholes, HardSigmoid activations,
  input_forget, layout, Gemm alpha).

For every model the script also evaluates ONNX's equations in float64 numpy
from the graph's own tensors (the same nodes the importer reads) and asserts
that they agree with the expected output to 1e-5, so the fixtures check
themselves. Every model passes onnx.checker.check_model.

Requires Debian's python3-torch, python3-numpy and python3-onnx (system
interpreter). Re-run from the repository root with:

    /usr/bin/python3 tests/FixedRnn.Tests/Fixtures/onnx/make_onnx_fixtures.py

The output is deterministic: re-running reproduces byte-identical files.
"""

import io
import json
import os
import struct

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
T = 20
OPSET = 14
TOLERANCE = 1e-5


# --------------------------------------------------------------------------
# safetensors writer (as in ../make_fixtures.py)
# --------------------------------------------------------------------------

def write_safetensors(path, tensors, metadata):
    """Write float32 tensors in sorted-name order with a space-padded header."""
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


def save_model(name, model):
    onnx.checker.check_model(model)
    with open(os.path.join(OUT_DIR, f"{name}.onnx"), "wb") as f:
        f.write(model.SerializeToString())


def save_io(name, x, output):
    meta = {"format": "onnx", "fixture": name, "generator": "make_onnx_fixtures.py"}
    write_safetensors(os.path.join(OUT_DIR, f"{name}.io.safetensors"),
                      {"input": x, "output": output}, meta)


# --------------------------------------------------------------------------
# Float64 reference: ONNX's LSTM/GRU/RNN equations on the graph's own tensors
# --------------------------------------------------------------------------

def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


ACTIVATIONS = {"Tanh": np.tanh, "Relu": lambda v: np.maximum(v, 0.0)}


def attributes(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def reference_forward(model, x):
    """Run the recurrent nodes and the Dense head of `model` on x [T, I] in float64.

    Follows the nodes the importer maps (recurrent nodes in file order, then a
    Gemm or MatMul + Add) rather than the whole graph, and asserts the
    attributes it assumes.
    """
    graph = model.graph
    consts = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            value = attributes(node).get("value")
            if value is not None:
                consts[node.output[0]] = numpy_helper.to_array(value).astype(np.float64)

    h_seq = np.asarray(x, dtype=np.float64)
    for index, node in enumerate(graph.node):
        attrs = attributes(node)
        if node.op_type in ("LSTM", "GRU", "RNN"):
            assert attrs.get("direction", b"forward") == b"forward"
            w = consts[node.input[1]][0]
            r = consts[node.input[2]][0]
            hidden = r.shape[1]
            gates = w.shape[0] // hidden
            if len(node.input) > 3 and node.input[3]:
                b = consts[node.input[3]][0]
            else:
                b = np.zeros(2 * gates * hidden)
            wb, rb = b[:gates * hidden], b[gates * hidden:]
            h = np.zeros(hidden)
            c = np.zeros(hidden)
            outputs = []
            for xt in h_seq:
                if node.op_type == "LSTM":
                    pre = w @ xt + r @ h + wb + rb
                    i, o, f, g = np.split(pre, 4)  # ONNX order i, o, f, c
                    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
                    h = sigmoid(o) * np.tanh(c)
                elif node.op_type == "GRU":
                    wz, wr, wh = np.split(w, 3)
                    rz, rr, rh = np.split(r, 3)
                    wbz, wbr, wbh = np.split(wb, 3)
                    rbz, rbr, rbh = np.split(rb, 3)
                    z = sigmoid(wz @ xt + rz @ h + wbz + rbz)
                    rt = sigmoid(wr @ xt + rr @ h + wbr + rbr)
                    if attrs.get("linear_before_reset", 0):
                        n = np.tanh(wh @ xt + rt * (rh @ h + rbh) + wbh)
                    else:
                        n = np.tanh(wh @ xt + rh @ (rt * h) + rbh + wbh)
                    h = (1.0 - z) * n + z * h
                else:
                    act = ACTIVATIONS[attrs.get("activations", [b"Tanh"])[0].decode()]
                    h = act(w @ xt + r @ h + wb + rb)
                outputs.append(h)
            h_seq = np.stack(outputs)
        elif node.op_type == "Gemm":
            assert attrs.get("alpha", 1.0) == 1.0 and attrs.get("beta", 1.0) == 1.0
            weight = consts[node.input[1]]
            weight = weight.T if attrs.get("transB", 0) else weight
            bias = consts[node.input[2]] if len(node.input) > 2 and node.input[2] else 0.0
            h_seq = h_seq @ weight + bias
        elif node.op_type == "MatMul" and node.input[1] in consts:
            h_seq = h_seq @ consts[node.input[1]]
            for later in graph.node[index + 1:]:
                if later.op_type == "Add" and node.output[0] in later.input:
                    other = [name for name in later.input if name != node.output[0]][0]
                    h_seq = h_seq + consts[other]
                    break
    return h_seq


def check_reference(name, model, x, expected):
    reference = reference_forward(model, x)
    error = float(np.max(np.abs(reference - np.asarray(expected, dtype=np.float64))))
    assert error <= TOLERANCE, f"{name}: ONNX-equation reference differs from expected by {error}"
    print(f"{name}: reference vs expected max abs error {error:.2e}")


# --------------------------------------------------------------------------
# PyTorch models exported with torch.onnx.export
# --------------------------------------------------------------------------

class Stack(nn.Module):
    """nn.ModuleList `layers` of single-layer recurrent modules and an optional Linear head.

    `squeeze_head`: apply the Linear to y[:, 0, :] (2-D, exported as Gemm)
    rather than to the 3-D y (exported as MatMul + Add).
    """

    def __init__(self, layers, squeeze_head=False):
        super().__init__()
        self.layers = nn.ModuleList(layers)
        self.squeeze_head = squeeze_head

    def forward(self, x):  # x [T, 1, I]
        for layer in self.layers:
            if isinstance(layer, nn.Linear):
                x = layer(x[:, 0, :] if self.squeeze_head else x)
            else:
                x, _ = layer(x)
        return x


TORCH_FIXTURES = [
    # name, seed, layers, squeeze_head
    ("lstm_4_12", 101, lambda: [nn.LSTM(4, 12), nn.Linear(12, 2)], False),
    ("gru_3_10", 102, lambda: [nn.GRU(3, 10), nn.Linear(10, 1)], True),
    ("rnn_relu_5_9", 103, lambda: [nn.RNN(5, 9, nonlinearity="relu")], False),
    ("stack_lstm_gru", 104, lambda: [nn.LSTM(4, 8), nn.GRU(8, 6), nn.Linear(6, 3)], False),
]


def make_torch_fixture(name, seed, layers, squeeze_head):
    torch.manual_seed(seed)
    model = Stack(layers(), squeeze_head).eval()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.mul_(1.5)  # a little beyond PyTorch's init range, to exercise saturation
    x = torch.randn(T, 1, model.layers[0].input_size)
    with torch.no_grad():
        output = model(x).reshape(T, -1)

    buffer = io.BytesIO()
    torch.onnx.export(model, x, buffer, opset_version=OPSET,
                      input_names=["input"], output_names=["output"])
    onnx_model = onnx.load_from_string(buffer.getvalue())
    save_model(name, onnx_model)
    save_io(name, x[:, 0, :].numpy(), output.numpy())
    check_reference(name, onnx_model, x[:, 0, :].numpy(), output.numpy())


# --------------------------------------------------------------------------
# Models built with onnx.helper
# --------------------------------------------------------------------------

def uniform(rng, shape, hidden, dtype=np.float32):
    bound = 1.5 / np.sqrt(hidden)
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


def make_model(name, nodes, initializers, inputs, outputs):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=initializers)
    model = helper.make_model(graph, producer_name="make_onnx_fixtures.py",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 7
    return model


def make_gru_reset_before():
    """GRU 3 -> 7, linear_before_reset = 0, then Squeeze and Gemm(transB = 0) 7 -> 2."""
    name, inputs, hidden, outputs = "gru_rb_3_7", 3, 7, 2
    rng = np.random.default_rng(105)
    w = uniform(rng, (1, 3 * hidden, inputs), hidden)
    r = uniform(rng, (1, 3 * hidden, hidden), hidden)
    b = uniform(rng, (1, 6 * hidden), hidden)
    head_w = uniform(rng, (hidden, outputs), hidden)  # [I, O]: transB = 0
    head_b = uniform(rng, (outputs,), hidden)
    nodes = [
        helper.make_node("GRU", ["input", "W", "R", "B"], ["Y", ""], name="gru",
                         hidden_size=hidden, linear_before_reset=0),
        helper.make_node("Squeeze", ["Y", "axes"], ["h"], name="squeeze"),
        helper.make_node("Gemm", ["h", "head_W", "head_b"], ["output"], name="head", transB=0),
    ]
    initializers = [
        numpy_helper.from_array(w, "W"), numpy_helper.from_array(r, "R"),
        numpy_helper.from_array(b, "B"),
        numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "axes"),
        numpy_helper.from_array(head_w, "head_W"), numpy_helper.from_array(head_b, "head_b"),
    ]
    model = make_model(name, nodes, initializers,
                       [helper.make_tensor_value_info("input", TensorProto.FLOAT, [T, 1, inputs])],
                       [helper.make_tensor_value_info("output", TensorProto.FLOAT, [T, outputs])])
    x = rng.standard_normal((T, inputs)).astype(np.float32)
    expected = reference_forward(model, x)
    save_model(name, model)
    save_io(name, x, expected)
    check_reference(name, model, x, expected.astype(np.float32))


def make_rnn_double_without_bias():
    """RNN 2 -> 5 (Tanh), all DOUBLE, weights in double_data, no B input."""
    name, inputs, hidden = "rnn_tanh_f64_2_5", 2, 5
    rng = np.random.default_rng(106)
    w = uniform(rng, (1, hidden, inputs), hidden, np.float64)
    r = uniform(rng, (1, hidden, hidden), hidden, np.float64)
    nodes = [helper.make_node("RNN", ["input", "W", "R"], ["Y"], name="rnn",
                              hidden_size=hidden, activations=["Tanh"])]
    initializers = [
        helper.make_tensor("W", TensorProto.DOUBLE, w.shape, w.flatten().tolist()),
        helper.make_tensor("R", TensorProto.DOUBLE, r.shape, r.flatten().tolist()),
    ]
    model = make_model(name, nodes, initializers,
                       [helper.make_tensor_value_info("input", TensorProto.DOUBLE, [T, 1, inputs])],
                       [helper.make_tensor_value_info("Y", TensorProto.DOUBLE, [T, 1, 1, hidden])])
    assert len(model.graph.initializer[0].double_data) == w.size
    x = rng.standard_normal((T, inputs)).astype(np.float32)
    expected = reference_forward(model, x)
    save_model(name, model)
    save_io(name, x, expected)
    check_reference(name, model, x, expected.astype(np.float32))


def make_invalid(name, op, attrs, inputs=2, hidden=3, directions=1, peepholes=False, gemm_attrs=None):
    """A small model the importer must reject because of `attrs` (or peepholes, or the Gemm)."""
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[op]
    rng = np.random.default_rng(200 + sum(map(ord, name)))
    tensors = {
        "W": uniform(rng, (directions, gates * hidden, inputs), hidden),
        "R": uniform(rng, (directions, gates * hidden, hidden), hidden),
        "B": uniform(rng, (directions, 2 * gates * hidden), hidden),
    }
    node_inputs = ["input", "W", "R", "B"]
    if peepholes:
        tensors["P"] = uniform(rng, (directions, 3 * hidden), hidden)
        node_inputs += ["", "", "", "P"]
    nodes = [helper.make_node(op, node_inputs, ["Y"], name=name.replace("invalid_", ""),
                              hidden_size=hidden, **attrs)]
    output = helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["t", "directions", "batch", "hidden"])
    if gemm_attrs is not None:
        tensors["axes"] = np.array([1, 2], dtype=np.int64)
        tensors["head_W"] = uniform(rng, (1, hidden), hidden)
        tensors["head_b"] = uniform(rng, (1,), hidden)
        nodes += [helper.make_node("Squeeze", ["Y", "axes"], ["h"], name="squeeze"),
                  helper.make_node("Gemm", ["h", "head_W", "head_b"], ["output"], name="head",
                                   transB=1, **gemm_attrs)]
        output = helper.make_tensor_value_info("output", TensorProto.FLOAT, [T, 1])
    initializers = [numpy_helper.from_array(value, key) for key, value in tensors.items()]
    model = make_model(name, nodes, initializers,
                       [helper.make_tensor_value_info("input", TensorProto.FLOAT, [T, 1, inputs])],
                       [output])
    save_model(name, model)


def make_invalid_fixtures():
    make_invalid("invalid_bidirectional", "LSTM", {"direction": "bidirectional"}, directions=2)
    make_invalid("invalid_clip", "GRU", {"clip": 5.0, "linear_before_reset": 1})
    make_invalid("invalid_peepholes", "LSTM", {}, peepholes=True)
    make_invalid("invalid_hardsigmoid", "GRU",
                 {"activations": ["HardSigmoid", "Tanh"], "linear_before_reset": 1})
    make_invalid("invalid_input_forget", "LSTM", {"input_forget": 1})
    make_invalid("invalid_layout", "RNN", {"layout": 1})
    make_invalid("invalid_gemm_alpha", "GRU", {"linear_before_reset": 1}, gemm_attrs={"alpha": 0.5})


class Between(nn.Module):
    """Exports the graphs the importer must refuse because they compute more than its layers:
    `relu`: LSTM(4, 12) -> ReLU -> Linear(12, 2); `residual`: LSTM(4, 12) -> LSTM(12, 12) + skip -> Linear(12, 2)."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        self.first = nn.LSTM(4, 12)
        self.second = nn.LSTM(12, 12)
        self.head = nn.Linear(12, 2)

    def forward(self, x):
        y, _ = self.first(x)
        if self.kind == "relu":
            y = torch.relu(y)
        else:
            z, _ = self.second(y)
            y = y + z
        return self.head(y)


class Ending(nn.Module):
    """`sigmoid`: LSTM(3, 8) -> Linear(8, 2) -> Sigmoid; `last`: LSTM(3, 8) -> y[-1] -> Linear(8, 2)."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        self.rnn = nn.LSTM(3, 8)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        y, _ = self.rnn(x)
        if self.kind == "last":
            return self.head(y[-1])
        return torch.sigmoid(self.head(y))


def export(name, model, x):
    buffer = io.BytesIO()
    torch.onnx.export(model, x, buffer, opset_version=OPSET,
                      input_names=["input"], output_names=["output"])
    onnx_model = onnx.load_from_string(buffer.getvalue())
    save_model(name, onnx_model)
    return onnx_model


def make_graph_fixtures():
    """The issue's two silently-wrong graphs (refused), an activation after the head and a last-step output (loaded)."""
    for seed, kind in ((107, "relu"), (108, "residual")):
        torch.manual_seed(seed)
        model = Between(kind).eval()
        export(f"invalid_lstm_{kind}", model, torch.randn(T, 1, 4))

    for seed, kind in ((109, "sigmoid"), (110, "last")):
        torch.manual_seed(seed)
        model = Ending(kind).eval()
        x = torch.randn(T, 1, 3)
        with torch.no_grad():
            output = model(x).reshape(-1, 2)
        name = f"lstm_head_{kind}"
        export(name, model, x)
        save_io(name, x[:, 0, :].numpy(), output.numpy())


def main():
    for name, seed, layers, squeeze_head in TORCH_FIXTURES:
        make_torch_fixture(name, seed, layers, squeeze_head)
    make_graph_fixtures()
    make_gru_reset_before()
    make_rnn_double_without_bias()
    make_invalid_fixtures()


if __name__ == "__main__":
    main()
