#!/usr/bin/python3
"""Writes tests/golden/torch_nn.lua: PyTorch reference values for seqlab's
Lua nn, nn.functional, nn.utils and optim (tests/lua/test_nn.lua and
tests/lua/test_optim.lua load it with dofile).

Run by hand from anywhere (CI has no Python; the output is committed):

    /usr/bin/python3 tests/golden/gen/torch_nn.py

It needs torch (Debian python3-torch).  Every section seeds the generator
itself, so reordering sections does not change any value.

The output is one Lua table literal (`return { ... }`).  A tensor is
`{shape = {...}, dtype = "...", data = {...}}` with the values in C order;
floats are written with %.17g (exact round trip).  Class targets and
embedding indices are stored 1-based, as seqlab's Lua API takes them (the
ignored value -100 is kept as is); padding_idx and ignore_index given as
classes are 1-based too.  Module weights are stored under seqlab's names
(Sequential children "1", "2", ... where PyTorch says "0", "1", ...).
"""

import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                   "torch_nn.lua")

DTYPE_NAMES = {torch.float64: "float64", torch.float32: "float32",
               torch.int64: "int64"}


class Tensor1:
    """An int64 tensor of 0-based indices, written 1-based (keep is left)."""

    def __init__(self, t, keep=-100):
        self.t = t
        self.keep = keep


def lua_number(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if math.isnan(v):
        return "0/0"
    if math.isinf(v):
        return "1/0" if v > 0 else "-1/0"
    s = "%.17g" % v
    if "." not in s and "e" not in s and "n" not in s:
        s += ".0"  # keep it a Lua float
    return s


def lua_key(k):
    if isinstance(k, int):
        return "[%d]" % k
    if k.isidentifier():
        return k
    return '["%s"]' % k


def lua_value(v, indent):
    pad = "  " * indent
    if isinstance(v, Tensor1):
        flat = [int(x) if int(x) == v.keep else int(x) + 1
                for x in v.t.reshape(-1).tolist()]
        return tensor_literal(list(v.t.shape), "int64",
                              [str(x) for x in flat])
    if isinstance(v, torch.Tensor):
        t = v.detach()
        name = DTYPE_NAMES[t.dtype]
        vals = t.reshape(-1).tolist()
        if t.dtype == torch.int64:
            data = [str(int(x)) for x in vals]
        else:
            data = [lua_number(float(x)) for x in vals]
        return tensor_literal(list(t.shape), name, data)
    if isinstance(v, dict):
        lines = ["{"]
        for k, x in v.items():
            lines.append("%s  %s = %s," % (pad, lua_key(k),
                                           lua_value(x, indent + 1)))
        lines.append(pad + "}")
        return "\n".join(lines)
    if isinstance(v, (list, tuple)):
        return "{" + ", ".join(lua_value(x, indent + 1) for x in v) + "}"
    if isinstance(v, str):
        return '"%s"' % v
    return lua_number(v)


def tensor_literal(shape, dtype, data):
    rows = []
    for i in range(0, len(data), 6):
        rows.append(", ".join(data[i:i + 6]))
    body = ",\n      ".join(rows)
    return ("{shape = {%s}, dtype = \"%s\", data = {\n      %s}}"
            % (", ".join(str(s) for s in shape), dtype, body))


def grads(named):
    return {"grad_" + k: v.grad.clone() for k, v in named.items()}


# ---- sections --------------------------------------------------------------

def linear_case(seed, dtype, in_f, out_f, xshape, bias=True):
    torch.manual_seed(seed)
    lin = nn.Linear(in_f, out_f, bias=bias).to(dtype)
    x = torch.randn(*xshape, dtype=dtype, requires_grad=True)
    y = lin(x)
    r = torch.randn(*y.shape, dtype=dtype)
    (r * y).sum().backward()
    case = {"in_features": in_f, "out_features": out_f,
            "weight": lin.weight, "x": x, "r": r, "out": y,
            "grad_weight": lin.weight.grad, "grad_x": x.grad}
    if bias:
        case["bias"] = lin.bias
        case["grad_bias"] = lin.bias.grad
    return case


def section_linear():
    return {
        "f64": linear_case(1, torch.float64, 5, 7, (3, 5)),
        "f64_3d": linear_case(2, torch.float64, 5, 7, (2, 3, 5)),
        "f64_1d": linear_case(3, torch.float64, 4, 2, (4,)),
        "f64_nobias": linear_case(4, torch.float64, 4, 3, (2, 4), bias=False),
        "f32": linear_case(5, torch.float32, 5, 7, (3, 5)),
    }


def embedding_case(seed, num, dim, idx, padding_idx=None):
    torch.manual_seed(seed)
    emb = nn.Embedding(num, dim, padding_idx=padding_idx).double()
    idx = torch.tensor(idx, dtype=torch.int64)
    y = emb(idx)
    r = torch.randn(*y.shape, dtype=torch.float64)
    (r * y).sum().backward()
    case = {"num": num, "dim": dim, "weight": emb.weight,
            "idx": Tensor1(idx, keep=None), "r": r, "out": y,
            "grad_weight": emb.weight.grad}
    if padding_idx is not None:
        case["padding_idx"] = padding_idx + 1
    return case


def section_embedding():
    return {
        "pad": embedding_case(11, 10, 4, [[2, 5, 9], [0, 2, 5]], padding_idx=2),
        "nopad": embedding_case(12, 6, 3, [1, 1, 4, 0]),
    }


def mlp_case(seed, dtype):
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 4)).to(dtype)
    x = torch.randn(6, 5, dtype=dtype)
    y = torch.randint(0, 4, (6,))
    logits = net(x)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    ours = {"0.weight": "1.weight", "0.bias": "1.bias",
            "2.weight": "3.weight", "2.bias": "3.bias"}
    state = {ours[k]: v for k, v in net.state_dict().items()}
    g = {ours[k]: p.grad for k, p in net.named_parameters()}
    return {"state": state, "x": x, "y": Tensor1(y), "logits": logits,
            "loss": loss, "grads": g}


