"""The NumPy GRU: parity with torch.nn.GRU, BPTT against finite differences and autograd, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lessons.rnn import GRU, sigmoid
from lessons.rnn.gradcheck import check_cell_gradients

torch.set_num_threads(1)


def torch_forward(module: torch.nn.GRU, xs: np.ndarray, h0: np.ndarray | None) -> np.ndarray:
    x = torch.from_numpy(xs)
    x = x[None] if module.batch_first else x[:, None]
    hx = None if h0 is None else torch.from_numpy(h0)[None, None]
    out, _ = module(x, hx)
    return (out[0] if module.batch_first else out[:, 0]).detach().numpy()


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("with_h0", [False, True])
def test_forward_matches_torch(seed: int, with_h0: bool) -> None:
    rng = np.random.default_rng(seed)
    n_in, H, T = (int(v) for v in rng.integers(1, 6, size=3))
    torch.manual_seed(seed)
    module = torch.nn.GRU(n_in, H, batch_first=bool(seed % 2), dtype=torch.float64)
    with torch.no_grad():  # bigger than the default init so that the gates are far from 1/2
        for p in module.parameters():
            p.uniform_(-1.5, 1.5)
    cell = GRU.from_torch(module)
    xs = rng.normal(size=(T, n_in))
    h0 = rng.normal(size=H) if with_h0 else None
    assert np.max(np.abs(cell.forward(xs, h0).h - torch_forward(module, xs, h0))) <= 1e-10


def test_to_torch_round_trip_and_parity() -> None:
    cell = GRU(3, 4, rng=7)
    module = cell.to_torch(batch_first=True)
    xs, h0 = np.random.default_rng(1).normal(size=(6, 3)), np.full(4, 0.3)
    assert np.max(np.abs(cell.forward(xs, h0).h - torch_forward(module, xs, h0))) <= 1e-10
    back = GRU.from_torch(module)
    for name, p in cell.parameters().items():
        np.testing.assert_array_equal(back.parameters()[name], p)


def test_from_torch_float32_module_and_no_bias() -> None:
    torch.manual_seed(0)
    module = torch.nn.GRU(2, 3, bias=False)
    cell = GRU.from_torch(module)
    assert np.all(cell.b_r == 0) and np.all(cell.b_hn == 0)
    xs = np.random.default_rng(0).normal(size=(4, 2))
    ref = torch_forward(module.double(), xs, None)
    assert np.max(np.abs(cell.forward(xs).h - ref)) <= 1e-10


def test_trace_shapes_and_values_follow_the_equations() -> None:
    cell = GRU(2, 3, rng=0)
    xs = np.random.default_rng(2).normal(size=(5, 2))
    tr = cell.forward(xs)
    assert tr.xs.shape == (5, 2) and tr.h.shape == (5, 3) and tr.h0.shape == (3,)
    assert set(tr.gates) == set(tr.pre) == {"r", "z", "n"}
    for k in ("r", "z"):
        np.testing.assert_allclose(tr.gates[k], sigmoid(tr.pre[k]))
        assert np.all((tr.gates[k] > 0) & (tr.gates[k] < 1))
    np.testing.assert_allclose(tr.gates["n"], np.tanh(tr.pre["n"]))
    z, n = tr.gates["z"], tr.gates["n"]
    np.testing.assert_allclose(tr.h, (1 - z) * n + z * tr.h_prev)


def test_zero_parameters_halve_the_state() -> None:
    """All parameters 0: r = z = 1/2 and n = tanh(0) = 0, so h_t = h_{t-1} / 2 exactly."""
    cell = GRU(1, 2, rng=0)
    for p in cell.parameters().values():
        p[...] = 0.0  # parameters() gives the arrays themselves
    tr = cell.forward(np.ones((3, 1)), h0=[1.0, -2.0])
    np.testing.assert_allclose(tr.h, [[0.5, -1.0], [0.25, -0.5], [0.125, -0.25]])


def test_step_equals_one_row_of_forward() -> None:
    cell = GRU(1, 2, variant="cho", rng=3)
    tr = cell.forward([[0.5], [1.5]], h0=[0.1, 0.2])
    s = cell.step(1.5, tr.h[0])
    np.testing.assert_allclose(s["h"], tr.h[1])
    np.testing.assert_allclose(s["pre_z"], tr.pre["z"][1])
    np.testing.assert_allclose(s["h_prev"], tr.h[0])


def test_article_variant_is_cho_with_negated_update_gate() -> None:
    """(1-z) h + z n with z = sigmoid(a) is Cho's form with sigmoid(-a): 1 - sigmoid(a) = sigmoid(-a)."""
    art, cho = GRU(2, 3, variant="article", rng=5), GRU(2, 3, variant="cho", rng=5)
    for name in ("W_xz", "W_hz", "b_z"):
        getattr(cho, name)[...] = -getattr(art, name)
    xs = np.random.default_rng(4).normal(size=(6, 2))
    np.testing.assert_allclose(art.forward(xs).h, cho.forward(xs).h, atol=1e-14)


