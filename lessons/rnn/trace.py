"""The record of one forward pass of a recurrent cell: inputs, states, gates and pre-activations.

Every chapter that draws a gate or a state reads it from a :class:`Trace`, and every ``backward``
reads the values it needs from the same record, so pictures and gradients can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Trace:
    """What a cell computed over a sequence of ``T`` steps.

    Attributes
    ----------
    xs: (T, input_size)
        The inputs ``x_1 ... x_T``.
    h0: (hidden_size,)
        The initial hidden state.
    h: (T, hidden_size)
        The hidden states ``h_1 ... h_T`` (row ``t - 1`` is ``h_t``).
    gates: dict name -> (T, hidden_size)
        Gate values after their nonlinearity. GRU: ``"r"`` reset, ``"z"`` update, ``"n"`` candidate state;
        LSTM: ``"i"`` input, ``"f"`` forget, ``"g"`` candidate cell, ``"o"`` output; vanilla RNN: empty.
    pre: dict name -> (T, hidden_size)
        Pre-activations (the argument of the sigmoid or tanh), same keys as ``gates``
        (vanilla RNN: ``"h"``, the argument of its nonlinearity).
    c: (T, hidden_size) or None
        LSTM cell states ``c_1 ... c_T``.
    c0: (hidden_size,) or None
        LSTM initial cell state.
    cache: dict name -> (T, hidden_size)
        Further intermediate values a backward pass needs (e.g. the PyTorch GRU's ``W_hn h + b_hn``).
    cell: str
        Which cell made it (e.g. ``"GRU(variant='pytorch')"``): a ``backward`` refuses a Trace of another cell,
        whose gates and cache mean something else.
    """

    xs: np.ndarray
    h0: np.ndarray
    h: np.ndarray
    gates: dict[str, np.ndarray] = field(default_factory=dict)
    pre: dict[str, np.ndarray] = field(default_factory=dict)
    c: np.ndarray | None = None
    c0: np.ndarray | None = None
    cache: dict[str, np.ndarray] = field(default_factory=dict)
    cell: str = ""

    @property
    def T(self) -> int:  # noqa: N802 (the book's name for the sequence length)
        """Number of steps."""
        return int(self.h.shape[0])

    @property
    def hidden_size(self) -> int:
        return int(self.h.shape[1])

    @property
    def h_prev(self) -> np.ndarray:
        """(T, hidden_size): the state each step started from, ``h_0 ... h_{T-1}``."""
        return np.vstack([self.h0[None, :], self.h[:-1]])

    @property
    def c_prev(self) -> np.ndarray | None:
        """(T, hidden_size): LSTM cell state each step started from, ``c_0 ... c_{T-1}``."""
        if self.c is None or self.c0 is None:
            return None
        return np.vstack([self.c0[None, :], self.c[:-1]])

    @property
    def last(self) -> np.ndarray:
        """(hidden_size,): the final hidden state ``h_T``."""
        return self.h[-1]

    def at(self, t: int) -> dict[str, np.ndarray]:
        """Everything about step ``t`` (0-based row index) as a flat dict of 1-D arrays.

        Keys: ``"x"``, ``"h_prev"``, ``"h"``, each gate name, ``"pre_" + gate name``, and for an LSTM
        ``"c_prev"``, ``"c"``.
        """
        if not -self.T <= t < self.T:
            raise ValueError(f"t must be a step index in [0, {self.T}), got {t}")
        out: dict[str, np.ndarray] = {"x": self.xs[t], "h_prev": self.h_prev[t], "h": self.h[t]}
        out.update({k: v[t] for k, v in self.gates.items()})
        out.update({"pre_" + k: v[t] for k, v in self.pre.items()})
        if self.c is not None:
            out["c_prev"] = self.c_prev[t]  # type: ignore[index]
            out["c"] = self.c[t]
        return out