def section_mlp():
    return {"f64": mlp_case(21, torch.float64),
            "f32": mlp_case(22, torch.float32)}


def loss_grad(fn, *inputs, w=None):
    """fn's output and the gradients of (w * out).sum() (or out)."""
    out = fn(*inputs)
    obj = out if w is None else (w * out).sum()
    obj.backward()
    return out, [x.grad.clone() for x in inputs]


def class_loss_cases(fn, make_input, seed, ignore_class=None):
    """mean/sum/none of fn on (6, 5) inputs, one target ignored (-100)."""
    torch.manual_seed(seed)
    x0 = make_input(torch.randn(6, 5, dtype=torch.float64))
    y = torch.randint(0, 5, (6,))
    y[3] = -100
    w = torch.randn(6, dtype=torch.float64)
    cases = {"x": x0, "target": Tensor1(y), "w": w}
    for red in ("mean", "sum", "none"):
        x = x0.clone().requires_grad_()
        out, (gx,) = loss_grad(lambda a: fn(a, y, reduction=red), x,
                               w=w if red == "none" else None)
        cases[red] = {"loss": out, "grad_x": gx}
    if ignore_class is not None:
        y2 = torch.tensor([0, ignore_class, 4, ignore_class, 2, 1])
        x = x0.clone().requires_grad_()
        out, (gx,) = loss_grad(
            lambda a: fn(a, y2, ignore_index=ignore_class), x)
        cases["ignore_class"] = {"ignore_index": ignore_class + 1,
                                 "target": Tensor1(y2), "loss": out,
                                 "grad_x": gx}
    return cases


