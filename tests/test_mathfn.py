"""The one sigmoid and the one logit of the package: known values, stability, inverse of each other, errors."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.mathfn import logit, sigmoid


def test_sigmoid_known_values_and_stability() -> None:
    assert sigmoid(0.0) == pytest.approx(0.5)
    assert sigmoid(np.log(3.0)) == pytest.approx(0.75)
    np.testing.assert_allclose(sigmoid(np.array([-2.0, 1.0])), 1 / (1 + np.exp([2.0, -1.0])), rtol=1e-15)
    with np.errstate(over="raise", invalid="raise"):
        vals = sigmoid(np.array([-1000.0, 1000.0]))
    np.testing.assert_allclose(vals, [0.0, 1.0])
    assert sigmoid(np.zeros((2, 3))).shape == (2, 3)


def test_logit_inverts_sigmoid() -> None:
    assert logit(0.75) == pytest.approx(np.log(3.0))
    assert logit(0.8) == pytest.approx(np.log(4.0))  # the worked example's printed gate needs ln 4
    for p in (0.01, 0.3, 0.5, 0.95):
        assert float(sigmoid(logit(p))) == pytest.approx(p, rel=1e-12)
    assert isinstance(logit(0.5), float)


@pytest.mark.parametrize("p", [0.0, 1.0, -0.2, 1.5])
def test_logit_rejects_values_outside_the_open_interval(p: float) -> None:
    with pytest.raises(ValueError, match="p must be strictly between 0 and 1"):
        logit(p)
