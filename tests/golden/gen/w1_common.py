"""Pieces the Week 1 golden generators share: the activations of the
course's numpy reference and the writer of numpy values as Lua literals
(every number at %.17g, so that Lua reads back the same doubles)."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax_cols(z):
    # a probability distribution down each column (over the classes)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def lua_array(v, indent):
    """A number or an n-d array as a (nested) Lua table literal."""
    if np.ndim(v) == 0:
        return "%.17g" % float(v)
    if np.ndim(v) == 1:
        return "{" + ", ".join("%.17g" % float(e) for e in v) + "}"
    pad = " " * (indent + 2)
    rows = [pad + lua_array(r, indent + 2) for r in v]
    return "{\n" + ",\n".join(rows) + ",\n" + " " * indent + "}"