def section_losses():
    s = {}
    s["cross_entropy"] = class_loss_cases(F.cross_entropy, lambda t: t, 31,
                                          ignore_class=1)
    s["nll_loss"] = class_loss_cases(
        F.nll_loss, lambda t: F.log_softmax(t, dim=1), 32)

    # (N, T, C) with the classes last: PyTorch needs them in dim 1, so the
    # reference flattens (N*T, C) as seqlab does.
    torch.manual_seed(33)
    x0 = torch.randn(2, 3, 5, dtype=torch.float64)
    y = torch.randint(0, 5, (2, 3))
    y[1, 2] = -100
    x = x0.clone().requires_grad_()
    out, (gx,) = loss_grad(
        lambda a: F.cross_entropy(a.reshape(-1, 5), y.reshape(-1)), x)
    none = F.cross_entropy(x0.reshape(-1, 5), y.reshape(-1),
                           reduction="none").reshape(2, 3)
    s["cross_entropy_3d"] = {"x": x0, "target": Tensor1(y), "loss": out,
                             "grad_x": gx, "loss_none": none}

    torch.manual_seed(34)
    x0 = torch.randn(5, dtype=torch.float64)
    x = x0.clone().requires_grad_()
    out, (gx,) = loss_grad(lambda a: F.cross_entropy(a, torch.tensor(3)), x)
    s["cross_entropy_1d"] = {"x": x0, "target": 4, "loss": out, "grad_x": gx}

    torch.manual_seed(35)
    p0 = torch.randn(3, 4, dtype=torch.float64)
    t = torch.randn(3, 4, dtype=torch.float64)
    w = torch.randn(3, 4, dtype=torch.float64)
    mse = {"input": p0, "target": t, "w": w}
    for red in ("mean", "sum", "none"):
        p = p0.clone().requires_grad_()
        out, (gp,) = loss_grad(lambda a: F.mse_loss(a, t, reduction=red), p,
                               w=w if red == "none" else None)
        mse[red] = {"loss": out, "grad_input": gp}
    s["mse_loss"] = mse

    torch.manual_seed(36)
    p0 = torch.sigmoid(torch.randn(3, 4, dtype=torch.float64))
    t = torch.rand(3, 4, dtype=torch.float64)
    t[0, :2] = torch.tensor([0.0, 1.0])
    w = torch.randn(3, 4, dtype=torch.float64)
    bce = {"input": p0, "target": t, "w": w}
    for red in ("mean", "sum", "none"):
        p = p0.clone().requires_grad_()
        out, (gp,) = loss_grad(
            lambda a: F.binary_cross_entropy(a, t, reduction=red), p,
            w=w if red == "none" else None)
        bce[red] = {"loss": out, "grad_input": gp}
    # probabilities at 0 and 1 and below e^-100: the log is clamped at -100
    pe = torch.tensor([0.0, 1.0, 0.5, 1e-50, 1.0], dtype=torch.float64)
    te = torch.tensor([1.0, 0.0, 1.0, 1.0, 1.0], dtype=torch.float64)
    bce["edge"] = {"input": pe, "target": te,
                   "loss": F.binary_cross_entropy(pe, te, reduction="none")}
    s["binary_cross_entropy"] = bce

    torch.manual_seed(37)
    x0 = torch.randn(3, 4, dtype=torch.float64) * 3
    x0[0, 0], x0[0, 1] = 40.0, -40.0
    t = torch.rand(3, 4, dtype=torch.float64)
    w = torch.randn(3, 4, dtype=torch.float64)
    bcel = {"input": x0, "target": t, "w": w}
    for red in ("mean", "none"):
        x = x0.clone().requires_grad_()
        out, (gx,) = loss_grad(
            lambda a: F.binary_cross_entropy_with_logits(a, t, reduction=red),
            x, w=w if red == "none" else None)
        bcel[red] = {"loss": out, "grad_input": gx}
    s["binary_cross_entropy_with_logits"] = bcel
    return s


