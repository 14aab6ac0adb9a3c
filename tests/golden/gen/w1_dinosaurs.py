#!/usr/bin/python3
"""Writes the expected values of the hidden tests of the Week 1 lesson
"Character-level language model: Dinosaur Island" (clip, sample, optimize,
model), and the names list the model tests train on.

Run from anywhere with Debian's python3-numpy (1.24):

    /usr/bin/python3 tests/golden/gen/w1_dinosaurs.py

Everything below is written in float64 numpy from the course's algorithm
(utils.py's helpers and the four graded functions), independently of the
Lua solutions.  Before writing anything the script checks itself against
the numbers the course publishes for clip (seed 3, maxValue 10 and 5),
sample (seed 24, n_a = 100) and optimize (seed 1, n_a = 100).

Conventions shared with the Lua tests: character indices are the course's,
0-based ('\\n' -> 0, 'a' -> 1, ..., 'z' -> 26 for the full alphabet); the
course's `None` (no input at the first step) is written `false` in Lua.
The inputs of each hidden case are drawn with np.random.seed(seed) in the
order given by the draw_* functions, which the Lua tests replay with
seqlab's bit-exact np.random; only the outputs are stored, in

    lessons/week1/dinosaurs/tests/w1_dinosaurs_golden.lua

together with `names`, the list of assets/names/genera.txt (the grader's
sandbox can only read files inside the course folder).
"""

import copy
import hashlib
import os
import sys

import numpy as np

from w1_common import lua_array

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                    "..")
NAMES = os.path.join(ROOT, "assets", "names", "genera.txt")
OUT = os.path.join(ROOT, "lessons", "week1", "dinosaurs", "tests",
                   "w1_dinosaurs_golden.lua")


# ---- the course's helpers (utils.py) --------------------------------------

def softmax(x):
    e_x = np.exp(x - np.max(x))
    return e_x / e_x.sum(axis=0)


def smooth(loss, cur_loss):
    return loss * 0.999 + cur_loss * 0.001


def get_initial_loss(vocab_size, seq_length):
    return -np.log(1.0 / vocab_size) * seq_length


def get_sample(sample_ix, ix_to_char):
    txt = "".join(ix_to_char[ix] for ix in sample_ix)
    return txt[0].upper() + txt[1:]


def initialize_parameters(n_a, n_x, n_y):
    np.random.seed(1)
    Wax = np.random.randn(n_a, n_x) * 0.01
    Waa = np.random.randn(n_a, n_a) * 0.01
    Wya = np.random.randn(n_y, n_a) * 0.01
    b = np.zeros((n_a, 1))
    by = np.zeros((n_y, 1))
    return {"Wax": Wax, "Waa": Waa, "Wya": Wya, "b": b, "by": by}


def rnn_step_forward(p, a_prev, x):
    a_next = np.tanh(np.dot(p["Wax"], x) + np.dot(p["Waa"], a_prev) + p["b"])
    p_t = softmax(np.dot(p["Wya"], a_next) + p["by"])
    return a_next, p_t


def rnn_step_backward(dy, g, p, x, a, a_prev):
    g["dWya"] += np.dot(dy, a.T)
    g["dby"] += dy
    da = np.dot(p["Wya"].T, dy) + g["da_next"]
    daraw = (1 - a * a) * da
    g["db"] += daraw
    g["dWax"] += np.dot(daraw, x.T)
    g["dWaa"] += np.dot(daraw, a_prev.T)
    g["da_next"] = np.dot(p["Waa"].T, daraw)
    return g


def update_parameters(p, g, lr):
    p["Wax"] += -lr * g["dWax"]
    p["Waa"] += -lr * g["dWaa"]
    p["Wya"] += -lr * g["dWya"]
    p["b"] += -lr * g["db"]
    p["by"] += -lr * g["dby"]
    return p


def rnn_forward(X, Y, a0, p, vocab_size):
    x, a, y_hat = {}, {}, {}
    a[-1] = np.copy(a0)
    loss = 0
    for t in range(len(X)):
        x[t] = np.zeros((vocab_size, 1))
        if X[t] is not None:
            x[t][X[t]] = 1
        a[t], y_hat[t] = rnn_step_forward(p, a[t - 1], x[t])
        loss -= np.log(y_hat[t][Y[t], 0])
    return loss, (y_hat, a, x)


