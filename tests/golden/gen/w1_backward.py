#!/usr/bin/python3
"""Writes the expected values of the hidden tests of the Week 1 lesson
"Backpropagation through time" (rnn_cell_backward, rnn_backward,
lstm_cell_backward, lstm_backward).

Run from anywhere with Debian's python3-numpy (1.24):

    /usr/bin/python3 tests/golden/gen/w1_backward.py

The forward cells and the four backward functions are re-implemented here
in float64 numpy from the chain rule, independently of the Lua solutions.
Before writing anything the script makes two checks:

1. the reference reproduces the values the course (2021 notebooks)
   publishes for its own backward test cases, tests 5 to 8, seed 1;
2. every gradient agrees with central finite differences of a scalar
   loss L = sum(da * a) (+ sum(dc * c) for the LSTM cell), so the
   reference is checked against the forward pass it differentiates.

For each hidden case the inputs are drawn with np.random.seed(seed) in
the course's order (see the *_case functions; note that the backward
tests draw Wax before Waa, unlike the forward ones, and that the LSTM
tests set Wy and by to zeros instead of drawing them); the Lua tests
replay the same draws with seqlab's np.random, which reproduces numpy bit
for bit, and rebuild the caches with their own forward pass.  Only the
gradients are stored, in

    lessons/week1/bptt/tests/w1_backward_golden.lua

a Lua file returning one table per function (every number at %.17g),
which the hidden tests read with the grader's test_data().
"""

import os
import sys

import numpy as np

from w1_common import sigmoid, softmax_cols, lua_array as lua_value

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                    "..")
OUT = os.path.join(ROOT, "lessons", "week1", "bptt", "tests",
                   "w1_backward_golden.lua")


# ---- forward cells ---------------------------------------------------------

def rnn_cell_forward(xt, a_prev, p):
    a_next = np.tanh(p["Wax"] @ xt + p["Waa"] @ a_prev + p["ba"])
    y = softmax_cols(p["Wya"] @ a_next + p["by"])
    return a_next, y, (a_next, a_prev, xt, p)


def rnn_forward(x, a0, p):
    T = x.shape[2]
    a = np.empty((a0.shape[0], x.shape[1], T))
    caches, state = [], a0
    for t in range(T):
        state, _, cache = rnn_cell_forward(x[:, :, t], state, p)
        a[:, :, t] = state
        caches.append(cache)
    return a, (caches, x)


def lstm_cell_forward(xt, a_prev, c_prev, p):
    z = np.vstack([a_prev, xt])
    f = sigmoid(p["Wf"] @ z + p["bf"])
    i = sigmoid(p["Wi"] @ z + p["bi"])
    cc = np.tanh(p["Wc"] @ z + p["bc"])
    c_next = f * c_prev + i * cc
    o = sigmoid(p["Wo"] @ z + p["bo"])
    a_next = o * np.tanh(c_next)
    y = softmax_cols(p["Wy"] @ a_next + p["by"])
    return a_next, c_next, y, (a_next, c_next, a_prev, c_prev, f, i, cc, o,
                               xt, p)


def lstm_forward(x, a0, p):
    T = x.shape[2]
    n_a, m = a0.shape
    a = np.empty((n_a, m, T))
    c = np.empty((n_a, m, T))
    caches, h, s = [], a0, np.zeros_like(a0)
    for t in range(T):
        h, s, _, cache = lstm_cell_forward(x[:, :, t], h, s, p)
        a[:, :, t], c[:, :, t] = h, s
        caches.append(cache)
    return a, c, (caches, x)


# ---- backward, from the chain rule -----------------------------------------

def rnn_cell_backward(da_next, cache):
    a_next, a_prev, xt, p = cache
    dz = da_next * (1.0 - a_next ** 2)          # through the tanh
    return dict(dxt=p["Wax"].T @ dz, da_prev=p["Waa"].T @ dz,
                dWax=dz @ xt.T, dWaa=dz @ a_prev.T,
                dba=dz.sum(axis=1, keepdims=True))


def rnn_backward(da, caches):
    caches, x = caches
    n_a, m, T = da.shape
    n_x = x.shape[0]
    g = dict(dx=np.zeros((n_x, m, T)), dWax=np.zeros((n_a, n_x)),
             dWaa=np.zeros((n_a, n_a)), dba=np.zeros((n_a, 1)))
    carry = np.zeros((n_a, m))
    for t in reversed(range(T)):
        s = rnn_cell_backward(da[:, :, t] + carry, caches[t])
        g["dx"][:, :, t] = s["dxt"]
        for k in ("dWax", "dWaa", "dba"):
            g[k] += s[k]
        carry = s["da_prev"]
    g["da0"] = carry
    return g


