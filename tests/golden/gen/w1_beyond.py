#!/usr/bin/python3
"""Writes the expected values of the hidden tests of the Week 1 lesson
"Beyond the course: GRU, bidirectional and deep RNNs" (clip_by_value,
clip_by_global_norm, gru_cell_forward, gru_cell_backward, brnn_forward,
deep_rnn_forward), and checks the values its visible tests hard-code.

Run from anywhere with Debian's python3-numpy (1.24):

    /usr/bin/python3 tests/golden/gen/w1_beyond.py          # check, write
    /usr/bin/python3 tests/golden/gen/w1_beyond.py --print  # show visible

These exercises are not in the course, so there are no published numbers
to reproduce.  The functions are re-implemented here in float64 numpy from
the equations on the lesson's pages, independently of the Lua solutions,
and the script checks them before writing anything:

1. gru_cell_backward against central finite differences of
   L = sum(da_next * a_next);
2. brnn_forward against two runs of a plain RNN (the backward direction
   as a forward run on the time-reversed input), and deep_rnn_forward
   against a time-major loop (every layer at step t before step t + 1),
   whereas the reference runs layer by layer;
3. the clipping functions against their defining properties (every
   entry within the bound; the clipped global norm equals max_norm and
   each tensor keeps its direction);
4. the visible tests' hard-coded numbers (VISIBLE below) against the
   reference, so that the test files and this script cannot drift apart.

For each case the inputs are drawn with np.random.seed(seed) in the order
given by the draw_* functions; the Lua tests replay the same draws with
seqlab's np.random, which reproduces numpy bit for bit.  Only the outputs
are stored, in

    lessons/week1/beyond/tests/w1_beyond_golden.lua

a Lua file returning one table per function (every number at %.17g),
which the hidden tests read with the grader's test_data().
"""

import os
import sys

import numpy as np

from w1_common import sigmoid, softmax_cols, lua_array

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                    "..")
OUT = os.path.join(ROOT, "lessons", "week1", "beyond", "tests",
                   "w1_beyond_golden.lua")


# ---- the reference, from the equations ------------------------------------

def clip_by_value(grads, v):
    return {k: np.clip(g, -v, v) for k, g in grads.items()}


def clip_by_global_norm(grads, max_norm):
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    scale = max_norm / total if total > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}, total


def gru_cell_forward(xt, a_prev, p):
    # The lecture's GRU, with c<t> = a<t>:
    #   u = s(Wu [a_prev; x] + bu),  r = s(Wr [a_prev; x] + br)
    #   cc = tanh(Wc [r * a_prev; x] + bc),  a = u * cc + (1 - u) * a_prev
    z = np.vstack([a_prev, xt])
    u = sigmoid(p["Wu"] @ z + p["bu"])
    r = sigmoid(p["Wr"] @ z + p["br"])
    cc = np.tanh(p["Wc"] @ np.vstack([r * a_prev, xt]) + p["bc"])
    a_next = u * cc + (1.0 - u) * a_prev
    y = softmax_cols(p["Wy"] @ a_next + p["by"])
    return dict(a_next=a_next, yt_pred=y, ut=u, rt=r, cct=cc)


def gru_cell_backward(da, xt, a_prev, p):
    f = gru_cell_forward(xt, a_prev, p)
    u, r, cc = f["ut"], f["rt"], f["cct"]
    n_a = a_prev.shape[0]
    z = np.vstack([a_prev, xt])
    zr = np.vstack([r * a_prev, xt])
    dpc = da * u * (1.0 - cc ** 2)              # pre-activation of cc
    dpu = da * (cc - a_prev) * u * (1.0 - u)    # pre-activation of u
    dzr = p["Wc"].T @ dpc                       # gradient of [r*a_prev; x]
    dpr = dzr[:n_a] * a_prev * r * (1.0 - r)    # pre-activation of r
    dz = p["Wu"].T @ dpu + p["Wr"].T @ dpr      # gradient of [a_prev; x]
    return dict(
        dxt=dz[n_a:] + dzr[n_a:],
        da_prev=dz[:n_a] + dzr[:n_a] * r + da * (1.0 - u),
        dWu=dpu @ z.T, dbu=dpu.sum(axis=1, keepdims=True),
        dWr=dpr @ z.T, dbr=dpr.sum(axis=1, keepdims=True),
        dWc=dpc @ zr.T, dbc=dpc.sum(axis=1, keepdims=True))