def test_variants_differ_and_count_parameters() -> None:
    n_in, H = 3, 4
    cells = {v: GRU(n_in, H, variant=v, rng=1) for v in ("pytorch", "cho", "article")}
    assert cells["pytorch"].num_parameters() == 3 * H * (n_in + H) + 4 * H
    assert cells["cho"].num_parameters() == cells["article"].num_parameters() == 3 * H * (n_in + H) + 3 * H
    assert sum(p.numel() for p in cells["pytorch"].to_torch().parameters()) == 3 * H * (n_in + H) + 6 * H
    xs = np.random.default_rng(0).normal(size=(4, n_in))
    h0 = np.ones(H)
    cho = cells["cho"]
    pt = GRU(n_in, H, rng=1)
    for name in ("W_xr", "W_hr", "b_r", "W_xz", "W_hz", "b_z", "W_xn", "W_hn"):
        getattr(pt, name)[...] = getattr(cho, name)
    pt.b_in[...], pt.b_hn[...] = cho.b_n, 0.0
    assert np.max(np.abs(pt.forward(xs, h0).h - cho.forward(xs, h0).h)) > 1e-3  # reset before vs after W_hn


def test_seed_reproducible() -> None:
    a, b = GRU(2, 3, rng=11), GRU(2, 3, rng=np.random.default_rng(11))
    for name, p in a.parameters().items():
        np.testing.assert_array_equal(p, b.parameters()[name])
    assert np.all(np.abs(a.W_hn) <= 1 / np.sqrt(3))


@pytest.mark.parametrize("variant", ["pytorch", "cho", "article"])
def test_backward_matches_finite_differences(variant: str) -> None:
    cell = GRU(2, 3, variant=variant, rng=2)
    xs = np.random.default_rng(3).normal(size=(4, 2))
    errors = check_cell_gradients(cell, xs, rng=1)
    assert set(errors) == set(cell.parameters()) | {"xs", "h0"}
    assert max(errors.values()) <= 1e-6, errors


