"""Argument checks shared by every module: each failure is a ValueError that names the argument,
what was expected and what was given."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np


def check_size(name: str, value: Any) -> int:
    """A positive integer size (``input_size``, ``hidden_size``); bools are rejected."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a positive integer, got {value!r} of type {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """One of a fixed set of strings (a variant, a nonlinearity)."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def as_float_array(name: str, value: Any, shape: tuple[int | None, ...]) -> np.ndarray:
    """``value`` as a finite float64 array of the given shape (``None`` in ``shape`` means any length).

    Python lists and tuples of numbers are converted to float; NumPy arrays must already have a
    floating dtype (an integer array is almost always a mistake, such as item ids fed as inputs).
    """
    if isinstance(value, (list, tuple, int, float)) and not isinstance(value, bool):
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{name} must be numbers of shape {_fmt(shape)}, got {value!r}") from err
    elif isinstance(value, np.ndarray) or np.isscalar(value):
        arr = np.asarray(value)
        if not np.issubdtype(arr.dtype, np.floating):
            raise ValueError(f"{name} must have a floating dtype (float64 preferred), got dtype {arr.dtype}")
        arr = arr.astype(np.float64, copy=False)
    else:
        raise ValueError(f"{name} must be a NumPy float array of shape {_fmt(shape)}, "
                         f"got {type(value).__name__}")
    if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape, strict=True)):
        raise ValueError(f"{name} must have shape {_fmt(shape)}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} must be finite, got {bad} NaN or infinite value(s)")
    return arr


def _fmt(shape: tuple[int | None, ...]) -> str:
    inner = ", ".join("T" if s is None else str(s) for s in shape)
    return "(" + inner + ("," if len(shape) == 1 else "") + ")"


def as_rng(rng: Any) -> np.random.Generator:
    """``None``, an int seed or a ``np.random.Generator`` as a Generator."""
    if rng is None or isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise ValueError(f"rng must be None, an int seed or a numpy.random.Generator, got {type(rng).__name__}")


def check_number(name: str, value: Any, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, integer: bool = False) -> float:
    """A finite real number (an int when ``integer``) within ``[low, high]`` (``(low, high]`` when ``low_open``).

    NaN and infinities are always rejected, so they can never reach a computation or a JSON record.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r} of type {type(value).__name__}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if integer and float(value) != int(value):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value!r}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}")
    return int(value) if integer else float(value)


def run_cli(main: Callable[[list[str] | None], int], argv: list[str] | None = None) -> int:
    """Run a command-line ``main(argv)`` so that a bad argument or an unusable file ends in ONE line.

    A ``ValueError`` (every check of this module) or an ``OSError`` (a file that cannot be read or written) is
    printed as ``error: <message>`` on stderr and the exit status is 2, like argparse's own usage errors; no
    traceback. Anything else is a bug and keeps its traceback.
    """
    try:
        return main(argv)
    except (ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