def rnn_states(x, a0, p, reverse=False):
    # every state of a tanh RNN; reverse runs from step T down to 1 and
    # stores a<t> in slot t
    n_x, m, T = x.shape
    a = np.empty((a0.shape[0], m, T))
    state = a0
    steps = range(T - 1, -1, -1) if reverse else range(T)
    for t in steps:
        state = np.tanh(p["Wax"] @ x[:, :, t] + p["Waa"] @ state + p["ba"])
        a[:, :, t] = state
    return a


def outputs(a, Wy, by):
    return np.stack([softmax_cols(Wy @ a[:, :, t] + by)
                     for t in range(a.shape[2])], axis=2)


def brnn_forward(x, a0_f, a0_b, p):
    a = np.concatenate([rnn_states(x, a0_f, p["fwd"]),
                        rnn_states(x, a0_b, p["bwd"], reverse=True)], axis=0)
    return dict(a=a, y_pred=outputs(a, p["Wy"], p["by"]))


def deep_rnn_forward(x, a0, p):
    # layer by layer: each layer reads the whole sequence of the one below
    states, inp = [], x
    for l, layer in enumerate(p["layers"]):
        inp = rnn_states(inp, a0[l], layer)
        states.append(inp)
    return dict(a=states, y_pred=outputs(inp, p["Wy"], p["by"]))


# ---- inputs ----------------------------------------------------------------

def draw_grads(names, shapes, scale):
    # one tensor per name, in this order: randn(shape) * scale
    return {k: np.random.randn(*s) * scale for k, s in zip(names, shapes)}


RNN_GRADS = ["dWax", "dWaa", "dWya", "db", "dby"]


def rnn_grad_shapes(n_x, n_a, n_y):
    return [(n_a, n_x), (n_a, n_a), (n_y, n_a), (n_a, 1), (n_y, 1)]


LSTM_GRADS = ["dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo"]


def lstm_grad_shapes(n_x, n_a):
    return [(n_a, n_a + n_x), (n_a, 1)] * 4


def draw_gru(seed, n_x, n_a, n_y, m):
    # xt, a_prev, then Wu, bu, Wr, br, Wc, bc, Wy, by
    np.random.seed(seed)
    xt = np.random.randn(n_x, m)
    a_prev = np.random.randn(n_a, m)
    p = {}
    for g in "urc":
        p["W" + g] = np.random.randn(n_a, n_a + n_x)
        p["b" + g] = np.random.randn(n_a, 1)
    p["Wy"] = np.random.randn(n_y, n_a)
    p["by"] = np.random.randn(n_y, 1)
    return xt, a_prev, p


def draw_rnn_layer(n_in, n_a):
    return dict(Wax=np.random.randn(n_a, n_in), Waa=np.random.randn(n_a, n_a),
                ba=np.random.randn(n_a, 1))


def draw_brnn(seed, n_x, n_a, n_y, m, T_x):
    # x, a0_f, a0_b, fwd {Wax, Waa, ba}, bwd {Wax, Waa, ba}, Wy, by
    np.random.seed(seed)
    x = np.random.randn(n_x, m, T_x)
    a0_f = np.random.randn(n_a, m)
    a0_b = np.random.randn(n_a, m)
    p = dict(fwd=draw_rnn_layer(n_x, n_a), bwd=draw_rnn_layer(n_x, n_a))
    p["Wy"] = np.random.randn(n_y, 2 * n_a)
    p["by"] = np.random.randn(n_y, 1)
    return x, a0_f, a0_b, p