def test_backward_matches_torch_autograd() -> None:
    cell = GRU(3, 4, rng=8)
    rng = np.random.default_rng(9)
    xs, h0, dh = rng.normal(size=(5, 3)), rng.normal(size=4), rng.normal(size=(5, 4))
    grads = cell.backward(cell.forward(xs, h0), dh)
    module = cell.to_torch()
    x_t = torch.from_numpy(xs)[:, None].requires_grad_()
    h_t = torch.from_numpy(h0)[None, None].requires_grad_()
    out, _ = module(x_t, h_t)
    (out[:, 0] * torch.from_numpy(dh)).sum().backward()
    H = 4
    g_ih, g_hh = module.weight_ih_l0.grad.numpy(), module.weight_hh_l0.grad.numpy()
    gb_ih, gb_hh = module.bias_ih_l0.grad.numpy(), module.bias_hh_l0.grad.numpy()
    for j, k in enumerate("rzn"):
        np.testing.assert_allclose(grads["W_x" + k], g_ih[j * H:(j + 1) * H], atol=1e-12)
        np.testing.assert_allclose(grads["W_h" + k], g_hh[j * H:(j + 1) * H], atol=1e-12)
    np.testing.assert_allclose(grads["b_r"], gb_ih[:H], atol=1e-12)
    np.testing.assert_allclose(grads["b_z"], gb_hh[H:2 * H], atol=1e-12)  # bias_ih and bias_hh share it
    np.testing.assert_allclose(grads["b_in"], gb_ih[2 * H:], atol=1e-12)
    np.testing.assert_allclose(grads["b_hn"], gb_hh[2 * H:], atol=1e-12)
    np.testing.assert_allclose(grads["xs"], x_t.grad[:, 0].numpy(), atol=1e-12)
    np.testing.assert_allclose(grads["h0"], h_t.grad[0, 0].numpy(), atol=1e-12)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: GRU(0, 3), ["input_size", "positive", "0"]),
        (lambda: GRU(2, -1), ["hidden_size", "positive", "-1"]),
        (lambda: GRU(2, 2.5), ["hidden_size", "float"]),
        (lambda: GRU(2, 3, variant="keras"), ["variant", "pytorch", "keras"]),
        (lambda: GRU(2, 3, rng="seed"), ["rng", "str"]),
        (lambda: GRU(2, 3, rng=0).forward(np.zeros((4, 3))), ["xs", "(T, 2)", "(4, 3)"]),
        (lambda: GRU(2, 3, rng=0).forward(np.zeros(4)), ["xs", "(4,)"]),
        (lambda: GRU(2, 3, rng=0).forward(np.zeros((4, 2), dtype=int)), ["xs", "floating", "int"]),
        (lambda: GRU(2, 3, rng=0).forward(np.full((4, 2), np.nan)), ["xs", "finite", "8"]),
        (lambda: GRU(2, 3, rng=0).forward(np.zeros((4, 2)), h0=np.zeros(2)), ["h0", "(3,)", "(2,)"]),
        (lambda: GRU(2, 3, rng=0).forward(np.zeros((4, 2)), h0=[0, np.inf, 0]), ["h0", "finite"]),
        (lambda: GRU(2, 3, rng=0).backward(GRU(2, 3, rng=0).forward(np.zeros((4, 2))), np.zeros((3, 3))),
         ["dh", "(4, 3)", "(3, 3)"]),
        (lambda: GRU(2, 3, rng=0).step(np.zeros(3), np.zeros(3)), ["x", "(2,)", "(3,)"]),
        (lambda: GRU(2, 3, rng=0).set_parameters(W_xq=np.zeros((3, 2))), ["parameter name", "W_xq"]),
        (lambda: GRU(2, 3, rng=0).set_parameters(W_hr=np.zeros((3, 2))), ["W_hr", "(3, 3)", "(3, 2)"]),
        (lambda: GRU(2, 3, variant="cho", rng=0).to_torch(), ["variant", "pytorch", "cho"]),
        (lambda: GRU.from_torch(torch.nn.GRU(2, 3), variant="cho"), ["variant", "pytorch", "cho"]),
        (lambda: GRU.from_torch(torch.nn.GRU(2, 3, num_layers=2)), ["num_layers", "1", "2"]),
        (lambda: GRU.from_torch(torch.nn.GRU(2, 3, bidirectional=True)), ["bidirectional"]),
        (lambda: GRU.from_torch(torch.nn.LSTM(2, 3)), ["torch.nn.GRU", "LSTM"]),
    ],
)
def test_clear_errors(call, words: list[str], clear_error) -> None:
    clear_error(call, words)


def test_gradient_reach_saturated_update_gate_keeps_the_state() -> None:
    """b_z huge: z = 1 to machine precision, h_k = h_0, so u^T dh_k/dh_0 = u has norm 1 at every distance."""
    from lessons.rnn.memory import gradient_reach, reach_curves

    cell = GRU(2, 3, rng=0)
    cell.set_parameters(b_z=np.full(3, 40.0))
    reach = gradient_reach(cell, np.random.default_rng(0).normal(size=(10, 2)))
    np.testing.assert_allclose(reach, 1.0, atol=1e-12)
    curves = reach_curves(seq_len=20, hidden_size=4, input_size=2, keep_bias=3.0)
    assert curves["GRU, b_z = 3"][-1] > 100 * curves["GRU"][-1]
    assert curves["LSTM, b_f = 3"][-1] > 100 * curves["LSTM"][-1]


def test_gru_step_function_matches_torch_gru_cell(torch_pair) -> None:
    """The ~10 lines the chapter shows (``gru_step``) compute what ``torch.nn.GRUCell`` computes."""
    from lessons.rnn.gru import gru_step

    module, torch_cell = torch_pair("gru", 4, 5, seed=3)
    cell = GRU.from_torch(module)
    rng = np.random.default_rng(3)
    x, h = rng.normal(size=4), rng.normal(size=5)
    with torch.no_grad():
        ref = torch_cell(torch.from_numpy(x)[None], torch.from_numpy(h)[None])[0].numpy()
    out = gru_step(x, h, cell)
    assert np.max(np.abs(out["h"] - ref)) <= 1e-12
    assert set(out) == {"r", "z", "n", "h", "pre_r", "pre_z", "pre_n"}
    np.testing.assert_allclose(out["h"], (1 - out["z"]) * out["n"] + out["z"] * h)
    np.testing.assert_array_equal(cell.forward(x[None], h).h[0], out["h"])  # forward calls the same function
