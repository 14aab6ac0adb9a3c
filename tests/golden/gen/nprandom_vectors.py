#!/usr/bin/python3
"""Writes tests/golden/nprandom_vectors.h: what numpy's legacy RandomState
draws after np.random.seed(...), for tests/engine/test_nprandom.c.

Run from the project root with Debian's python3-numpy (1.24):

    /usr/bin/python3 tests/golden/gen/nprandom_vectors.py

Each case seeds the global generator (an int, or an array for
init_by_array), then runs a list of steps on it in order; the C test replays
the same steps on a struct seq_nprandom and compares every value exactly.
A case's `group` names the behaviour one C test checks.
"""

import os
import sys

import numpy as np

SEEDS = [0, 1, 2, 5, 42, 123456789, 4294967295]

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                   "nprandom_vectors.h")


def raw_u32(n):
    # randint over exactly 2**32 values takes one raw 32-bit word per draw.
    return [int(v) for v in np.random.randint(0, 2**32, size=n,
                                              dtype=np.uint64)]


# ---- steps: each runs numpy now and records what the C side must replay ----

def u32(n):
    return dict(op="NPV_U32", label="u32 x%d" % n, count=n, ints=raw_u32(n))


def dims(shape):
    return ", ".join(str(d) for d in shape)


def rand(*shape):
    v = np.random.rand(*shape)
    return dict(op="NPV_RAND", label="rand(%s)" % dims(shape), count=v.size,
                shape=shape, doubles=v.ravel().tolist())


def randn(*shape):
    v = np.random.randn(*shape)
    return dict(op="NPV_RANDN", label="randn(%s)" % dims(shape),
                count=v.size, shape=shape, doubles=v.ravel().tolist())


def uniform(lo, hi, n):
    v = np.random.uniform(lo, hi, n)
    return dict(op="NPV_UNIFORM", label="uniform(%r, %r, %d)" % (lo, hi, n),
                count=n, a=lo, b=hi, doubles=v.tolist())


def normal(loc, scale, n):
    v = np.random.normal(loc, scale, n)
    return dict(op="NPV_NORMAL", label="normal(%r, %r, %d)" % (loc, scale, n),
                count=n, a=loc, b=scale, doubles=v.tolist())


def randint(lo, hi, n):
    v = np.random.randint(lo, hi, size=n)
    assert v.dtype == np.int64
    return dict(op="NPV_RANDINT", label="randint(%d, %d, %d)" % (lo, hi, n),
                count=n, lo=lo, hi=hi, ints=[int(x) for x in v])


def permutation(n):
    v = np.random.permutation(n)
    return dict(op="NPV_PERMUTATION", label="permutation(%d)" % n, count=n,
                ints=[int(x) for x in v])


def shuffle_strings(items):
    x = list(items)
    np.random.shuffle(x)
    return dict(op="NPV_SHUFFLE_STRINGS", label="shuffle(%d strings)"
                % len(x), count=len(x), items=list(items), strings=x)


def choice(n, size, replace=True, p=None):
    v = np.random.choice(n, size, replace=replace, p=p)
    return dict(op="NPV_CHOICE", label="choice(%d, %d, replace=%s, p=%s)"
                % (n, size, replace, "None" if p is None else "[..]"),
                count=n, size=size, replace=int(replace),
                p=None if p is None else [float(x) for x in p],
                ints=[int(x) for x in v])


# ---- cases ------------------------------------------------------------------

def case(group, seed, *steps):
    """steps are thunks, so that they run after the seed is set."""
    if isinstance(seed, list):
        # A list, not an ndarray: numpy squeezes a one-element ndarray and
        # seeds with the integer instead of init_by_array.
        np.random.seed(list(seed))
        label = "seed_array(%d words)" % len(seed)
    else:
        np.random.seed(seed)
        label = "seed(%d)" % seed
    done = [s() for s in steps]
    return dict(group=group, seed=seed, label=label, steps=done)