def draw_deep(seed, n_x, n_a1, n_a2, n_y, m, T_x):
    # x, a0[1], a0[2], layer 1 {Wax, Waa, ba}, layer 2 {Wax, Waa, ba}, Wy, by
    np.random.seed(seed)
    x = np.random.randn(n_x, m, T_x)
    a0 = [np.random.randn(n_a1, m), np.random.randn(n_a2, m)]
    p = dict(layers=[draw_rnn_layer(n_x, n_a1), draw_rnn_layer(n_a1, n_a2)])
    p["Wy"] = np.random.randn(n_y, n_a2)
    p["by"] = np.random.randn(n_y, 1)
    return x, a0, p


# ---- cases -------------------------------------------------------------------
# Each returns the stored outputs.  The clipping cases name their tensors
# and shapes so that the Lua test can draw the same inputs.

def clip_value_case(seed, kind, n_x, n_a, n_y, scale, max_value):
    names, shapes = clip_inputs_spec(kind, n_x, n_a, n_y)
    np.random.seed(seed)
    g = draw_grads(names, shapes, scale)
    return dict(clipped=clip_by_value(g, max_value))


def clip_norm_case(seed, kind, n_x, n_a, n_y, scale, max_norm):
    names, shapes = clip_inputs_spec(kind, n_x, n_a, n_y)
    np.random.seed(seed)
    g = draw_grads(names, shapes, scale)
    clipped, total = clip_by_global_norm(g, max_norm)
    return dict(clipped=clipped, total_norm=total)


def clip_inputs_spec(kind, n_x, n_a, n_y):
    if kind == "rnn":
        return RNN_GRADS, rnn_grad_shapes(n_x, n_a, n_y)
    return LSTM_GRADS, lstm_grad_shapes(n_x, n_a)


def gru_forward_case(seed, n_x, n_a, n_y, m):
    return gru_cell_forward(*draw_gru(seed, n_x, n_a, n_y, m))


def gru_backward_case(seed, n_x, n_a, n_y, m):
    xt, a_prev, p = draw_gru(seed, n_x, n_a, n_y, m)
    da_next = np.random.randn(n_a, m)
    return gru_cell_backward(da_next, xt, a_prev, p)


def brnn_case(*sizes):
    return brnn_forward(*draw_brnn(*sizes))


def deep_case(*sizes):
    return deep_rnn_forward(*draw_deep(*sizes))


# ---- check 1-3: the reference against itself ---------------------------------

def fail(msg):
    sys.exit("w1_beyond.py: " + msg)


def numeric_grad(loss, arr, h=1e-6):
    out = np.zeros_like(arr)
    it = np.nditer(arr, flags=["multi_index"])
    for _ in it:
        k = it.multi_index
        old = arr[k]
        arr[k] = old + h
        up = loss()
        arr[k] = old - h
        down = loss()
        arr[k] = old
        out[k] = (up - down) / (2 * h)
    return out


