"""A companion to the article's example: a one-unit GRU whose reset and update gates have their own parameters.

In the article's example the two gates share every number, so they are equal at every step and the example
cannot show what tells them apart. Here each gate has its own weights (PyTorch's convention, input size 1,
hidden size 1), chosen so that a reader can follow the state by hand:

====================  =====  =====  ======
gate                  W_x*   W_h*   bias
====================  =====  =====  ======
update ``z``          -4     0      2       keeps the state (z near 1) unless a click arrives (x = 1)
reset ``r``           0      4      -1      lets the candidate read the state only when the state is high
candidate ``n``       2      1      b_in 0, b_hn 0
====================  =====  =====  ======

Inputs ``x_t`` are 1 (a click on the topic the unit tracks) or 0 (nothing, or a click elsewhere). The update gate
reads only the input: it decides *whether* the state may change at this step. The reset gate reads only the
state: it decides *how much of the past* the candidate may build on. Time steps: the ``"t"`` field is the
equation's label 1..T.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lessons.rnn import GRU

PARAMETERS: dict[str, float] = {"W_xz": -4.0, "W_hz": 0.0, "b_z": 2.0, "W_xr": 0.0, "W_hr": 4.0, "b_r": -1.0,
                                "W_xn": 2.0, "W_hn": 1.0, "b_in": 0.0, "b_hn": 0.0}
"""One number per weight and bias (input size 1, hidden size 1)."""

XS: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 1.0, 0.0)
"""A click, two quiet steps, two clicks in a row, a quiet step."""


def two_gate_gru() -> GRU:
    """The :class:`lessons.rnn.GRU` (PyTorch variant, 1 input, 1 unit) holding :data:`PARAMETERS`."""
    cell = GRU(1, 1, variant="pytorch", rng=0)
    cell.set_parameters(**{name: np.array([[v]]) if name.startswith("W") else np.array([v])
                           for name, v in PARAMETERS.items()})
    return cell


def two_gate_steps(xs: Any = XS) -> list[dict[str, float]]:
    """The example step by step from ``h_0 = 0``: one row ``{"t", "x", "z", "r", "n", "h"}`` per input.

    ``xs``: the scalar inputs (T,). The update ``h_t = (1 - z_t) n_t + z_t h_{t-1}`` can be checked on each row.
    """
    xs_arr = np.asarray(xs, dtype=np.float64).reshape(-1, 1)
    tr = two_gate_gru().forward(xs_arr, np.zeros(1))
    return [{"t": t + 1, "x": float(xs_arr[t, 0]), "z": float(tr.gates["z"][t, 0]), "r": float(tr.gates["r"][t, 0]),
             "n": float(tr.gates["n"][t, 0]), "h": float(tr.h[t, 0])} for t in range(tr.T)]