def lstm_cell_backward(da_next, dc_next, cache):
    a_next, c_next, a_prev, c_prev, f, i, cc, o, xt, p = cache
    n_a = a_next.shape[0]
    tc = np.tanh(c_next)
    dc = dc_next + da_next * o * (1.0 - tc ** 2)   # total gradient on c<t>
    d = dict(o=da_next * tc * o * (1.0 - o),
             c=dc * i * (1.0 - cc ** 2),
             i=dc * cc * i * (1.0 - i),
             f=dc * c_prev * f * (1.0 - f))
    z = np.vstack([a_prev, xt])
    g = {}
    dz = np.zeros_like(z)
    for k in "fico":
        g["dW" + k] = d[k] @ z.T
        g["db" + k] = d[k].sum(axis=1, keepdims=True)
        dz += p["W" + k].T @ d[k]
    g["da_prev"] = dz[:n_a]
    g["dxt"] = dz[n_a:]
    g["dc_prev"] = dc * f
    return g


def lstm_backward(da, caches):
    caches, x = caches
    n_a, m, T = da.shape
    n_x = x.shape[0]
    g = dict(dx=np.zeros((n_x, m, T)))
    for k in "fico":
        g["dW" + k] = np.zeros((n_a, n_a + n_x))
        g["db" + k] = np.zeros((n_a, 1))
    da_c, dc_c = np.zeros((n_a, m)), np.zeros((n_a, m))
    for t in reversed(range(T)):
        s = lstm_cell_backward(da[:, :, t] + da_c, dc_c, caches[t])
        g["dx"][:, :, t] = s["dxt"]
        for k in "fico":
            g["dW" + k] += s["dW" + k]
            g["db" + k] += s["db" + k]
        da_c, dc_c = s["da_prev"], s["dc_prev"]
    g["da0"] = da_c
    return g


# ---- inputs, drawn in the course's order -----------------------------------

def draw_rnn_params(n_x, n_a, n_y):
    # the backward tests draw Wax before Waa
    p = {}
    p["Wax"] = np.random.randn(n_a, n_x)
    p["Waa"] = np.random.randn(n_a, n_a)
    p["Wya"] = np.random.randn(n_y, n_a)
    p["ba"] = np.random.randn(n_a, 1)
    p["by"] = np.random.randn(n_y, 1)
    return p


def draw_lstm_params(n_x, n_a, n_y, zero_output):
    p = {}
    for g in "fioc":
        p["W" + g] = np.random.randn(n_a, n_a + n_x)
        p["b" + g] = np.random.randn(n_a, 1)
    if zero_output:        # lstm_backward's test: zeros, nothing drawn
        p["Wy"] = np.zeros((n_y, n_a))
        p["by"] = np.zeros((n_y, 1))
    else:
        p["Wy"] = np.random.randn(n_y, n_a)
        p["by"] = np.random.randn(n_y, 1)
    return p


def rnn_cell_inputs(seed, n_x, n_a, n_y, m):
    np.random.seed(seed)
    xt = np.random.randn(n_x, m)
    a_prev = np.random.randn(n_a, m)
    p = draw_rnn_params(n_x, n_a, n_y)
    _, _, cache = rnn_cell_forward(xt, a_prev, p)
    da_next = np.random.randn(n_a, m)
    return da_next, cache


def rnn_inputs(seed, n_x, n_a, n_y, m, T_x):
    np.random.seed(seed)
    x = np.random.randn(n_x, m, T_x)
    a0 = np.random.randn(n_a, m)
    p = draw_rnn_params(n_x, n_a, n_y)
    _, caches = rnn_forward(x, a0, p)
    da = np.random.randn(n_a, m, T_x)
    return da, caches


def lstm_cell_inputs(seed, n_x, n_a, n_y, m):
    np.random.seed(seed)
    xt = np.random.randn(n_x, m)
    a_prev = np.random.randn(n_a, m)
    c_prev = np.random.randn(n_a, m)
    p = draw_lstm_params(n_x, n_a, n_y, False)
    _, _, _, cache = lstm_cell_forward(xt, a_prev, c_prev, p)
    da_next = np.random.randn(n_a, m)
    dc_next = np.random.randn(n_a, m)
    return da_next, dc_next, cache


