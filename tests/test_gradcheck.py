"""The finite-difference helpers themselves: exact on known functions, and they catch a wrong gradient."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.rnn import GRU
from lessons.rnn.gradcheck import check_cell_gradients, numerical_gradient, relative_error


def test_relative_error_known_values() -> None:
    assert relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error([1.0], [3.0]) == pytest.approx(0.5)
    assert relative_error([1.0], [-1.0]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"same shape.*\(2,\).*\(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))


def test_numerical_gradient_of_a_cubic_and_restores_the_array() -> None:
    w = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = w.copy()
    g = numerical_gradient(lambda: float(np.sum(w**3)), w, eps=1e-5)
    np.testing.assert_allclose(g, 3 * before**2, rtol=1e-9)
    np.testing.assert_array_equal(w, before)


def test_numerical_gradient_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="array must be a float NumPy array"):
        numerical_gradient(lambda: 0.0, np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="eps must be positive, got 0"):
        numerical_gradient(lambda: 0.0, np.zeros(3), eps=0)


def test_a_wrong_backward_is_caught() -> None:
    """Drop one term of the GRU backward (the reset gate's path) and the check fails loudly."""

    class BrokenGRU(GRU):
        def backward(self, trace, dh):
            grads = super().backward(trace, dh)
            grads["W_hr"] = 0.9 * grads["W_hr"]
            return grads

    errors = check_cell_gradients(BrokenGRU(2, 2, rng=0), np.ones((3, 2)), rng=0)
    assert errors["W_hr"] > 1e-2
    assert errors["W_hz"] <= 1e-6
