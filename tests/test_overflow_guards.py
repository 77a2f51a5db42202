"""Library functions refuse the inputs that used to overflow or mix silently (issue 14): infinite simulator
knobs, a Trace fed to another cell's backward, torch weights with NaN."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from lessons.data.simulate import simulate
from lessons.rnn import GRU, LSTM, RNN


@pytest.mark.parametrize("knob", ["gap_long_hours", "gap_burst_minutes", "taste_concentration", "burst_len", "zipf"])
@pytest.mark.parametrize("value", [math.inf, math.nan])
def test_simulate_refuses_infinite_or_nan_knobs(knob: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"{knob} must be finite"):
        simulate("news", n_users=20, **{knob: value})


def test_simulate_refuses_gaps_that_would_overflow_timestamps() -> None:
    with pytest.raises(ValueError, match="gap_long_hours must be <= 1000000"):
        simulate("news", n_users=20, gap_long_hours=1e300)
    times = simulate("news", n_users=20, gap_long_hours=1e6).times
    assert times[times >= 0].max() > 0  # the largest allowed gap still gives positive int64 timestamps


XS = np.random.default_rng(0).normal(size=(4, 3))


@pytest.mark.parametrize(("make", "other"), [
    (lambda: GRU(3, 2, variant="article", rng=0), lambda: GRU(3, 2, variant="pytorch", rng=0)),
    (lambda: GRU(3, 2, variant="pytorch", rng=0), lambda: GRU(3, 2, variant="cho", rng=0)),
    (lambda: LSTM(3, 2, rng=0), lambda: GRU(3, 2, rng=0)),
    (lambda: RNN(3, 2, nonlinearity="relu", rng=0), lambda: RNN(3, 2, rng=0)),
    (lambda: GRU(3, 2, rng=0), lambda: GRU(3, 5, rng=0)),
])
def test_backward_refuses_a_trace_of_another_cell(make, other) -> None:
    trace = make().forward(XS)
    cell = other()
    with pytest.raises(ValueError, match="trace must"):
        cell.backward(trace, np.ones((4, cell.hidden_size)))
    make().backward(trace, np.ones((4, 2)))  # its own cell takes it


@pytest.mark.parametrize(("module", "cls"), [(torch.nn.GRU(3, 2), GRU), (torch.nn.LSTM(3, 2), LSTM),
                                             (torch.nn.RNN(3, 2), RNN)])
def test_from_torch_refuses_nan_weights(module: torch.nn.Module, cls: type) -> None:
    with torch.no_grad():
        module.weight_hh_l0[0, 0] = float("nan")
    with pytest.raises(ValueError, match=r"module.weight_hh_l0 must be finite, got 1 NaN"):
        cls.from_torch(module)