def rnn_backward(X, Y, p, cache):
    y_hat, a, x = cache
    g = {"dWax": np.zeros_like(p["Wax"]), "dWaa": np.zeros_like(p["Waa"]),
         "dWya": np.zeros_like(p["Wya"]), "db": np.zeros_like(p["b"]),
         "dby": np.zeros_like(p["by"]), "da_next": np.zeros_like(a[0])}
    for t in reversed(range(len(X))):
        dy = np.copy(y_hat[t])
        dy[Y[t]] -= 1
        g = rnn_step_backward(dy, g, p, x[t], a[t], a[t - 1])
    return g, a


# ---- the graded functions --------------------------------------------------

KEYS = ["dWaa", "dWax", "dWya", "db", "dby"]


def clip(gradients, maxValue):
    gradients = copy.deepcopy(gradients)
    for k in KEYS:
        np.clip(gradients[k], -maxValue, maxValue, out=gradients[k])
    return {k: gradients[k] for k in KEYS}


def sample(p, char_to_ix, seed):
    vocab_size = p["by"].shape[0]
    n_a = p["Waa"].shape[1]
    x = np.zeros((vocab_size, 1))
    a_prev = np.zeros((n_a, 1))
    indices = []
    idx = -1
    counter = 0
    newline = char_to_ix["\n"]
    while idx != newline and counter != 50:
        a = np.tanh(np.dot(p["Wax"], x) + np.dot(p["Waa"], a_prev) + p["b"])
        y = softmax(np.dot(p["Wya"], a) + p["by"])
        np.random.seed(counter + seed)
        idx = np.random.choice(range(len(y)), p=y.ravel())
        indices.append(int(idx))
        x = np.zeros((vocab_size, 1))
        x[idx] = 1
        a_prev = a
        seed += 1
        counter += 1
    if counter == 50:
        indices.append(newline)
    return indices


def optimize(X, Y, a_prev, p, learning_rate=0.01):
    vocab_size = p["Wax"].shape[1]
    loss, cache = rnn_forward(X, Y, a_prev, p, vocab_size)
    gradients, a = rnn_backward(X, Y, p, cache)
    gradients = clip(gradients, 5)
    p = update_parameters(p, gradients, learning_rate)
    return loss, gradients, a[len(X) - 1]


def model(data_x, ix_to_char, char_to_ix, num_iterations=35000, n_a=50,
          dino_names=7, vocab_size=27):
    parameters = initialize_parameters(n_a, vocab_size, vocab_size)
    loss = get_initial_loss(vocab_size, dino_names)
    examples = [x.strip() for x in data_x]
    np.random.seed(0)
    np.random.shuffle(examples)
    a_prev = np.zeros((n_a, 1))
    last_dino_name = "abc"
    for j in range(num_iterations):
        idx = j % len(examples)
        X = [None] + [char_to_ix[c] for c in examples[idx]]
        Y = X[1:] + [char_to_ix["\n"]]
        curr_loss, gradients, a_prev = optimize(X, Y, a_prev, parameters,
                                                learning_rate=0.01)
        loss = smooth(loss, curr_loss)
        if j % 2000 == 0:
            seed = 0
            for _ in range(dino_names):
                last_dino_name = get_sample(sample(parameters, char_to_ix,
                                                   seed), ix_to_char)
                seed += 1
    return parameters, last_dino_name


# ---- inputs, drawn in the course's order -----------------------------------

def vocab(letters):
    chars = ["\n"] + list(letters)
    return ({c: i for i, c in enumerate(chars)},
            {i: c for i, c in enumerate(chars)})


def draw_gradients(n_x, n_a, n_y):
    # clip_test's order: dWax, dWaa, dWya, db, dby, each randn * 10
    return {"dWax": np.random.randn(n_a, n_x) * 10,
            "dWaa": np.random.randn(n_a, n_a) * 10,
            "dWya": np.random.randn(n_y, n_a) * 10,
            "db": np.random.randn(n_a, 1) * 10,
            "dby": np.random.randn(n_y, 1) * 10}


