"""Finite-difference checks of backpropagation: the test every hand-written gradient must pass.

The central difference ``(L(w + eps) - L(w - eps)) / (2 eps)`` has error ``O(eps**2)``; in float64 with
``eps = 1e-6`` it agrees with an exact gradient to about 1e-9 relative error, so a backward pass that is
off by a single term is caught at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from lessons.checks import as_rng


def relative_error(a: Any, b: Any) -> float:
    """``||a - b|| / (||a|| + ||b||)`` (Euclidean norms over all elements); 0.0 when both are zero."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = float(np.linalg.norm(a) + np.linalg.norm(b))
    return 0.0 if scale == 0.0 else float(np.linalg.norm(a - b) / scale)


def numerical_gradient(loss: Callable[[], float], array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of ``loss()`` with respect to every element of ``array``.

    ``array`` is perturbed **in place** (one element at a time, restored afterwards), so it must be the very
    array ``loss`` reads, e.g. a parameter of a cell or the inputs passed to it. Returns an array of
    ``array``'s shape.
    """
    if not isinstance(array, np.ndarray) or not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"array must be a float NumPy array, got {type(array).__name__}")
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    grad = np.zeros_like(array, dtype=np.float64)
    flat, gflat = array.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, array):
        raise ValueError("array must be contiguous so that it can be perturbed in place")
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old + eps
        up = loss()
        flat[j] = old - eps
        down = loss()
        flat[j] = old
        gflat[j] = (up - down) / (2 * eps)
    return grad


def check_cell_gradients(cell: Any, xs: Any, h0: Any = None, c0: Any = None, rng: Any = 0,
                         eps: float = 1e-6) -> dict[str, float]:
    """Relative error between ``cell.backward`` and finite differences for every parameter and input.

    The loss is a fixed random linear read-out of every hidden state, ``L = sum_t w_t . h_t`` with
    ``w: (T, H)`` drawn from ``rng``, so ``dL/dh = w``. ``xs: (T, input_size)``; ``h0`` (and ``c0`` for an
    LSTM) default to small random states so their gradients are checked too. Returns ``{name: error}`` for
    every parameter, ``"xs"``, ``"h0"`` and, for an LSTM, ``"c0"``.
    """
    gen = as_rng(rng)
    is_lstm = hasattr(cell, "W_xf")
    xs = np.array(xs, dtype=np.float64)
    H = cell.hidden_size
    h0 = gen.normal(0, 0.5, H) if h0 is None else np.array(h0, dtype=np.float64)
    states = {"h0": h0}
    if is_lstm:
        states["c0"] = gen.normal(0, 0.5, H) if c0 is None else np.array(c0, dtype=np.float64)
    w = gen.normal(size=(xs.shape[0], H))

    def loss() -> float:
        return float(np.sum(w * cell.forward(xs, **states).h))

    grads = cell.backward(cell.forward(xs, **states), w)
    errors = {name: relative_error(grads[name], numerical_gradient(loss, p, eps))
              for name, p in cell.parameters().items()}
    errors["xs"] = relative_error(grads["xs"], numerical_gradient(loss, xs, eps))
    for name, s in states.items():
        errors[name] = relative_error(grads[name], numerical_gradient(loss, s, eps))
    return errors


def torch_gradients(cell: Any, xs: Any, h0: Any, dh: Any) -> dict[str, np.ndarray]:
    """The same gradients by torch autograd: ``L = sum_t dh_t . h_t`` through ``cell.to_torch()``.

    ``cell``: a :class:`~lessons.rnn.GRU` or :class:`~lessons.rnn.RNN` (an LSTM's state is a pair);
    ``xs: (T, input_size)``, ``h0: (H,)``, ``dh: (T, H)``. Returns the gradient of every torch parameter by its
    torch name (``"weight_hh_l0"``, ...) plus ``"xs"`` ``(T, input_size)`` and ``"h0"`` ``(H,)``.
    """
    import torch

    module = cell.to_torch()
    x_t = torch.from_numpy(np.asarray(xs, dtype=np.float64))[:, None].requires_grad_()
    h_t = torch.from_numpy(np.asarray(h0, dtype=np.float64))[None, None].requires_grad_()
    out, _ = module(x_t, h_t)
    (out[:, 0] * torch.from_numpy(np.asarray(dh, dtype=np.float64))).sum().backward()
    grads = {name: p.grad.numpy() for name, p in module.named_parameters()}
    grads.update(xs=x_t.grad[:, 0].numpy(), h0=h_t.grad[0, 0].numpy())
    return grads