def check_reference():
    # 1. GRU backward against finite differences
    xt, a_prev, p = draw_gru(41, 3, 4, 2, 3)
    da = np.random.randn(4, 3)
    g = gru_cell_backward(da, xt, a_prev, p)

    def loss():
        return np.sum(da * gru_cell_forward(xt, a_prev, p)["a_next"])
    pairs = [("dxt", xt), ("da_prev", a_prev)]
    pairs += [(d + k, p[d[1:] + k]) for k in "urc" for d in ("dW", "db")]
    for name, arr in pairs:
        num = numeric_grad(loss, arr)
        err = np.max(np.abs(num - g[name])) / (1.0 + np.max(np.abs(num)))
        if err > 1e-6:
            fail("gru_cell_backward %s disagrees with finite differences "
                 "(%.3g)" % (name, err))

    # 2. brnn: the backward direction is a forward run on reversed time
    x, a0_f, a0_b, p = draw_brnn(42, 3, 4, 2, 3, 5)
    r = brnn_forward(x, a0_f, a0_b, p)
    back = rnn_states(x[:, :, ::-1].copy(), a0_b, p["bwd"])[:, :, ::-1]
    if np.max(np.abs(r["a"][4:] - back)) > 1e-14:
        fail("brnn_forward's backward direction is not a reversed RNN")
    if np.max(np.abs(r["a"][:4] - rnn_states(x, a0_f, p["fwd"]))) > 0:
        fail("brnn_forward's forward direction is not the plain RNN")

    #    deep: time-major loop
    x, a0, p = draw_deep(43, 3, 4, 5, 2, 3, 5)
    r = deep_rnn_forward(x, a0, p)
    h = list(a0)
    for t in range(x.shape[2]):
        inp = x[:, :, t]
        for l, layer in enumerate(p["layers"]):
            h[l] = np.tanh(layer["Wax"] @ inp + layer["Waa"] @ h[l]
                           + layer["ba"])
            inp = h[l]
            if np.max(np.abs(r["a"][l][:, :, t] - h[l])) > 1e-14:
                fail("deep_rnn_forward: layer %d step %d" % (l + 1, t + 1))

    # 3. clipping properties
    np.random.seed(44)
    g = draw_grads(RNN_GRADS, rnn_grad_shapes(3, 4, 2), 10.0)
    c = clip_by_value(g, 5.0)
    for k in g:
        if np.max(np.abs(c[k])) > 5.0:
            fail("clip_by_value leaves an entry out of bounds")
        inside = np.abs(g[k]) <= 5.0
        if np.any(c[k][inside] != g[k][inside]):
            fail("clip_by_value changed an entry within bounds")
    c, total = clip_by_global_norm(g, 5.0)
    new = np.sqrt(sum(np.sum(v * v) for v in c.values()))
    if total <= 5.0 or abs(new - 5.0) > 1e-12:
        fail("clip_by_global_norm: the clipped norm is %r" % new)
    for k in g:
        if np.max(np.abs(c[k] * total / 5.0 - g[k])) > 1e-12:
            fail("clip_by_global_norm changed a direction")
    c, total2 = clip_by_global_norm(g, 2 * total)
    if total2 != total or any(np.any(c[k] != g[k]) for k in g):
        fail("clip_by_global_norm changed gradients below the threshold")


# ---- check 4: the numbers the visible tests hard-code -------------------------
# (case function, arguments, [(what, value in the reference, expected)]);
# indices are numpy's (0-based); the tests say which seqlab index each is.