def draw_parameters(n_a, vocab_size, scale):
    # sample_test's order: Wax, Waa, Wya, b, by, each randn * scale
    p = {}
    p["Wax"] = np.random.randn(n_a, vocab_size) * scale
    p["Waa"] = np.random.randn(n_a, n_a) * scale
    p["Wya"] = np.random.randn(vocab_size, n_a) * scale
    p["b"] = np.random.randn(n_a, 1) * scale
    p["by"] = np.random.randn(vocab_size, 1) * scale
    return p


def clip_case(seed, n_x, n_a, n_y, maxValue):
    np.random.seed(seed)
    return clip(draw_gradients(n_x, n_a, n_y), maxValue)


def sample_case(seed, n_a, vocab_size, scale, newline_bias, sample_seed):
    # newline_bias is added to by[0] after the draws: very negative makes
    # the loop run to its 50-character cap, very positive stops it at once
    np.random.seed(seed)
    p = draw_parameters(n_a, vocab_size, scale)
    p["by"][0, 0] += newline_bias
    char_to_ix, _ = vocab("abcdefghijklmnopqrstuvwxyz"[:vocab_size - 1])
    return {"indices": sample(p, char_to_ix, sample_seed)}


def optimize_case(seed, n_a, vocab_size, scale, X, Y, lr):
    # optimize_test's order: a_prev, then the parameters as in sample
    np.random.seed(seed)
    a_prev = np.random.randn(n_a, 1)
    p = draw_parameters(n_a, vocab_size, scale)
    loss, g, a_last = optimize(X, Y, a_prev, p, lr)
    out = {"loss": loss, "a_last": a_last}
    for k in KEYS:
        out[k] = g[k]
    for k in p:
        out["new_" + k] = p[k]
    return out


def model_case(names, num_iterations, n_a, dino_names):
    char_to_ix, ix_to_char = vocab("abcdefghijklmnopqrstuvwxyz")
    p, last = model(names, ix_to_char, char_to_ix, num_iterations, n_a,
                    dino_names, 27)
    out = {"last_dino_name": last}
    out.update(p)
    return out


# ---- the course's published numbers, to check the reference ---------------

def check(name, got, want, tol=5e-9):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape or np.max(np.abs(got - want)) > tol:
        sys.exit("reference disagrees with the course on %s: %r vs %r"
                 % (name, got, want))


def check_course():
    for mv, want in ((10, [10.0, -10.0, 0.2971381536101662, 10.0,
                           8.45833407]),
                     (5, [5.0, -5.0, 0.2971381536101662, 5.0, 5.0])):
        g = clip_case(3, 3, 5, 2, mv)
        check("clip %d" % mv, [g["dWaa"][1][2], g["dWax"][3][1],
                               g["dWya"][1][2], g["db"][4][0],
                               g["dby"][1][0]], want)

    r = sample_case(24, 100, 27, 1.0, 0.0, 0)
    if r["indices"] != [23, 16, 26, 26, 24, 3, 21, 1, 7, 24, 15, 3, 25, 20,
                        6, 13, 10, 8, 20, 12, 2, 0]:
        sys.exit("reference disagrees with the course on sample: %r"
                 % r["indices"])

    r = optimize_case(1, 100, 27, 1.0, [12, 3, 5, 11, 22, 3],
                      [4, 14, 11, 22, 25, 26], 0.01)
    check("optimize loss", r["loss"], 126.50397572165389, 1e-10)
    check("optimize dWaa[1][2]", r["dWaa"][1][2], 0.19470931534713587)
    if np.argmax(r["dWax"]) != 93:
        sys.exit("reference disagrees with the course on argmax(dWax)")
    check("optimize dWya[1][2]", r["dWya"][1][2], -0.007773876032002162)
    check("optimize db[4]", r["db"][4][0], -0.06809825)
    check("optimize dby[1]", r["dby"][1][0], 0.01538192)
    check("optimize a_last[4]", r["a_last"][4][0], -1.0)

    # utils.get_initial_loss(27, 7), as the course prints it
    check("initial loss", get_initial_loss(27, 7), 23.0708581, 5e-8)


# ---- hidden cases -----------------------------------------------------------

def read_names():
    with open(NAMES, encoding="ascii") as f:
        names = f.read().split("\n")
    names = [n for n in names if n]
    for n in names:
        if not n.isalpha() or not n.islower():
            sys.exit("genera.txt: %r is not made of a-z" % n)
    return names