def lstm_inputs(seed, n_x, n_a, n_y, m, T_x, T_da):
    # da may cover only the first T_da <= T_x steps, as in the course
    np.random.seed(seed)
    x = np.random.randn(n_x, m, T_x)
    a0 = np.random.randn(n_a, m)
    p = draw_lstm_params(n_x, n_a, n_y, True)
    _, _, caches = lstm_forward(x, a0, p)
    da = np.random.randn(n_a, m, T_da)
    return da, caches


def rnn_cell_case(*sizes):
    return rnn_cell_backward(*rnn_cell_inputs(*sizes))


def rnn_case(*sizes):
    return rnn_backward(*rnn_inputs(*sizes))


def lstm_cell_case(*sizes):
    return lstm_cell_backward(*lstm_cell_inputs(*sizes))


def lstm_case(*sizes):
    return lstm_backward(*lstm_inputs(*sizes))


# ---- check 1: the course's published numbers (tests 5-8, seed 1) -----------

def check(name, got, want, tol=5e-9):
    # The course prints 8 decimals (numpy's default) or 12 significant
    # digits; half a unit of the 8th decimal bounds the rounding.
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    err = np.max(np.abs(got - want))
    if err > tol:
        sys.exit("reference disagrees with the course on %s: %r vs %r"
                 % (name, got, want))


def check_course():
    g = rnn_cell_case(1, 3, 5, 2, 10)
    check("dxt[1][2]", g["dxt"][1][2], -1.3872130506)
    check("da_prev[2][3]", g["da_prev"][2][3], -0.152399493774)
    check("dWax[3][1]", g["dWax"][3][1], 0.410772824935)
    check("dWaa[1][2]", g["dWaa"][1][2], 1.15034506685)
    check("dba[4]", g["dba"][4], [0.20023491])

    g = rnn_case(1, 3, 5, 2, 10, 4)
    check("dx[1][2]", g["dx"][1][2],
          [-2.07101689, -0.59255627, 0.02466855, 0.01483317])
    check("da0[2][3]", g["da0"][2][3], -0.314942375127)
    check("dWax[3][1]", g["dWax"][3][1], 11.2641044965)
    check("dWaa[1][2]", g["dWaa"][1][2], 2.30333312658)
    check("dba[4]", g["dba"][4], [-0.74747722])

    g = lstm_cell_case(1, 3, 5, 2, 10)
    check("dxt[1][2]", g["dxt"][1][2], 3.23055911511)
    check("da_prev[2][3]", g["da_prev"][2][3], -0.0639621419711)
    check("dc_prev[2][3]", g["dc_prev"][2][3], 0.797522038797)
    check("dWf[3][1]", g["dWf"][3][1], -0.147954838164)
    check("dWi[1][2]", g["dWi"][1][2], 1.05749805523)
    check("dWc[3][1]", g["dWc"][3][1], 2.30456216369)
    check("dWo[1][2]", g["dWo"][1][2], 0.331311595289)
    check("dbf[4]", g["dbf"][4], [0.18864637])
    check("dbi[4]", g["dbi"][4], [-0.40142491])
    check("dbc[4]", g["dbc"][4], [0.25587763])
    check("dbo[4]", g["dbo"][4], [0.13893342])

    g = lstm_case(1, 3, 5, 2, 10, 7, 4)
    check("dx[1][2]", g["dx"][1][2],
          [0.00218254, 0.28205375, -0.48292508, -0.43281115])
    check("da0[2][3]", g["da0"][2][3], 0.312770310257)
    check("dWf[3][1]", g["dWf"][3][1], -0.0809802310938)
    check("dWi[1][2]", g["dWi"][1][2], 0.40512433093)
    check("dWc[3][1]", g["dWc"][3][1], -0.0793746735512)
    check("dWo[1][2]", g["dWo"][1][2], 0.038948775763)
    check("dbf[4]", g["dbf"][4], [-0.15745657])
    check("dbi[4]", g["dbi"][4], [-0.50848333])
    check("dbc[4]", g["dbc"][4], [-0.42510818])
    check("dbo[4]", g["dbo"][4], [-0.17958196])


# ---- check 2: finite differences --------------------------------------------

def numeric_grad(loss, arr, h=1e-6):
    # central differences, one entry of arr at a time (arr changed in place)
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


def fd_check(name, analytic, loss, arr):
    num = numeric_grad(loss, arr)
    err = np.max(np.abs(num - analytic)) / (1.0 + np.max(np.abs(num)))
    if err > 1e-6:
        sys.exit("finite differences disagree on %s (relative error %.3g)"
                 % (name, err))