VISIBLE = [
    ("clip_by_value seed 2, x10, max 5", clip_value_case,
     (2, "rnn", 3, 5, 2, 10.0, 5.0),
     [("dWax[0]", lambda r: r["clipped"]["dWax"][0],
       [-4.16757847, -0.562668272, -5]),
      ("dWya[1]", lambda r: r["clipped"]["dWya"][1],
       [-3.35677339, 5, 0.479705919, -5, 0.877102184]),
      ("db[:, 0]", lambda r: r["clipped"]["db"][:, 0],
       [5, -3.81092518, -3.75669423, -0.744707629, 4.3349633])]),
    ("clip_by_global_norm seed 2, x10, max 5", clip_norm_case,
     (2, "rnn", 3, 5, 2, 10.0, 5.0),
     [("total_norm", lambda r: r["total_norm"], 76.5786517),
      ("dWya[1]", lambda r: r["clipped"]["dWya"][1],
       [-0.219171617, 0.399158751, 0.0313211259, -0.541361901,
        0.0572680613]),
      ("db[:, 0]", lambda r: r["clipped"]["db"][:, 0],
       [0.653162379, -0.248824254, -0.245283388, -0.0486237099,
        0.283039934])]),
    ("clip_by_global_norm seed 2, x10, max 100", clip_norm_case,
     (2, "rnn", 3, 5, 2, 10.0, 100.0),
     [("total_norm", lambda r: r["total_norm"], 76.5786517),
      ("db[:, 0]", lambda r: r["clipped"]["db"][:, 0],
       [10.0036589, -3.81092518, -3.75669423, -0.744707629, 4.3349633])]),
    ("clip_by_global_norm seed 2, x0.01, max 0.05", clip_norm_case,
     (2, "rnn", 3, 5, 2, 0.01, 0.05),
     [("total_norm", lambda r: r["total_norm"], 0.0765786517),
      ("dWax[0]", lambda r: r["clipped"]["dWax"][0],
       [-0.00272110985, -0.000367379328, -0.013947726]),
      ("dby[:, 0]", lambda r: r["clipped"]["dby"][:, 0],
       [0.0083468382, -0.00414397023])]),
    ("gru_cell_forward seed 1", gru_forward_case, (1, 3, 5, 2, 10),
     [("a_next[4]", lambda r: r["a_next"][4],
       [-1.41231107, -0.482490484, 0.139713344, 0.88753152, 0.251933621,
        -0.0456811829, -0.306716634, 0.819163712, 0.205960171,
        0.0241850744]),
      ("yt_pred[1]", lambda r: r["yt_pred"][1],
       [0.755314271, 0.00261151613, 0.0439270142, 0.0391587591,
        0.0952721529, 0.251496703, 0.133126399, 0.109933147, 0.017687426,
        0.533239707]),
      ("cct[2]", lambda r: r["cct"][2],
       [0.99151856, -0.977085086, 0.814972028, 0.35865866, 0.999780538,
        -0.996961024, 0.888164217, -0.827603815, 0.88969836,
        0.998074386])]),
    ("gru_cell_backward seed 1", gru_backward_case, (1, 3, 5, 2, 10),
     [("dxt[1][2]", lambda r: r["dxt"][1][2], -0.551122746),
      ("da_prev[2][3]", lambda r: r["da_prev"][2][3], 0.43482724),
      ("dWu[3][1]", lambda r: r["dWu"][3][1], -0.0907624549),
      ("dWr[1][2]", lambda r: r["dWr"][1][2], -0.333927757),
      ("dWc[3][1]", lambda r: r["dWc"][3][1], 0.0925458088),
      ("dbu[4]", lambda r: r["dbu"][4], [0.473999634]),
      ("dbr[4]", lambda r: r["dbr"][4], [0.185875983]),
      ("dbc[4]", lambda r: r["dbc"][4], [-0.82874075])]),
    ("brnn_forward seed 1", brnn_case, (1, 3, 5, 2, 10, 4),
     [("a[2][1]", lambda r: r["a"][2][1],
       [-0.99896763, 0.976753221, 0.659338873, -0.993633512]),
      ("a[7][1]", lambda r: r["a"][7][1],
       [-0.090519887, -0.999493693, 0.963229406, -0.374142174]),
      ("y_pred[1][3]", lambda r: r["y_pred"][1][3],
       [0.909020711, 0.558122585, 0.857530032, 0.261543274])]),
    ("deep_rnn_forward seed 1", deep_case, (1, 3, 5, 4, 2, 10, 4),
     [("a1[4][1]", lambda r: r["a"][0][4][1],
       [-0.986043144, -0.900555222, 0.999999371, -0.817259872]),
      ("a2[3][1]", lambda r: r["a"][1][3][1],
       [0.435699073, 0.84216412, -0.915711717, -0.98902804]),
      ("y_pred[1][3]", lambda r: r["y_pred"][1][3],
       [0.233782294, 0.830772114, 0.415140399, 0.857363776])]),
]


def check_visible(show):
    for title, case, args, checks in VISIBLE:
        r = case(*args)
        if show:
            print("%s %r" % (title, args))
        for what, get, want in checks:
            got = np.asarray(get(r), dtype=np.float64)
            if show:
                print("  %s = %s" % (what, np.array2string(
                    got, precision=12, separator=", ",
                    formatter={"float_kind": lambda v: "%.9g" % v})))
                continue
            want = np.asarray(want, dtype=np.float64)
            # the hard-coded numbers carry 9 significant digits
            if got.shape != want.shape or not np.allclose(
                    got, want, rtol=1e-8, atol=1e-9):
                fail("visible value %s of %s: reference %r, test %r"
                     % (what, title, got, want))