def cases(names):
    return {
        "clip": [
            dict(seed=7, n_x=6, n_a=4, n_y=6, maxValue=2.5,
                 out=clip_case(7, 6, 4, 6, 2.5)),
            dict(seed=12, n_x=2, n_a=3, n_y=5, maxValue=30,
                 out=clip_case(12, 2, 3, 5, 30)),
        ],
        "sample": [
            # an ordinary one, a six-character vocabulary that never picks
            # '\n' (the 50-character cap), and one that picks it at once
            dict(seed=5, n_a=30, vocab_size=27, scale=1.0, newline_bias=0.0,
                 sample_seed=3,
                 out=sample_case(5, 30, 27, 1.0, 0.0, 3)),
            dict(seed=8, n_a=7, vocab_size=6, scale=0.5, newline_bias=-30.0,
                 sample_seed=11,
                 out=sample_case(8, 7, 6, 0.5, -30.0, 11)),
            dict(seed=9, n_a=10, vocab_size=27, scale=0.3, newline_bias=40.0,
                 sample_seed=0,
                 out=sample_case(9, 10, 27, 0.3, 40.0, 0)),
        ],
        "optimize": [
            # the first input is None, as in model; gradients big enough to
            # be clipped; a vocabulary of 9
            dict(seed=2, n_a=20, vocab_size=27, scale=1.0,
                 X=[None, 20, 21, 18, 9, 1, 19], Y=[20, 21, 18, 9, 1, 19, 0],
                 lr=0.05,
                 out=optimize_case(2, 20, 27, 1.0,
                                   [None, 20, 21, 18, 9, 1, 19],
                                   [20, 21, 18, 9, 1, 19, 0], 0.05)),
            dict(seed=4, n_a=6, vocab_size=9, scale=0.1,
                 X=[None, 3, 8, 1], Y=[3, 8, 1, 0], lr=0.5,
                 out=optimize_case(4, 6, 9, 0.1, [None, 3, 8, 1],
                                   [3, 8, 1, 0], 0.5)),
        ],
        "model": [
            # the whole list, 300 iterations; 40 names, 130 iterations
            # (more than one pass: j % len(examples) wraps)
            dict(names="all", num_iterations=300, n_a=12, dino_names=3,
                 out=model_case(names, 300, 12, 3)),
            dict(names=40, num_iterations=130, n_a=9, dino_names=2,
                 out=model_case(names[:40], 130, 9, 2)),
        ],
    }


def lua_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace(
        "\n", "\\n") + '"'


def lua_value(v, indent):
    if v is None:
        return "false"
    if isinstance(v, str):
        return lua_string(v)
    if isinstance(v, (list, tuple)) and not any(
            isinstance(e, (list, tuple, np.ndarray)) for e in v):
        return "{" + ", ".join(lua_value(e, 0) for e in v) + "}"
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return "%d" % v
    return lua_array(v, indent)


def write_golden(names):
    out = ["-- w1_dinosaurs_golden.lua: expected values of the hidden tests of",
           "-- clip, sample, optimize and model, from a float64 numpy",
           "-- reference, and the names list of assets/names/genera.txt.",
           "-- Generated by tests/golden/gen/w1_dinosaurs.py (numpy %s):"
           % np.__version__,
           "-- do not edit.  Character indices are 0-based ('\\n' = 0).",
           "return {"]
    out.append("  names_sha256 = %s," % lua_string(
        hashlib.sha256(("\n".join(names) + "\n").encode()).hexdigest()))
    out.append("  names = {")
    line = "   "
    for n in names:
        item = " %s," % lua_string(n)
        if len(line) + len(item) > 78:
            out.append(line)
            line = "   "
        line += item
    out.append(line)
    out.append("  },")
    for fname, lst in cases(names).items():
        out.append("  %s = {" % fname)
        for case in lst:
            out.append("    {")
            res = case.pop("out")
            out.append("      " + ", ".join(
                "%s = %s" % (k, lua_value(case[k], 0)) for k in case) + ",")
            for key in sorted(res):
                out.append("      %s = %s," % (key, lua_value(res[key], 6)))
            out.append("    },")
        out.append("  },")
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
    write_golden(read_names())


if __name__ == "__main__":
    main()
