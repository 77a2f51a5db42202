"""What the three recurrent cells share: named parameters, PyTorch's initialisation, input checks."""

from __future__ import annotations

from typing import Any

import numpy as np

from lessons.checks import as_float_array, as_rng, check_size
from lessons.mathfn import sigmoid

__all__ = ["Cell", "one_step_xs", "sigmoid"]  # sigmoid is re-exported for the cells (defined in lessons.mathfn)


class Cell:
    """Base class: a recurrent cell whose parameters are plain NumPy attributes named in ``_names``."""

    _names: tuple[str, ...] = ()

    def __init__(self, input_size: int, hidden_size: int) -> None:
        self.input_size = check_size("input_size", input_size)
        self.hidden_size = check_size("hidden_size", hidden_size)

    def _shape(self, name: str) -> tuple[int, ...]:
        """Shape of parameter ``name``: ``W_x*`` (H, I), ``W_h*`` (H, H), ``b_*`` (H,)."""
        H = self.hidden_size
        if name.startswith("W_x"):
            return (H, self.input_size)
        if name.startswith("W_h"):
            return (H, H)
        return (H,)

    def _init_parameters(self, rng: Any) -> None:
        """Uniform(-1/sqrt(H), 1/sqrt(H)) for every parameter, like ``torch.nn.GRU``/``LSTM``/``RNN``."""
        gen = as_rng(rng)
        k = 1.0 / np.sqrt(self.hidden_size)
        for name in self._names:
            setattr(self, name, gen.uniform(-k, k, size=self._shape(name)))

    def parameters(self) -> dict[str, np.ndarray]:
        """Every parameter by name (the arrays themselves, not copies: editing them edits the cell)."""
        return {name: getattr(self, name) for name in self._names}

    def num_parameters(self) -> int:
        """Total number of scalar parameters."""
        return int(sum(p.size for p in self.parameters().values()))

    def set_parameters(self, **values: Any) -> None:
        """Replace some parameters by name, checking shapes: ``cell.set_parameters(b_z=np.zeros(H))``."""
        for name, value in values.items():
            if name not in self._names:
                raise ValueError(f"parameter name must be one of {self._names}, got {name!r}")
            setattr(self, name, as_float_array(name, value, self._shape(name)).copy())

    def _check_xs(self, xs: Any) -> np.ndarray:
        return as_float_array("xs", xs, (None, self.input_size))

    def _check_state(self, name: str, value: Any) -> np.ndarray:
        if value is None:
            return np.zeros(self.hidden_size)
        return as_float_array(name, value, (self.hidden_size,))

    def kind(self) -> str:
        """The name a :class:`~lessons.rnn.trace.Trace` of this cell carries, e.g. ``"GRU(variant='pytorch')"``."""
        return type(self).__name__ + "(" + self._repr_extra().removeprefix(", ") + ")"

    def _check_trace(self, trace: Any) -> None:
        """Raise ``ValueError`` unless ``trace`` is a Trace this kind and size of cell made."""
        kind = getattr(trace, "cell", None)
        if kind != self.kind():
            raise ValueError(f"trace must come from a {self.kind()} forward pass, got one from {kind or 'unknown'}")
        h = np.shape(trace.h)
        xs = np.shape(trace.xs)
        if len(h) != 2 or h[1] != self.hidden_size or len(xs) != 2 or xs[1] != self.input_size:
            raise ValueError(f"trace must have xs (T, {self.input_size}) and h (T, {self.hidden_size}), "
                             f"got xs {xs} and h {h}")

    def _check_dh(self, dh: Any, T: int) -> np.ndarray:
        return as_float_array("dh", dh, (T, self.hidden_size))

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size}"
                f"{self._repr_extra()})")

    def _repr_extra(self) -> str:
        return ""


def one_step_xs(cell: Cell, x: Any) -> np.ndarray:
    """One input ``x: (input_size,)`` (a number if ``input_size == 1``) as ``xs: (1, input_size)``."""
    if isinstance(x, (int, float, np.floating)) and not isinstance(x, bool):
        x = [float(x)]
    elif isinstance(x, np.ndarray) and x.ndim == 0:
        x = x.reshape(1)
    arr = as_float_array("x", x, (cell.input_size,))
    return arr[None, :]