def probs(n, skew):
    """A fixed probability vector that sums to 1 only within rounding."""
    w = np.array([1.0 + ((i * 7919) % 13) ** skew for i in range(n)])
    return w / w.sum()


def build_cases():
    cases = []
    add = cases.append
    for s in SEEDS:
        add(case("u32", s, lambda: u32(8)))
        add(case("rand", s, lambda: rand(7)))
        add(case("rand_2d", s, lambda: rand(3, 4)))
        add(case("randn_odd", s, lambda: randn(5)))
        add(case("randn_even", s, lambda: randn(6)))
        add(case("randn_interleaved", s, lambda: randn(3), lambda: rand(2),
                 lambda: randn(2), lambda: rand(1), lambda: randn(1)))
        add(case("uniform", s, lambda: uniform(-2.5, 7.0, 6),
                 lambda: uniform(5.0, -5.0, 3), lambda: uniform(0.0, 1e-3, 2)))
        add(case("normal", s, lambda: normal(3.0, 0.5, 5),
                 lambda: randn(1), lambda: normal(-1.0, 2.0, 2)))
        add(case("randint_small", s, lambda: randint(0, 10, 8),
                 lambda: randint(0, 9084, 5), lambda: randint(0, 2, 6),
                 lambda: randint(7, 1000000, 4)))
        add(case("randint_range_one", s, lambda: randint(3, 4, 3),
                 lambda: rand(2), lambda: randint(-9, -8, 2)))
        add(case("randint_negative", s, lambda: randint(-100, -50, 6),
                 lambda: randint(-1000, 1000, 6)))
        add(case("randint_large", s, lambda: randint(0, 2**32, 4),
                 lambda: randint(0, 2**32 + 1, 4),
                 lambda: randint(0, 2**40, 4),
                 lambda: randint(-2**62, 2**62, 4),
                 lambda: randint(-2**63, 2**63 - 1, 3),
                 lambda: randint(-5, 2**33, 3)))
        add(case("permutation", s, lambda: permutation(1),
                 lambda: permutation(2), lambda: permutation(10),
                 lambda: permutation(100)))
        add(case("shuffle_strings", s, lambda: shuffle_strings(
            ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta",
             "theta", "iota", "kappa", "lambda"]),
            lambda: rand(1)))
        add(case("choice_replace", s, lambda: choice(10, 6),
                 lambda: choice(1, 3), lambda: choice(9084, 4),
                 lambda: rand(1)))
        add(case("choice_p", s,
                 lambda: choice(5, 8, p=[0.1, 0.2, 0.3, 0.15, 0.25]),
                 lambda: choice(4, 5, p=[0.0, 0.5, 0.0, 0.5]),
                 lambda: choice(27, 10, p=probs(27, 1.5))))
        add(case("choice_no_replace", s,
                 lambda: choice(10, 4, replace=False),
                 lambda: choice(10, 10, replace=False),
                 lambda: choice(7, 0, replace=False),
                 lambda: choice(1, 1, replace=False),
                 lambda: rand(1)))
        add(case("choice_no_replace_p", s,
                 lambda: choice(6, 3, replace=False,
                                p=[0.1, 0.3, 0.05, 0.25, 0.2, 0.1]),
                 lambda: choice(5, 5, replace=False,
                                p=[0.9, 0.025, 0.025, 0.025, 0.025]),
                 lambda: choice(8, 4, replace=False,
                                p=[0.0, 0.2, 0.0, 0.3, 0.1, 0.0, 0.25,
                                   0.15]),
                 lambda: choice(27, 12, replace=False, p=probs(27, 3.0)),
                 lambda: rand(1)))
    # Crossing MT19937's 624-word refill several times.
    add(case("rand_long", 42, lambda: rand(700)))
    add(case("randn_long", 7, lambda: randn(701)))
    # The course's vector (course5.md section 0).
    add(case("course_randint", 5, lambda: randint(0, 9084, 5)))
    # init_by_array: short keys, a key word of 2**32-1, a key longer than
    # the state.
    long_key = [(i * 2654435761 + 12345) % 2**32 for i in range(700)]
    for key in ([0], [1, 2, 3], [4294967295, 0, 123], [5, 42], long_key):
        add(case("seed_array", key, lambda: u32(3), lambda: rand(3),
                 lambda: randn(3), lambda: randint(0, 100, 3)))
    return cases


