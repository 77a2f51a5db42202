"""Gate pictures: every panel drawn with the right data, shapes checked, bad input refused."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lessons.pictures import gates as G


def _gru_dict(T: int = 6, H: int = 3, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    r, z = rng.uniform(0, 1, (2, T, H))
    n = np.tanh(rng.normal(size=(T, H)))
    h = np.zeros((T, H))
    prev = np.zeros(H)
    for t in range(T):
        prev = (1 - z[t]) * n[t] + z[t] * prev
        h[t] = prev
    return {"h": h, "gates": {"z": z, "r": r, "n": n}}


def _lstm_dict(T: int = 5, H: int = 2, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    i, f, o = rng.uniform(0, 1, (3, T, H))
    g = np.tanh(rng.normal(size=(T, H)))
    c = np.zeros((T, H))
    prev = np.zeros(H)
    for t in range(T):
        prev = f[t] * prev + i[t] * g[t]
        c[t] = prev
    return {"h": o * np.tanh(c), "c": c, "gates": {"i": i, "f": f, "g": g, "o": o}}


def teardown_function() -> None:
    plt.close("all")


def test_trace_panels_orders_gru_and_lstm() -> None:
    assert list(G.trace_panels(_gru_dict())) == ["r", "z", "n", "h"]
    assert list(G.trace_panels(_lstm_dict())) == ["i", "f", "g", "o", "c", "h"]


def test_trace_panels_accepts_attribute_objects() -> None:
    class T:
        pass

    d = _lstm_dict()
    tr = T()
    tr.h, tr.c, tr.gates = d["h"], d["c"], d["gates"]
    panels = G.trace_panels(tr)
    np.testing.assert_array_equal(panels["c"], d["c"])


def test_heatmaps_show_the_trace_values_transposed() -> None:
    d = _gru_dict(T=7, H=4)
    fig = G.gate_heatmaps(d)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 4
    np.testing.assert_allclose(images[1].get_array(), d["gates"]["z"].T)  # unit x time
    assert images[0].get_clim() == (0.0, 1.0)  # gates on a fixed 0-1 scale
    lo, hi = images[3].get_clim()
    assert lo == -hi  # states centred on zero


def test_plotly_heatmaps_have_one_trace_per_panel() -> None:
    d = _lstm_dict()
    fig = G.gate_heatmaps_plotly(d)
    assert [tr.name for tr in fig.data] == ["i", "f", "g", "o", "c", "h"]
    np.testing.assert_allclose(np.asarray(fig.data[1].z), np.round(d["gates"]["f"].T, 4))


def test_cell_state_figure_plots_c_and_h_lines() -> None:
    d = _lstm_dict(T=5, H=2)
    fig = G.cell_state_figure(d)
    ax_c, ax_h = fig.axes[:2]
    np.testing.assert_allclose(ax_c.lines[0].get_ydata(), d["c"][:, 0])
    np.testing.assert_allclose(ax_h.lines[1].get_ydata(), d["h"][:, 1])
    with pytest.raises(ValueError, match="cell state"):
        G.cell_state_figure(_gru_dict())
    with pytest.raises(ValueError, match="units"):
        G.cell_state_figure(d, units=[5])


def test_step_view_uses_previous_state_and_new_state() -> None:
    d = _gru_dict(T=4, H=2)
    fig = G.step_view(d, step=2)
    ax_s = fig.axes[1]
    heights = [p.get_height() for p in ax_s.patches]
    # bars: h_prev (2 units), n (2 units), h (2 units)
    np.testing.assert_allclose(heights[:2], d["h"][1])
    np.testing.assert_allclose(heights[4:], d["h"][2])
    assert fig.axes[1].get_title().startswith("states at t = 3")  # the equations' label of step 2
    fig1 = G.step_view(d, step=0)
    np.testing.assert_allclose([p.get_height() for p in fig1.axes[1].patches][:2], 0.0)


def test_lstm_step_view_bars() -> None:
    d = _lstm_dict(T=3, H=2)
    fig = G.step_view(d, step=1)
    gates_heights = [p.get_height() for p in fig.axes[0].patches]
    np.testing.assert_allclose(gates_heights[:2], d["gates"]["f"][1])
    state_heights = [p.get_height() for p in fig.axes[1].patches]
    np.testing.assert_allclose(state_heights[:2], d["c"][0])  # c_prev
    np.testing.assert_allclose(state_heights[4:6], d["c"][1])  # new c


def test_bad_input_raises_clear_errors() -> None:
    with pytest.raises(ValueError, match="trace"):
        G.trace_panels({"c": np.zeros((2, 2))})
    with pytest.raises(ValueError, match=r"trace.h: expected shape \(T, H\)"):
        G.trace_panels({"h": np.zeros(3)})
    bad = _gru_dict()
    bad["gates"]["z"] = np.zeros((2, 2))
    with pytest.raises(ValueError, match="'z'"):
        G.trace_panels(bad)
    with pytest.raises(ValueError, match=r"step: expected a 0-based time step in \[0, 3\], got 4"):
        G.step_view(_gru_dict(T=4), step=4)
    with pytest.raises(ValueError, match="r: expected shape"):
        G.gru_step_view(np.zeros(2), np.zeros(3), np.zeros(2), np.zeros(2), np.zeros(2))


# ---------------------------------------------------------------------------------------------------------
# gradient pictures (lessons.pictures.gradients)
# ---------------------------------------------------------------------------------------------------------
from lessons.pictures import gradients as Gr  # noqa: E402
from lessons.rnn.vanilla import RNN  # noqa: E402


def test_rnn_input_jacobians_equal_the_product_of_step_jacobians() -> None:
    rnn = RNN(3, 4, rng=2)
    xs = np.random.default_rng(0).normal(size=(6, 3))
    J = Gr.input_jacobians(rnn, xs)
    tr = rnn.forward(xs)
    d = 1 - tr.h**2  # tanh'
    T = 6
    for t in range(T):
        want = np.diag(d[t]) @ rnn.W_xh
        for s in range(t + 1, T):
            want = np.diag(d[s]) @ rnn.W_hh @ want
        np.testing.assert_allclose(J[t], want, atol=1e-12)


def test_lstm_jacobian_matches_finite_differences() -> None:
    cells = Gr.make_cells(input_size=2, hidden_size=3, seed=4, forget_bias=2.0)
    lstm = cells["LSTM"]
    xs = np.random.default_rng(1).normal(size=(5, 2))
    J = Gr.input_jacobians(lstm, xs)
    eps = 1e-6
    for t, i in ((0, 0), (2, 1), (4, 0)):
        xp, xm = xs.copy(), xs.copy()
        xp[t, i] += eps
        xm[t, i] -= eps
        fd = (lstm.forward(xp).h[-1] - lstm.forward(xm).h[-1]) / (2 * eps)
        np.testing.assert_allclose(J[t, :, i], fd, atol=1e-8)


def test_spectral_norm_bounds_the_rnn_gradient() -> None:
    cells = Gr.make_cells(input_size=2, hidden_size=5, seed=1, rnn_norm=0.7)
    rnn = cells["RNN"]
    assert np.linalg.norm(rnn.W_hh, 2) == pytest.approx(0.7)
    norms = Gr.jacobian_norms(rnn, np.random.default_rng(3).normal(size=(20, 2)))
    back = np.arange(20)[::-1]
    assert np.all(norms <= 0.7**back * np.linalg.norm(rnn.W_xh) + 1e-15)
    with pytest.raises(ValueError, match="norm: expected a positive"):
        Gr.set_spectral_norm(rnn, -1.0)


def test_gate_biases_open_a_path_for_the_gradient() -> None:
    default = Gr.gradient_norms_by_model(T=30, hidden_size=4, seed=0)
    biased = Gr.gradient_norms_by_model(T=30, hidden_size=4, seed=0, forget_bias=4.0, update_bias=4.0)
    assert biased["LSTM"][0] > 100 * default["LSTM"][0]
    assert biased["GRU"][0] > 100 * default["GRU"][0]
    np.testing.assert_allclose(biased["RNN"], default["RNN"])


def test_gradient_figures() -> None:
    norms = Gr.gradient_norms_by_model(T=10, hidden_size=3)
    fig = Gr.gradient_norms_figure(norms)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 3
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.maximum(norms["RNN"], 1e-16))
    with pytest.raises(ValueError, match="norms"):
        Gr.gradient_norms_figure({"a": np.zeros(3), "b": np.zeros(4)})
    sfig = Gr.gradient_slider_figure(rnn_norms=(0.5, 2.0), forget_biases=(0.0, 3.0), update_biases=(1.0,),
                                      T=8, hidden_size=3)  # fmt: skip
    assert len(sfig.layout.sliders) == 3
    step = sfig.layout.sliders[1].steps[1]
    assert list(step.args[1]) == [1]
    want = Gr.jacobian_norms(Gr.make_cells(4, 3, 0, forget_bias=3.0)["LSTM"], Gr.model_inputs(8, 4, 0))
    np.testing.assert_allclose(step.args[0]["y"][0], np.maximum(want, 1e-16), rtol=1e-5)  # 6 digits


def test_relu_rnn_gradient_can_explode_and_relative_reach() -> None:
    norms = Gr.gradient_norms_by_model(T=30, hidden_size=8, rnn_norm=2.0, rnn_nonlinearity="relu")["RNN"]
    reach = Gr.relative_reach(norms, (0, 10, 20))
    assert reach[0] == 1.0
    assert reach[20] > reach[10] > 1.0  # an older input gets a *larger* gradient: explosion
    with pytest.raises(ValueError, match="steps_back"):
        Gr.relative_reach(norms, (30,))


def test_reach_table() -> None:
    v = np.array([8.0, 4.0, 2.0, 1.0])
    table = Gr.reach_table({"halving": v}, steps_back=(1, 3))
    assert list(table.columns) == ["1 steps back", "3 steps back"]
    assert table.loc["halving"].tolist() == [2.0, 8.0]
    with pytest.raises(ValueError, match="settings"):
        Gr.reach_table({})
