#!/usr/bin/python3
"""Writes the expected values of the hidden tests of the Week 1 lesson
"Building an RNN, step by step" (rnn_cell_forward, rnn_forward,
lstm_cell_forward, lstm_forward).

Run from anywhere with Debian's python3-numpy (1.24):

    /usr/bin/python3 tests/golden/gen/w1_forward.py

The four functions are re-implemented here in float64 numpy straight from
the course's equations, independently of the Lua solutions.  Before writing
anything the script checks this reference against the numbers the course
publishes for its own test cases (seed 1), so a slip in the reference
cannot go unnoticed.

For each hidden case the inputs are drawn with np.random.seed(seed) in the
course's order (see the draw_* functions); the Lua tests replay the same
draws with seqlab's np.random, which reproduces numpy bit for bit.  Only
the outputs are stored, in

    lessons/week1/rnn-step-by-step/tests/w1_forward_golden.lua

a Lua file returning one table per function (every number at %.17g),
which the hidden tests read with the grader's test_data().
"""

import os
import sys

import numpy as np

from w1_common import sigmoid, softmax_cols, lua_array as lua_value

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                    "..")
OUT = os.path.join(ROOT, "lessons", "week1", "rnn-step-by-step", "tests",
                   "w1_forward_golden.lua")


# ---- the reference, from the equations ------------------------------------