def check_raw_words():
    """randint over 2**32 values must be the bit generator's raw output."""
    for s in SEEDS:
        rs = np.random.RandomState(s)
        words = rs.randint(0, 2**32, size=10, dtype=np.uint64)
        raw = np.random.RandomState(s)._bit_generator.random_raw(10)
        assert [int(x) for x in words] == [int(x) for x in raw], s


# ---- C output ---------------------------------------------------------------

def c_double(x):
    r = repr(float(x))
    assert float(r) == x and "n" not in r  # no inf/nan
    return r


def c_int64(x):
    if x == -2**63:
        return "(-INT64_C(9223372036854775807) - 1)"
    return "INT64_C(%d)" % x


def c_string(s):
    assert all(" " <= c <= "~" for c in s), s
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def emit_array(out, ctype, name, values, fmt):
    if not values:
        return "NULL"
    out.append("static const %s %s[%d] = {" % (ctype, name, len(values)))
    line = "   "
    for v in values:
        item = " " + fmt(v) + ","
        if len(line) + len(item) > 79:
            out.append(line)
            line = "   "
        line += item
    out.append(line)
    out.append("};")
    return name


def wrap_fields(fields):
    """One designated initializer, wrapped at 80 columns."""
    lines = []
    line = "    {"
    for i, fld in enumerate(fields):
        item = fld + ("}," if i == len(fields) - 1 else ",")
        if len(line) + 1 + len(item) > 79 and line.strip() != "{":
            lines.append(line)
            line = "     " + item
        else:
            line += ("" if line.endswith("{") else " ") + item
    lines.append(line)
    return lines


def emit_step(out, sp, st):
    """Writes a step's arrays to out; returns its initializer fields."""
    f = [".op = " + st["op"], ".label = " + c_string(st["label"]),
         ".count = %d" % st["count"]]
    shape = st.get("shape")
    if shape is not None and len(shape) != 1:
        f.append(".ndim = %d" % len(shape))
        f.append(".shape = {%s}" % ", ".join(str(d) for d in shape))
    if "a" in st:
        f.append(".a = " + c_double(st["a"]))
        f.append(".b = " + c_double(st["b"]))
    if "lo" in st:
        f.append(".lo = " + c_int64(st["lo"]))
        f.append(".hi = " + c_int64(st["hi"]))
    if st["op"] == "NPV_CHOICE":
        f.append(".size = %d" % st["size"])
        f.append(".replace = %d" % st["replace"])
    arrays = [("p", "double", "_p", st.get("p") or [], c_double),
              ("items", "char *const", "_items", st.get("items", []),
               c_string),
              ("want_f", "double", "_f", st.get("doubles", []), c_double),
              ("want_i", "int64_t", "_i", st.get("ints", []), c_int64),
              ("want_s", "char *const", "_s", st.get("strings", []),
               c_string)]
    for field, ctype, suffix, values, fmt in arrays:
        if values:
            f.append(".%s = %s" % (field, emit_array(out, ctype, sp + suffix,
                                                      values, fmt)))
    return f


