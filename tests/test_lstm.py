"""The NumPy LSTM: parity with torch.nn.LSTM, BPTT against finite differences and autograd, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lessons.rnn import LSTM, sigmoid
from lessons.rnn.gradcheck import check_cell_gradients

torch.set_num_threads(1)


def torch_forward(module: torch.nn.LSTM, xs: np.ndarray, h0=None, c0=None) -> tuple[np.ndarray, np.ndarray]:
    x = torch.from_numpy(xs)
    x = x[None] if module.batch_first else x[:, None]
    H = module.hidden_size
    hx = None
    if h0 is not None or c0 is not None:
        h = torch.zeros(1, 1, H, dtype=torch.float64) if h0 is None else torch.from_numpy(h0)[None, None]
        c = torch.zeros(1, 1, H, dtype=torch.float64) if c0 is None else torch.from_numpy(c0)[None, None]
        hx = (h, c)
    out, (_, c_last) = module(x, hx)
    out = out[0] if module.batch_first else out[:, 0]
    return out.detach().numpy(), c_last[0, 0].detach().numpy()


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("states", ["none", "h0", "c0", "both"])
def test_forward_matches_torch(seed: int, states: str) -> None:
    rng = np.random.default_rng(seed)
    n_in, H, T = (int(v) for v in rng.integers(1, 6, size=3))
    torch.manual_seed(seed)
    module = torch.nn.LSTM(n_in, H, batch_first=bool(seed % 2), dtype=torch.float64)
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-1.5, 1.5)
    cell = LSTM.from_torch(module)
    xs = rng.normal(size=(T, n_in))
    h0 = rng.normal(size=H) if states in ("h0", "both") else None
    c0 = rng.normal(size=H) if states in ("c0", "both") else None
    tr = cell.forward(xs, h0, c0)
    h_ref, c_ref = torch_forward(module, xs, h0, c0)
    assert np.max(np.abs(tr.h - h_ref)) <= 1e-10
    assert np.max(np.abs(tr.c[-1] - c_ref)) <= 1e-10


def test_to_torch_round_trip() -> None:
    cell = LSTM(2, 3, rng=4)
    module = cell.to_torch(batch_first=True)
    back = LSTM.from_torch(module)
    for name, p in cell.parameters().items():
        np.testing.assert_array_equal(back.parameters()[name], p)
    xs = np.random.default_rng(0).normal(size=(5, 2))
    assert np.max(np.abs(cell.forward(xs).h - torch_forward(module, xs)[0])) <= 1e-10


def test_trace_follows_the_equations() -> None:
    cell = LSTM(2, 3, rng=1)
    xs = np.random.default_rng(1).normal(size=(4, 2))
    tr = cell.forward(xs, c0=np.ones(3))
    assert set(tr.gates) == set(tr.pre) == {"i", "f", "g", "o"}
    assert tr.c.shape == tr.h.shape == (4, 3) and tr.c0.shape == (3,)
    for k in "ifo":
        np.testing.assert_allclose(tr.gates[k], sigmoid(tr.pre[k]))
    np.testing.assert_allclose(tr.gates["g"], np.tanh(tr.pre["g"]))
    np.testing.assert_allclose(tr.c, tr.gates["f"] * tr.c_prev + tr.gates["i"] * tr.gates["g"])
    np.testing.assert_allclose(tr.h, tr.gates["o"] * np.tanh(tr.c))


def test_zero_parameters_known_values() -> None:
    """All parameters 0: i = f = o = 1/2, g = 0, so c_t = c_{t-1}/2 and h_t = tanh(c_t)/2."""
    cell = LSTM(1, 1, rng=0)
    for p in cell.parameters().values():
        p[...] = 0.0
    tr = cell.forward([[3.0], [3.0]], c0=[2.0])
    np.testing.assert_allclose(tr.c[:, 0], [1.0, 0.5])
    np.testing.assert_allclose(tr.h[:, 0], [np.tanh(1.0) / 2, np.tanh(0.5) / 2])


def test_step_equals_forward_row() -> None:
    cell = LSTM(1, 2, rng=2)
    tr = cell.forward([[0.5], [1.0]], h0=[0.1, 0.0], c0=[0.0, 0.3])
    s = cell.step(1.0, tr.h[0], tr.c[0])
    np.testing.assert_allclose(s["h"], tr.h[1])
    np.testing.assert_allclose(s["c"], tr.c[1])
    np.testing.assert_allclose(s["c_prev"], tr.c[0])


def test_parameter_counts() -> None:
    n_in, H = 3, 5
    cell = LSTM(n_in, H, rng=0)
    assert cell.num_parameters() == 4 * H * (n_in + H + 1)
    assert sum(p.numel() for p in cell.to_torch().parameters()) == 4 * H * (n_in + H + 2)


def test_backward_matches_finite_differences() -> None:
    cell = LSTM(2, 3, rng=3)
    errors = check_cell_gradients(cell, np.random.default_rng(5).normal(size=(4, 2)), rng=2)
    assert set(errors) == set(cell.parameters()) | {"xs", "h0", "c0"}
    assert max(errors.values()) <= 1e-6, errors


def test_backward_with_direct_cell_gradient() -> None:
    """A loss that reads the cell states too: L = sum(w * h) + sum(v * c)."""
    from lessons.rnn.gradcheck import numerical_gradient, relative_error

    cell = LSTM(1, 2, rng=6)
    rng = np.random.default_rng(6)
    xs, w, v = rng.normal(size=(3, 1)), rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    c0 = rng.normal(size=2)

    def loss() -> float:
        tr = cell.forward(xs, c0=c0)
        return float(np.sum(w * tr.h) + np.sum(v * tr.c))

    grads = cell.backward(cell.forward(xs, c0=c0), w, dc=v)
    assert relative_error(grads["W_hf"], numerical_gradient(loss, cell.W_hf)) <= 1e-6
    assert relative_error(grads["c0"], numerical_gradient(loss, c0)) <= 1e-6


def test_backward_matches_torch_autograd() -> None:
    cell = LSTM(3, 4, rng=8)
    rng = np.random.default_rng(9)
    xs, h0, c0, dh = rng.normal(size=(5, 3)), rng.normal(size=4), rng.normal(size=4), rng.normal(size=(5, 4))
    grads = cell.backward(cell.forward(xs, h0, c0), dh)
    module = cell.to_torch()
    x_t = torch.from_numpy(xs)[:, None].requires_grad_()
    h_t = torch.from_numpy(h0)[None, None].requires_grad_()
    c_t = torch.from_numpy(c0)[None, None].requires_grad_()
    out, _ = module(x_t, (h_t, c_t))
    (out[:, 0] * torch.from_numpy(dh)).sum().backward()
    H = 4
    for j, k in enumerate("ifgo"):
        rows = slice(j * H, (j + 1) * H)
        np.testing.assert_allclose(grads["W_x" + k], module.weight_ih_l0.grad[rows].numpy(), atol=1e-12)
        np.testing.assert_allclose(grads["W_h" + k], module.weight_hh_l0.grad[rows].numpy(), atol=1e-12)
        np.testing.assert_allclose(grads["b_" + k], module.bias_hh_l0.grad[rows].numpy(), atol=1e-12)
    np.testing.assert_allclose(grads["xs"], x_t.grad[:, 0].numpy(), atol=1e-12)
    np.testing.assert_allclose(grads["h0"], h_t.grad[0, 0].numpy(), atol=1e-12)
    np.testing.assert_allclose(grads["c0"], c_t.grad[0, 0].numpy(), atol=1e-12)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: LSTM(3, 0), ["hidden_size", "positive", "0"]),
        (lambda: LSTM(2, 3, rng=0).forward(np.zeros((4, 2)), c0=np.zeros(4)), ["c0", "(3,)", "(4,)"]),
        (lambda: LSTM(2, 3, rng=0).forward(np.zeros((4, 2)), h0=np.zeros((1, 3))), ["h0", "(3,)", "(1, 3)"]),
        (lambda: LSTM(2, 3, rng=0).forward(np.zeros((4, 2), dtype=np.int32)), ["xs", "int32"]),
        (lambda: LSTM(2, 3, rng=0).forward([[1.0, float("nan")]]), ["xs", "finite"]),
        (lambda: LSTM.from_torch(torch.nn.LSTM(2, 3, proj_size=2)), ["proj_size", "2"]),
        (lambda: LSTM.from_torch(torch.nn.GRU(2, 3)), ["torch.nn.LSTM", "GRU"]),
    ],
)
def test_clear_errors(call, words: list[str], clear_error) -> None:
    clear_error(call, words)


def test_parameter_count_formulas_match_the_modules() -> None:
    from lessons.rnn import GRU
    from lessons.rnn.benchmark import parameter_counts

    n_in, H = 3, 5
    counts = parameter_counts(n_in, H)
    assert counts["gru_single_bias"] == GRU(n_in, H, variant="cho", rng=0).num_parameters()
    assert counts["gru_numpy_pytorch"] == GRU(n_in, H, rng=0).num_parameters()
    assert counts["lstm_single_bias"] == LSTM(n_in, H, rng=0).num_parameters()
    assert counts["gru_torch"] == sum(p.numel() for p in torch.nn.GRU(n_in, H).parameters())
    assert counts["lstm_torch"] == sum(p.numel() for p in torch.nn.LSTM(n_in, H).parameters())
    with pytest.raises(ValueError, match="hidden_size must be a positive integer, got 0"):
        parameter_counts(3, 0)


def test_saved_memory_counters() -> None:
    from lessons.rnn import GRU
    from lessons.rnn.benchmark import numpy_trace_values, torch_saved_bytes

    T, H = 4, 3
    xs = np.zeros((T, H))
    # NumPy GRU trace: h, 3 gates, 3 pre-activations, W_hn h + b_hn  -> 8 numbers per step and unit
    assert numpy_trace_values(GRU(H, H, rng=0), xs) == 8 * T * H
    # LSTM: h, c, 4 gates, 4 pre-activations -> 10
    assert numpy_trace_values(LSTM(H, H, rng=0), xs) == 10 * T * H
    module = torch.nn.GRU(H, H, dtype=torch.float64)
    saved = torch_saved_bytes(module, torch.zeros(T, 1, H, dtype=torch.float64))
    assert saved > 0 and saved % 8 == 0


def test_ratio_rows_pair_gru_and_lstm() -> None:
    from lessons.rnn.benchmark import ratio_rows

    def row(cell: str, ms: float, params: int) -> dict:
        return {"impl": "numpy", "batch": 1, "size": 8, "cell": cell, "parameters": params,
                "forward_ms": ms, "forward_backward_ms": 2 * ms,
                "saved_values_per_step_per_unit": 8.0 if cell == "gru" else 10.0}

    (r,) = ratio_rows({"rows": [row("gru", 3.0, 300), row("lstm", 4.0, 400)]})
    assert r["parameters"] == pytest.approx(4 / 3) and r["forward_backward_time"] == pytest.approx(4 / 3)
    assert r["saved_values"] == pytest.approx(1.25)


def test_lstm_step_function_matches_torch_lstm_cell(torch_pair) -> None:
    """The ~10 lines the chapter shows (``lstm_step``) compute what ``torch.nn.LSTMCell`` computes."""
    from lessons.rnn.lstm import lstm_step

    module, torch_cell = torch_pair("lstm", 3, 4, seed=4)
    cell = LSTM.from_torch(module)
    rng = np.random.default_rng(4)
    x, h, c = rng.normal(size=3), rng.normal(size=4), rng.normal(size=4)
    with torch.no_grad():
        h_ref, c_ref = torch_cell(torch.from_numpy(x)[None], (torch.from_numpy(h)[None], torch.from_numpy(c)[None]))
    out = lstm_step(x, h, c, cell)
    assert np.max(np.abs(out["h"] - h_ref[0].numpy())) <= 1e-12
    assert np.max(np.abs(out["c"] - c_ref[0].numpy())) <= 1e-12
    np.testing.assert_allclose(out["c"], out["f"] * c + out["i"] * out["g"])
    tr = cell.forward(x[None], h, c)  # forward calls the same function
    np.testing.assert_array_equal(tr.c[0], out["c"])