# Each optimizer runs 3 steps on loss = mse_loss(tanh(X W^T + b), Y) from
# the same start; opts are written in seqlab's Lua form.
OPTIM_CASES = [
    ("sgd", "SGD", {"lr": 0.1}),
    ("sgd_momentum", "SGD", {"lr": 0.1, "momentum": 0.9}),
    ("sgd_nesterov", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("sgd_dampening_wd", "SGD", {"lr": 0.05, "momentum": 0.8,
                                 "dampening": 0.3, "weight_decay": 0.01}),
    ("sgd_maximize", "SGD", {"lr": 0.1, "momentum": 0.5, "maximize": True}),
    ("adam", "Adam", {"lr": 0.01}),
    ("adam_wd", "Adam", {"lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-6,
                         "weight_decay": 0.1}),
    ("adam_amsgrad", "Adam", {"lr": 0.01, "amsgrad": True}),
    ("adamw", "AdamW", {"lr": 0.01, "weight_decay": 0.1}),
]


def optim_problem(dtype):
    torch.manual_seed(41)
    return {"W": torch.randn(4, 3, dtype=dtype) * 0.5,
            "b": torch.randn(4, dtype=dtype) * 0.1,
            "X": torch.randn(8, 3, dtype=dtype),
            "Y": torch.rand(8, 4, dtype=dtype) * 2 - 1}


def run_optim(prob, cls_name, opts, steps=3):
    W = prob["W"].clone().requires_grad_()
    b = prob["b"].clone().requires_grad_()
    topts = dict(opts)
    if "betas" in topts:
        topts["betas"] = tuple(topts["betas"])
    opt = getattr(torch.optim, cls_name)([W, b], **topts)
    after = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(torch.tanh(prob["X"] @ W.t() + b), prob["Y"])
        loss.backward()
        opt.step()
        after.append({"W": W.detach().clone(), "b": b.detach().clone()})
    return after


def section_optim():
    s = {"problem": optim_problem(torch.float64), "cases": []}
    for name, cls_name, opts in OPTIM_CASES:
        s["cases"].append({"name": name, "class": cls_name, "opts": opts,
                           "steps": run_optim(s["problem"], cls_name, opts)})
    prob32 = optim_problem(torch.float32)
    s["adam_f32"] = {"problem": prob32,
                     "steps": run_optim(prob32, "Adam", {"lr": 0.01})}
    return s


def section_clip():
    torch.manual_seed(51)
    g1 = torch.randn(3, 4, dtype=torch.float64) * 2
    g2 = torch.randn(5, dtype=torch.float64) * 2
    s = {"g1": g1, "g2": g2, "norm": []}
    for max_norm, norm_type in ((1.0, 2.0), (2.0, 1.0), (0.5, math.inf),
                                (100.0, 2.0), (3.0, 3.0)):
        p1 = torch.zeros(3, 4, dtype=torch.float64, requires_grad=True)
        p2 = torch.zeros(5, dtype=torch.float64, requires_grad=True)
        p1.grad, p2.grad = g1.clone(), g2.clone()
        total = torch.nn.utils.clip_grad_norm_([p1, p2], max_norm, norm_type)
        s["norm"].append({"max_norm": max_norm, "norm_type": norm_type,
                          "total": float(total), "g1": p1.grad,
                          "g2": p2.grad})
    p1 = torch.zeros(3, 4, dtype=torch.float64, requires_grad=True)
    p2 = torch.zeros(5, dtype=torch.float64, requires_grad=True)
    p1.grad, p2.grad = g1.clone(), g2.clone()
    torch.nn.utils.clip_grad_value_([p1, p2], 0.5)
    s["value"] = {"clip_value": 0.5, "g1": p1.grad, "g2": p2.grad}
    return s


def main():
    torch.set_default_dtype(torch.float32)
    golden = {
        "meta": {"torch": torch.__version__},
        "linear": section_linear(),
        "embedding": section_embedding(),
        "mlp": section_mlp(),
        "losses": section_losses(),
        "optim": section_optim(),
        "clip": section_clip(),
    }
    with open(OUT, "w") as f:
        f.write("-- torch_nn.lua - PyTorch reference values for seqlab's "
                "nn and optim tests.\n")
        f.write("-- GENERATED by tests/golden/gen/torch_nn.py (torch %s); do "
                "not edit by hand.\n" % torch.__version__)
        f.write("-- Tensors are {shape, dtype, data (C order)}; class "
                "targets and indices are 1-based.\n")
        f.write("return " + lua_value(golden, 0) + "\n")
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
