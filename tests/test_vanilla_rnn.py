"""The NumPy Elman RNN: parity with torch.nn.RNN, BPTT checks, the one-step Jacobians."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lessons.pictures import gradients
from lessons.rnn import RNN
from lessons.rnn.gradcheck import check_cell_gradients, torch_gradients

pytestmark = pytest.mark.usefixtures("torch_single_thread")


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_forward_matches_torch(nonlinearity: str) -> None:
    torch.manual_seed(0)
    module = torch.nn.RNN(3, 4, nonlinearity=nonlinearity, dtype=torch.float64)
    cell = RNN.from_torch(module)
    rng = np.random.default_rng(0)
    xs, h0 = rng.normal(size=(6, 3)), rng.normal(size=4)
    out, _ = module(torch.from_numpy(xs)[:, None], torch.from_numpy(h0)[None, None])
    assert np.max(np.abs(cell.forward(xs, h0).h - out[:, 0].detach().numpy())) <= 1e-10
    back = RNN.from_torch(cell.to_torch())
    np.testing.assert_array_equal(back.W_hh, cell.W_hh)
    assert cell.num_parameters() == 4 * (3 + 4 + 1)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_backward_matches_finite_differences(nonlinearity: str) -> None:
    cell = RNN(2, 3, nonlinearity=nonlinearity, rng=1)
    errors = check_cell_gradients(cell, np.random.default_rng(2).normal(size=(5, 2)), rng=3)
    assert set(errors) == {"W_xh", "W_hh", "b_h", "xs", "h0"}
    assert max(errors.values()) <= 1e-6, errors


def test_jacobian_product_is_the_gradient_to_h0() -> None:
    """dL/dh0 for L = w . h_T equals w^T J_T ... J_1: the product the vanishing-gradient chapter studies."""
    cell = RNN(2, 3, rng=4)
    rng = np.random.default_rng(4)
    xs, h0, w = rng.normal(size=(6, 2)), rng.normal(size=3), rng.normal(size=3)
    tr = cell.forward(xs, h0)
    J = cell.jacobians(tr)
    assert J.shape == (6, 3, 3)
    prod = np.eye(3)
    for t in range(6):
        prod = J[t] @ prod
    dh = np.zeros((6, 3))
    dh[-1] = w
    np.testing.assert_allclose(cell.backward(tr, dh)["h0"], w @ prod, atol=1e-13)


def test_small_recurrent_weights_make_gradients_vanish() -> None:
    cell = RNN(1, 4, rng=0)
    cell.W_hh[...] = 0.5 * np.eye(4)  # spectral norm 0.5, tanh' <= 1: each step at least halves the gradient
    T = 30
    tr = cell.forward(np.random.default_rng(0).normal(size=(T, 1)))
    dh = np.zeros((T, 4))
    dh[-1] = 1.0
    assert np.linalg.norm(cell.backward(tr, dh)["h0"]) <= 2.0 * 0.5**T


def test_clear_errors() -> None:
    with pytest.raises(ValueError, match="nonlinearity.*sigmoid"):
        RNN(2, 3, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"xs must have shape \(T, 2\), got shape \(3, 1\)"):
        RNN(2, 3, rng=0).forward(np.zeros((3, 1)))
    with pytest.raises(ValueError, match="torch.nn.RNN"):
        RNN.from_torch(torch.nn.GRU(2, 3))


def test_backward_matches_torch_autograd() -> None:
    cell = RNN(3, 4, rng=5)
    rng = np.random.default_rng(5)
    xs, h0, dh = rng.normal(size=(6, 3)), rng.normal(size=4), rng.normal(size=(6, 4))
    grads = cell.backward(cell.forward(xs, h0), dh)
    auto = torch_gradients(cell, xs, h0, dh)
    for ours, theirs in (("W_hh", "weight_hh_l0"), ("W_xh", "weight_ih_l0"), ("b_h", "bias_hh_l0"), ("xs", "xs"),
                         ("h0", "h0")):
        np.testing.assert_allclose(grads[ours], auto[theirs], atol=1e-12)


def test_trace_step_access() -> None:
    tr = RNN(1, 2, rng=0).forward([[1.0], [2.0]])
    assert set(tr.at(1)) == {"x", "h_prev", "h", "pre_h"}
    np.testing.assert_array_equal(tr.at(1)["h_prev"], tr.h[0])
    np.testing.assert_array_equal(tr.last, tr.h[-1])
    with pytest.raises(ValueError, match=r"t must be a step index in \[0, 2\), got 2"):
        tr.at(2)


def test_explicit_jacobian_product_equals_bptt() -> None:
    """The chapter's check: the written-out product of step Jacobians is what backward() computes."""
    xs = gradients.model_inputs(T=12, input_size=3)
    rnn = RNN(3, 5, rng=1)
    J = gradients.input_jacobians(rnn, xs)
    for t in (0, 5, 11):
        np.testing.assert_allclose(gradients.explicit_input_jacobian(rnn, rnn.forward(xs), t), J[t], atol=1e-13)
    with pytest.raises(ValueError, match="t: expected a 0-based step"):
        gradients.explicit_input_jacobian(rnn, rnn.forward(xs), 12)


def test_gradient_chapter_numbers() -> None:
    k = gradients.key_numbers()
    assert float(k["bptt_gap"]) < 1e-12
    assert float(k["reach20_RNN"]) < float(k["reach20_LSTM3"]) < float(k["reach20_GRU3"]) < 1  # a bias of 3 keeps
    assert float(k["reach40_relu"]) > 1  # the ReLU RNN with spectral norm 2 explodes
    assert k["f3"] == "0.953" and k["half_pow20"] == "9.5e-07"