def check_finite_differences():
    # RNN cell: L = sum(da_next * a_next)
    da_next, (a, a_prev, xt, p) = rnn_cell_inputs(31, 3, 4, 2, 3)
    g = rnn_cell_backward(da_next, (a, a_prev, xt, p))

    def loss():
        return np.sum(da_next * rnn_cell_forward(xt, a_prev, p)[0])
    for k, arr in (("dxt", xt), ("da_prev", a_prev), ("dWax", p["Wax"]),
                   ("dWaa", p["Waa"]), ("dba", p["ba"])):
        fd_check("rnn_cell_backward " + k, g[k], loss, arr)

    # RNN over time: L = sum(da * a)
    da, (caches, x) = rnn_inputs(32, 3, 4, 2, 3, 5)
    a0, p = caches[0][1], caches[0][3]
    g = rnn_backward(da, (caches, x))

    def loss():
        return np.sum(da * rnn_forward(x, a0, p)[0])
    for k, arr in (("dx", x), ("da0", a0), ("dWax", p["Wax"]),
                   ("dWaa", p["Waa"]), ("dba", p["ba"])):
        fd_check("rnn_backward " + k, g[k], loss, arr)

    # LSTM cell: L = sum(da_next * a_next) + sum(dc_next * c_next)
    da_next, dc_next, cache = lstm_cell_inputs(33, 3, 4, 2, 3)
    a_prev, c_prev, xt, p = cache[2], cache[3], cache[8], cache[9]
    g = lstm_cell_backward(da_next, dc_next, cache)

    def loss():
        a, c, _, _ = lstm_cell_forward(xt, a_prev, c_prev, p)
        return np.sum(da_next * a) + np.sum(dc_next * c)
    pairs = [("dxt", xt), ("da_prev", a_prev), ("dc_prev", c_prev)]
    pairs += [(d + k, p[d[1:] + k]) for k in "fico" for d in ("dW", "db")]
    for k, arr in pairs:
        fd_check("lstm_cell_backward " + k, g[k], loss, arr)

    # LSTM over time, da shorter than x: L = sum(da * a[:, :, :T_da]).
    # Wy and by are zeros here, as in the course's test; the loss does not
    # read the predictions anyway.
    da, (caches, x) = lstm_inputs(34, 3, 4, 2, 3, 6, 4)
    a0, p = caches[0][2], caches[0][9]
    g = lstm_backward(da, (caches, x))

    def loss():
        a, _, _ = lstm_forward(x, a0, p)
        return np.sum(da * a[:, :, :da.shape[2]])
    x_used = x[:, :, :da.shape[2]]
    fd_check("lstm_backward dx", g["dx"], loss, x_used)
    pairs = [("da0", a0)]
    pairs += [(d + k, p[d[1:] + k]) for k in "fico" for d in ("dW", "db")]
    for k, arr in pairs:
        fd_check("lstm_backward " + k, g[k], loss, arr)


# ---- hidden cases -----------------------------------------------------------
# (seed, sizes...); each list mixes an ordinary size with an edge: one
# example (m = 1), one time step, more classes than hidden units, and for
# lstm_backward da shorter than x as in the course's test.

CASES = {
    "rnn_cell_backward": (rnn_cell_case, ["n_x", "n_a", "n_y", "m"], [
        (21, 4, 6, 3, 7),
        (8, 2, 3, 4, 1),
    ]),
    "rnn_backward": (rnn_case, ["n_x", "n_a", "n_y", "m", "T_x"], [
        (17, 4, 6, 3, 5, 6),
        (6, 2, 3, 4, 1, 1),
    ]),
    "lstm_cell_backward": (lstm_cell_case, ["n_x", "n_a", "n_y", "m"], [
        (23, 4, 6, 3, 7),
        (10, 2, 3, 4, 1),
    ]),
    "lstm_backward": (lstm_case, ["n_x", "n_a", "n_y", "m", "T_x", "T_da"], [
        (19, 4, 6, 3, 5, 6, 6),
        (14, 2, 3, 4, 2, 5, 3),
        (15, 3, 2, 2, 1, 1, 1),
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
    out = ["-- w1_backward_golden.lua: expected values of the hidden tests of",
           "-- rnn_cell_backward, rnn_backward, lstm_cell_backward and",
           "-- lstm_backward, from a float64 numpy reference.  Generated by",
           "-- tests/golden/gen/w1_backward.py (numpy %s): do not edit."
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
    check_finite_differences()
    write_golden()


if __name__ == "__main__":
    main()