def rnn_cell(xt, a_prev, p):
    # a<t> = tanh(Waa a<t-1> + Wax x<t> + ba);  y<t> = softmax(Wya a<t> + by)
    a_next = np.tanh(p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"])
    y = softmax_cols(p["Wya"] @ a_next + p["by"])
    return a_next, y


def rnn(x, a0, p):
    n_x, m, T = x.shape
    n_y = p["Wya"].shape[0]
    n_a = a0.shape[0]
    a = np.empty((n_a, m, T))
    y = np.empty((n_y, m, T))
    state = a0
    for t in range(T):
        state, y[:, :, t] = rnn_cell(x[:, :, t], state, p)
        a[:, :, t] = state
    return a, y


def lstm_cell(xt, a_prev, c_prev, p):
    z = np.vstack([a_prev, xt])
    f = sigmoid(p["Wf"] @ z + p["bf"])
    i = sigmoid(p["Wi"] @ z + p["bi"])
    cc = np.tanh(p["Wc"] @ z + p["bc"])
    c_next = f * c_prev + i * cc
    o = sigmoid(p["Wo"] @ z + p["bo"])
    a_next = o * np.tanh(c_next)
    y = softmax_cols(p["Wy"] @ a_next + p["by"])
    return dict(a_next=a_next, c_next=c_next, yt=y, ft=f, it=i, cct=cc,
                ot=o)


def lstm(x, a0, p):
    n_x, m, T = x.shape
    n_y, n_a = p["Wy"].shape
    a = np.empty((n_a, m, T))
    c = np.empty((n_a, m, T))
    y = np.empty((n_y, m, T))
    h, s = a0, np.zeros_like(a0)
    for t in range(T):
        r = lstm_cell(x[:, :, t], h, s, p)
        h, s = r["a_next"], r["c_next"]
        a[:, :, t], c[:, :, t], y[:, :, t] = h, s, r["yt"]
    return a, y, c


# ---- inputs, drawn in the course's order ----------------------------------

def draw_rnn_params(n_x, n_a, n_y):
    p = {}
    p["Waa"] = np.random.randn(n_a, n_a)
    p["Wax"] = np.random.randn(n_a, n_x)
    p["Wya"] = np.random.randn(n_y, n_a)
    p["ba"] = np.random.randn(n_a, 1)
    p["by"] = np.random.randn(n_y, 1)
    return p


def draw_lstm_params(n_x, n_a, n_y):
    p = {}
    for g in "fioc":
        p["W" + g] = np.random.randn(n_a, n_a + n_x)
        p["b" + g] = np.random.randn(n_a, 1)
    p["Wy"] = np.random.randn(n_y, n_a)
    p["by"] = np.random.randn(n_y, 1)
    return p


def rnn_cell_case(seed, n_x, n_a, n_y, m):
    np.random.seed(seed)
    xt = np.random.randn(n_x, m)
    a_prev = np.random.randn(n_a, m)
    p = draw_rnn_params(n_x, n_a, n_y)
    a_next, y = rnn_cell(xt, a_prev, p)
    return dict(a_next=a_next, yt_pred=y)


def rnn_case(seed, n_x, n_a, n_y, m, T_x):
    np.random.seed(seed)
    x = np.random.randn(n_x, m, T_x)
    a0 = np.random.randn(n_a, m)
    p = draw_rnn_params(n_x, n_a, n_y)
    a, y = rnn(x, a0, p)
    return dict(a=a, y_pred=y)


def lstm_cell_case(seed, n_x, n_a, n_y, m):
    np.random.seed(seed)
    xt = np.random.randn(n_x, m)
    a_prev = np.random.randn(n_a, m)
    c_prev = np.random.randn(n_a, m)
    p = draw_lstm_params(n_x, n_a, n_y)
    return lstm_cell(xt, a_prev, c_prev, p)


def lstm_case(seed, n_x, n_a, n_y, m, T_x):
    np.random.seed(seed)
    x = np.random.randn(n_x, m, T_x)
    a0 = np.random.randn(n_a, m)
    p = draw_lstm_params(n_x, n_a, n_y)
    a, y, c = lstm(x, a0, p)
    return dict(a=a, y=y, c=c)


# ---- the course's published numbers (seed 1), to check the reference ------

def check(name, got, want):
    # The course prints 8 decimals (numpy's default) or 12 significant
    # digits; half a unit of the 8th decimal bounds the rounding.
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    err = np.max(np.abs(got - want))
    if err > 5e-9:
        sys.exit("reference disagrees with the course on %s: %r vs %r"
                 % (name, got, want))


def check_course():
    r = rnn_cell_case(1, 3, 5, 2, 10)
    check("rnn_cell a_next[4]", r["a_next"][4],
          [0.59584544, 0.18141802, 0.61311866, 0.99808218, 0.85016201,
           0.99980978, -0.18887155, 0.99815551, 0.6531151, 0.82872037])
    check("rnn_cell yt_pred[1]", r["yt_pred"][1],
          [0.9888161, 0.01682021, 0.21140899, 0.36817467, 0.98988387,
           0.88945212, 0.36920224, 0.9966312, 0.9982559, 0.17746526])

    r = rnn_case(1, 3, 5, 2, 10, 4)
    check("rnn a[4][1]", r["a"][4][1],
          [-0.99999375, 0.77911235, -0.99861469, -0.99833267])
    check("rnn y_pred[1][3]", r["y_pred"][1][3],
          [0.79560373, 0.86224861, 0.11118257, 0.81515947])

    r = lstm_cell_case(1, 3, 5, 2, 10)
    check("lstm_cell a_next[4]", r["a_next"][4],
          [-0.66408471, 0.0036921, 0.02088357, 0.22834167, -0.85575339,
           0.00138482, 0.76566531, 0.34631421, -0.00215674, 0.43827275])
    check("lstm_cell c_next[2]", r["c_next"][2],
          [0.63267805, 1.00570849, 0.35504474, 0.20690913, -1.64566718,
           0.11832942, 0.76449811, -0.0981561, -0.74348425, -0.26810932])
    check("lstm_cell yt[1]", r["yt"][1],
          [0.79913913, 0.15986619, 0.22412122, 0.15606108, 0.97057211,
           0.31146381, 0.00943007, 0.12666353, 0.39380172, 0.07828381])
    check("lstm_cell cache[1][3]", r["c_next"][3],
          [-0.16263996, 1.03729328, 0.72938082, -0.54101719, 0.02752074,
           -0.30821874, 0.07651101, -1.03752894, 1.41219977, -0.37647422])

    r = lstm_case(1, 3, 5, 2, 10, 7)
    check("lstm a[4][3][6]", r["a"][4][3][6], 0.172117767533)
    check("lstm y[1][4][3]", r["y"][1][4][3], 0.95087346185)
    check("lstm c[1][2][1]", r["c"][1][2][1], -0.855544916718)


# ---- hidden cases ---------------------------------------------------------
# (seed, n_x, n_a, n_y, m[, T_x]); each list mixes an ordinary size with an
# edge: one example (m = 1), one time step (T_x = 1), n_y > n_a.

CASES = {
    "rnn_cell_forward": (rnn_cell_case, ["n_x", "n_a", "n_y", "m"], [
        (2, 4, 6, 3, 7),
        (7, 2, 3, 4, 1),
    ]),
    "rnn_forward": (rnn_case, ["n_x", "n_a", "n_y", "m", "T_x"], [
        (3, 4, 6, 3, 5, 6),
        (11, 2, 3, 4, 1, 1),
    ]),
    "lstm_cell_forward": (lstm_cell_case, ["n_x", "n_a", "n_y", "m"], [
        (4, 4, 6, 3, 7),
        (9, 2, 3, 4, 1),
    ]),
    "lstm_forward": (lstm_case, ["n_x", "n_a", "n_y", "m", "T_x"], [
        (5, 4, 6, 3, 5, 6),
        (13, 2, 3, 4, 2, 1),
    ]),
}




def golden_cases(name):
    fn, dims, cases = CASES[name]
    out = ["  %s = {" % name]
    for case in cases:
        seed, sizes = case[0], case[1:]
        res = fn(*case)
        out.append("    {")
        out.append("      seed = %d, %s," % (seed, ", ".join(
            "%s = %d" % (d, s) for d, s in zip(dims, sizes))))
        for key in sorted(res):
            out.append("      %s = %s," % (key, lua_value(res[key], 6)))
        out.append("    },")
    out.append("  },")
    return out


def write_golden():
    out = ["-- w1_forward_golden.lua: expected values of the hidden tests of",
           "-- rnn_cell_forward, rnn_forward, lstm_cell_forward and",
           "-- lstm_forward, from a float64 numpy reference.  Generated by",
           "-- tests/golden/gen/w1_forward.py (numpy %s): do not edit."
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
    check_course()
    write_golden()


if __name__ == "__main__":
    main()
