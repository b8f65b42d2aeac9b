"""Generate PyTorch reference values for the FixedRnn training utilities.

Writes training_references.safetensors next to this script. Every tensor is
little-endian F32; scalars are stored with shape [1] and class labels as
integer-valued floats. Contents (N = 37 parameters, K = 5 steps):

Losses (seed 100), each the mean-reduced loss [1] and the gradient of that loss
with respect to the predictions / logits:

* regression_predictions, regression_targets [6, 7]: randn * 1.5, with exact
  ties at [0, 0] and [0, 1] and differences of exactly +1, -0.5 and -1 at
  [1, 0], [1, 1] and [1, 2] (the Huber kinks for delta 1 and 0.5).
* mse_loss / mse_gradient            F.mse_loss
* mae_loss / mae_gradient            F.l1_loss
* huber_delta_1_loss / _gradient     F.huber_loss(delta=1.0)
* huber_delta_0_5_loss / _gradient   F.huber_loss(delta=0.5)
* cross_entropy_logits [9, 6] (randn * 3; row 0 shifted by +100 so a naive
  exp overflows, row 1 constant), cross_entropy_labels [9],
  cross_entropy_loss / cross_entropy_gradient    F.cross_entropy
* cross_entropy_wide_logits [3, 300], cross_entropy_wide_labels [3],
  cross_entropy_wide_loss / cross_entropy_wide_gradient (more classes than
  FixedRnn's 256-element stack scratch).

Optimizers (seed 200): optimizer_initial [N] and optimizer_gradients [K, N]
(randn; column 0 is all zero, so Adam's epsilon alone sets the denominator
there). For each configuration NAME below, NAME_trajectory [K, N] holds the
parameters after each of the K steps, from torch.optim:

    sgd                    SGD(lr=0.1)
    sgd_momentum           SGD(lr=0.05, momentum=0.9)
    sgd_nesterov           SGD(lr=0.05, momentum=0.9, nesterov=True)
    sgd_weight_decay       SGD(lr=0.1, weight_decay=0.05)
    sgd_dampening          SGD(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.02)
    adam                   Adam() (defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    adam_weight_decay      Adam(lr=0.01, weight_decay=0.1)
    adam_custom            Adam(lr=0.05, betas=(0.8, 0.99), eps=1e-6)
    adamw                  AdamW() (defaults: lr=1e-3, weight_decay=0.01)
    adamw_custom           AdamW(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)

Gradient clipping (seed 300): clip_input [N] (randn * 2, norm about 12) and,
from torch.nn.utils.clip_grad_norm_, clip_clipped_norm [1] and
clip_clipped_output [N] for max_norm=1, clip_unclipped_norm [1] and
clip_unclipped_output [N] for max_norm=100.

Learning-rate schedules: the learning rate of epochs 0..20 ([21]) reported by
optimizer.param_groups[0]["lr"] after each scheduler.step(), base lr 0.1:

    lr_step_decay          StepLR(step_size=3, gamma=0.7)
    lr_exponential         ExponentialLR(gamma=0.9)
    lr_cosine              CosineAnnealingLR(T_max=8, eta_min=0.001)
    lr_cosine_zero_minimum CosineAnnealingLR(T_max=5)

Every hyperparameter is first rounded to float32 (f32 below), so PyTorch's
double-precision scalar arithmetic sees exactly the values the C# float
arguments hold. All computations run in float32 on the CPU.

Requires Debian's python3-torch (PyTorch 1.13) and python3-numpy (system
interpreter, not pyenv). Re-run from the repository root with:

    /usr/bin/python3 tests/FixedRnn.Tests/Fixtures/make_training_references.py

The output is deterministic: re-running reproduces a byte-identical file
(compare with sha256sum).
"""

import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "training_references.safetensors")
N = 37
K = 5
EPOCHS = 21


def f32(x):
    """Round a Python float to the nearest float32, as a C# float literal is."""
    return float(np.float32(x))


def scalar(x):
    return torch.tensor([float(x)], dtype=torch.float32)


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


def loss_and_gradient(function, inputs, *args, **kwargs):
    leaf = inputs.clone().requires_grad_(True)
    loss = function(leaf, *args, **kwargs)
    loss.backward()
    return scalar(loss.item()), leaf.grad.detach().clone()


def add_losses(out):
    generator = torch.Generator().manual_seed(100)
    predictions = torch.randn(6, 7, generator=generator) * 1.5
    targets = torch.randn(6, 7, generator=generator) * 1.5
    targets[0, 0:2] = predictions[0, 0:2]
    predictions[1, 0:3] = torch.tensor([1.5, 0.25, -0.5])
    targets[1, 0:3] = torch.tensor([0.5, 0.75, 0.5])
    out["regression_predictions"] = predictions
    out["regression_targets"] = targets

    regression = {
        "mse": (F.mse_loss, {}),
        "mae": (F.l1_loss, {}),
        "huber_delta_1": (F.huber_loss, {"delta": f32(1.0)}),
        "huber_delta_0_5": (F.huber_loss, {"delta": f32(0.5)}),
    }
    for name, (function, kwargs) in regression.items():
        loss, gradient = loss_and_gradient(function, predictions, targets, **kwargs)
        out[f"{name}_loss"] = loss
        out[f"{name}_gradient"] = gradient

    logits = torch.randn(9, 6, generator=generator) * 3
    logits[0] += 100
    logits[1] = 5.0
    assert torch.isinf(torch.exp(logits[0])).any()  # row 0 defeats softmax without max subtraction
    labels = torch.randint(0, 6, (9,), generator=generator)
    add_cross_entropy(out, "cross_entropy", logits, labels)

    wide_logits = torch.randn(3, 300, generator=generator) * 2
    wide_labels = torch.randint(0, 300, (3,), generator=generator)
    add_cross_entropy(out, "cross_entropy_wide", wide_logits, wide_labels)