# ---- hidden cases ----------------------------------------------------------------

CASES = {
    "clip_by_value": (clip_value_case,
                      ["kind", "n_x", "n_a", "n_y", "scale", "max_value"], [
        (12, "rnn", 4, 6, 3, 3.0, 2.5),
        (13, "lstm", 2, 3, 0, 1.0, 0.75),
        (16, "rnn", 2, 3, 4, 0.1, 5.0),       # nothing to clip
    ]),
    "clip_by_global_norm": (clip_norm_case,
                            ["kind", "n_x", "n_a", "n_y", "scale", "max_norm"], [
        (12, "rnn", 4, 6, 3, 3.0, 2.5),
        (13, "lstm", 2, 3, 0, 1.0, 0.75),
        (16, "rnn", 2, 3, 4, 0.1, 5.0),       # below the threshold
    ]),
    "gru_cell_forward": (gru_forward_case, ["n_x", "n_a", "n_y", "m"], [
        (2, 4, 6, 3, 7),
        (7, 2, 3, 4, 1),
    ]),
    "gru_cell_backward": (gru_backward_case, ["n_x", "n_a", "n_y", "m"], [
        (3, 4, 6, 3, 7),
        (8, 2, 3, 4, 1),
    ]),
    "brnn_forward": (brnn_case, ["n_x", "n_a", "n_y", "m", "T_x"], [
        (4, 4, 3, 3, 5, 6),
        (9, 2, 2, 4, 1, 1),
    ]),
    "deep_rnn_forward": (deep_case, ["n_x", "n_a1", "n_a2", "n_y", "m", "T_x"], [
        (5, 4, 6, 3, 3, 5, 6),
        (10, 2, 3, 2, 4, 1, 1),
    ]),
}


def lua_value(v, indent):
    if isinstance(v, str):
        return '"%s"' % v
    if isinstance(v, dict):
        pad = " " * (indent + 2)
        rows = ["%s%s = %s," % (pad, k, lua_value(v[k], indent + 2))
                for k in sorted(v)]
        return "{\n" + "\n".join(rows) + "\n" + " " * indent + "}"
    if isinstance(v, list):
        pad = " " * (indent + 2)
        rows = [pad + lua_value(e, indent + 2) + "," for e in v]
        return "{\n" + "\n".join(rows) + "\n" + " " * indent + "}"
    if np.ndim(v) == 0 and isinstance(v, (int, np.integer)):
        return "%d" % v
    return lua_array(v, indent)


def golden_cases(name):
    fn, dims, cases = CASES[name]
    out = ["  %s = {" % name]
    for case in cases:
        seed, args = case[0], case[1:]
        res = fn(*case)
        out.append("    {")
        out.append("      seed = %d, %s," % (seed, ", ".join(
            "%s = %s" % (d, lua_value(s, 0)) for d, s in zip(dims, args))))
        for key in sorted(res):
            out.append("      %s = %s," % (key, lua_value(res[key], 6)))
        out.append("    },")
    out.append("  },")
    return out


def write_golden():
    out = ["-- w1_beyond_golden.lua: expected values of the hidden tests of",
           "-- clip_by_value, clip_by_global_norm, gru_cell_forward,",
           "-- gru_cell_backward, brnn_forward and deep_rnn_forward, from a",
           "-- float64 numpy reference.  Generated by",
           "-- tests/golden/gen/w1_beyond.py (numpy %s): do not edit."
           % np.__version__,
           "return {"]
    for name in CASES:
        out += golden_cases(name)
    out.append("}")
    text = "\n".join(out) + "\n"
    tmp = OUT + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, OUT)
    print("wrote", os.path.relpath(OUT, ROOT))


def main():
    if not np.__version__.startswith("1.24"):
        print("warning: written with numpy 1.24; this is", np.__version__,
              file=sys.stderr)
    check_reference()
    if "--print" in sys.argv[1:]:
        check_visible(True)
        return
    check_visible(False)
    write_golden()


if __name__ == "__main__":
    main()
