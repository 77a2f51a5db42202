"""The two scalar functions every gate is made of: :func:`sigmoid` and its inverse :func:`logit`.

One definition each for the whole package (the recurrent cells, the worked example, the figures).
"""

from __future__ import annotations

import math

import numpy as np


def sigmoid(a: np.ndarray | float) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-a))``, element-wise, stable for large ``|a|``.

    Computed as ``(1 + tanh(a / 2)) / 2``, which never overflows. ``a``: any shape; returns a float64 array
    of the same shape (a 0-d array for a number).
    """
    a = np.asarray(a, dtype=np.float64)
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def logit(p: float) -> float:
    """The argument a sigmoid needs to output ``p`` (0 < p < 1): ``log(p / (1 - p))``."""
    p = float(p)
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be strictly between 0 and 1, got {p:g}")
    return math.log(p / (1 - p))