def emit(cases):
    out = []
    out.append("/* nprandom_vectors.h — GENERATED by "
               "tests/golden/gen/nprandom_vectors.py")
    out.append(" * with numpy %s; do not edit.  What np.random draws after "
               "np.random.seed," % np.__version__)
    out.append(" * step by step, for tests/engine/test_nprandom.c. */")
    out.append("#ifndef NPRANDOM_VECTORS_H")
    out.append("#define NPRANDOM_VECTORS_H")
    out.append("")
    out.append("#include <stddef.h>")
    out.append("#include <stdint.h>")
    out.append("")
    out.append('#define NPV_NUMPY_VERSION "%s"' % np.__version__)
    out.append("")
    out.append("enum npv_op {")
    out.append("    NPV_U32, NPV_RAND, NPV_RANDN, NPV_UNIFORM, NPV_NORMAL, "
               "NPV_RANDINT,")
    out.append("    NPV_PERMUTATION, NPV_SHUFFLE_STRINGS, NPV_CHOICE,")
    out.append("};")
    out.append("")
    out.append("struct npv_step {")
    out.append("    enum npv_op op;")
    out.append("    const char *label;")
    out.append("    int64_t count;   /* draws, or the population for "
               "choice, */")
    out.append("                     /* permutation and shuffle */")
    out.append("    double a, b;     /* uniform low/high, normal loc/scale */")
    out.append("    int64_t lo, hi;  /* randint */")
    out.append("    int64_t size;    /* choice */")
    out.append("    int replace;     /* choice */")
    out.append("    const double *p; /* choice, or NULL */")
    out.append("    const char *const *items;   /* shuffle input */")
    out.append("    const double *want_f;       /* float results */")
    out.append("    const int64_t *want_i;      /* integer results */")
    out.append("    const char *const *want_s;  /* shuffle result */")
    out.append("    int ndim;           /* 0: one dimension of count */")
    out.append("    int64_t shape[4];   /* otherwise numpy's shape */")
    out.append("};")
    out.append("")
    out.append("struct npv_case {")
    out.append("    const char *group;")
    out.append("    const char *label;")
    out.append("    uint32_t seed;       /* used when nkey == 0 */")
    out.append("    const uint32_t *key; /* init_by_array key */")
    out.append("    size_t nkey;")
    out.append("    int nsteps;")
    out.append("    const struct npv_step *steps;")
    out.append("};")
    out.append("")
    table = []
    for ci, c in enumerate(cases):
        pre = "npv_c%d" % ci
        key = "NULL"
        nkey = 0
        seed = 0
        if isinstance(c["seed"], list):
            key = emit_array(out, "uint32_t", pre + "_key", c["seed"],
                             lambda v: "UINT32_C(%d)" % v)
            nkey = len(c["seed"])
        else:
            seed = c["seed"]
        steps = []
        for si, st in enumerate(c["steps"]):
            steps.append(emit_step(out, "%s_s%d" % (pre, si), st))
        out.append("static const struct npv_step %s_steps[] = {" % pre)
        for fields in steps:
            out.extend(wrap_fields(fields))
        out.append("};")
        out.append("")
        fields = [".group = " + c_string(c["group"]),
                  ".label = " + c_string(c["label"])]
        if nkey:
            fields += [".key = " + key, ".nkey = %d" % nkey]
        else:
            fields.append(".seed = UINT32_C(%d)" % seed)
        fields += [".nsteps = %d" % len(steps), ".steps = %s_steps" % pre]
        table.extend(wrap_fields(fields))
    out.append("static const struct npv_case npv_cases[] = {")
    out.extend(table)
    out.append("};")
    out.append("#define NPV_NCASES (sizeof npv_cases / sizeof npv_cases[0])")
    out.append("")
    out.append("#endif")
    return "\n".join(out) + "\n"


def main():
    if np.__version__.split(".")[:2] != ["1", "24"]:
        sys.stderr.write("warning: vectors were specified against numpy "
                         "1.24, this is %s\n" % np.__version__)
    check_raw_words()
    text = emit(build_cases())
    with open(OUT, "w") as f:
        f.write(text)
    print("wrote %s (%d bytes)" % (os.path.normpath(OUT), len(text)))


if __name__ == "__main__":
    main()
