#!/usr/bin/env python3
"""Writes the ONNX Runtime peer models of the batched benchmark (see benchmarks/README.md).

For each (kind, input, hidden): a seeded nn.LSTM / nn.GRU, its state_dict as {kind}_{in}_{hidden}.pt (layer 0 under
`layers.0.`, which the generated LoadPyTorch reads) and one step of it as {kind}_{in}_{hidden}.onnx: inputs x [1, B, In],
h0 [1, B, H] (and c0), outputs h [1, B, H] (and c), batch dynamic, opset 14. Run with Debian's interpreter:
    /usr/bin/python3 benchmarks/FixedRnn.Benchmarks/Peers/OnnxModels/make_onnx_peers.py
"""
import os
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = [("lstm", 1, 16), ("lstm", 8, 32), ("lstm", 1, 32), ("lstm", 1, 64), ("lstm", 16, 64), ("lstm", 32, 128),
         ("lstm", 64, 256),
         ("gru", 1, 16), ("gru", 8, 32), ("gru", 1, 32), ("gru", 1, 64), ("gru", 16, 64), ("gru", 32, 128),
         ("gru", 64, 256)]


class OneStep(torch.nn.Module):
    def __init__(self, kind, inputs, hidden):
        super().__init__()
        cell = torch.nn.LSTM if kind == "lstm" else torch.nn.GRU
        self.layers = torch.nn.ModuleList([cell(inputs, hidden)])
        self.kind = kind

    def forward(self, x, h0, c0=None):
        if self.kind == "lstm":
            _, (h, c) = self.layers[0](x, (h0, c0))
            return h, c
        _, h = self.layers[0](x, h0)
        return h


def main():
    for index, (kind, inputs, hidden) in enumerate(SIZES):
        torch.manual_seed(1000 + index)
        model = OneStep(kind, inputs, hidden).eval()
        name = f"{kind}_{inputs}_{hidden}"
        torch.save(model.state_dict(), os.path.join(HERE, name + ".pt"))
        x = torch.zeros(1, 2, inputs)
        h0 = torch.zeros(1, 2, hidden)
        args = (x, h0, torch.zeros(1, 2, hidden)) if kind == "lstm" else (x, h0)
        names = ["x", "h0", "c0"] if kind == "lstm" else ["x", "h0"]
        outputs = ["h", "c"] if kind == "lstm" else ["h"]
        axes = {n: {1: "batch"} for n in names + outputs}
        torch.onnx.export(model, args, os.path.join(HERE, name + ".onnx"), input_names=names, output_names=outputs,
                          dynamic_axes=axes, opset_version=14)
        print("wrote", name)


if __name__ == "__main__":
    main()