def add_cross_entropy(out, name, logits, labels):
    loss, gradient = loss_and_gradient(F.cross_entropy, logits, labels)
    assert torch.isfinite(loss).all() and torch.isfinite(gradient).all()
    out[f"{name}_logits"] = logits
    out[f"{name}_labels"] = labels.to(torch.float32)
    out[f"{name}_loss"] = loss
    out[f"{name}_gradient"] = gradient


OPTIMIZERS = {
    "sgd": (torch.optim.SGD, {"lr": 0.1}),
    "sgd_momentum": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    "sgd_nesterov": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    "sgd_weight_decay": (torch.optim.SGD, {"lr": 0.1, "weight_decay": 0.05}),
    "sgd_dampening": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.8, "dampening": 0.3,
                                        "weight_decay": 0.02}),
    "adam": (torch.optim.Adam, {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8}),
    "adam_weight_decay": (torch.optim.Adam, {"lr": 0.01, "weight_decay": 0.1}),
    "adam_custom": (torch.optim.Adam, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}),
    "adamw": (torch.optim.AdamW, {"lr": 1e-3, "weight_decay": 0.01}),
    "adamw_custom": (torch.optim.AdamW, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6,
                                         "weight_decay": 0.1}),
}


def rounded(kwargs):
    result = {}
    for key, value in kwargs.items():
        if isinstance(value, bool):
            result[key] = value
        elif isinstance(value, tuple):
            result[key] = tuple(f32(v) for v in value)
        else:
            result[key] = f32(value)
    return result


def add_optimizers(out):
    generator = torch.Generator().manual_seed(200)
    initial = torch.randn(N, generator=generator)
    gradients = torch.randn(K, N, generator=generator)
    gradients[:, 0] = 0
    out["optimizer_initial"] = initial
    out["optimizer_gradients"] = gradients

    for name, (constructor, kwargs) in OPTIMIZERS.items():
        parameter = torch.nn.Parameter(initial.clone())
        optimizer = constructor([parameter], **rounded(kwargs))
        trajectory = torch.empty(K, N)
        for step in range(K):
            parameter.grad = gradients[step].clone()
            optimizer.step()
            trajectory[step] = parameter.detach()
        out[f"{name}_trajectory"] = trajectory


def add_clipping(out):
    generator = torch.Generator().manual_seed(300)
    gradients = torch.randn(N, generator=generator) * 2
    out["clip_input"] = gradients
    for name, max_norm in (("clipped", 1.0), ("unclipped", 100.0)):
        parameter = torch.nn.Parameter(torch.zeros(N))
        parameter.grad = gradients.clone()
        norm = torch.nn.utils.clip_grad_norm_([parameter], f32(max_norm))
        assert (name == "clipped") == (norm.item() > max_norm)
        out[f"clip_{name}_norm"] = scalar(norm.item())
        out[f"clip_{name}_output"] = parameter.grad.detach().clone()


SCHEDULES = {
    "lr_step_decay": (torch.optim.lr_scheduler.StepLR, {"step_size": 3, "gamma": f32(0.7)}),
    "lr_exponential": (torch.optim.lr_scheduler.ExponentialLR, {"gamma": f32(0.9)}),
    "lr_cosine": (torch.optim.lr_scheduler.CosineAnnealingLR, {"T_max": 8, "eta_min": f32(0.001)}),
    "lr_cosine_zero_minimum": (torch.optim.lr_scheduler.CosineAnnealingLR, {"T_max": 5}),
}


def add_schedules(out):
    base = f32(0.1)
    for name, (constructor, kwargs) in SCHEDULES.items():
        parameter = torch.nn.Parameter(torch.zeros(1))
        optimizer = torch.optim.SGD([parameter], lr=base)
        scheduler = constructor(optimizer, **kwargs)
        rates = []
        for epoch in range(EPOCHS):
            rate = optimizer.param_groups[0]["lr"]
            # FixedRnn implements the closed forms; the scheduler's recursive updates must agree with them.
            closed = scheduler._get_closed_form_lr()[0]
            assert math.isclose(rate, closed, rel_tol=1e-12, abs_tol=1e-15), (name, epoch, rate, closed)
            rates.append(rate)
            optimizer.step()  # a no-op without gradients; keeps the scheduler's call-order check quiet
            scheduler.step()
        out[name] = torch.tensor(rates, dtype=torch.float64).to(torch.float32)


def main():
    torch.set_num_threads(1)
    out = {}
    add_losses(out)
    add_optimizers(out)
    add_clipping(out)
    add_schedules(out)
    metadata = {"format": "pt", "generator": "make_training_references.py"}
    write_safetensors(OUT_PATH, out, metadata)


if __name__ == "__main__":
    main()
