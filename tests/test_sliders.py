"""Slider experiments: the numbers behind every frame are the GRU/LSTM equations, frames cover the grid."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lessons.pictures import sliders as S


def sigmoid(a: float) -> float:
    return 1.0 / (1.0 + np.exp(-a))


def teardown_function() -> None:
    plt.close("all")


# (a) ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("x", "w", "b", "hp"), [(1.0, 1.5, 0.0, 0.5), (-2.0, -1.0, 3.0, -0.3), (0.0, 0.0, -4.0, 0.9)]
)
def test_gru_step_values_follow_the_equations(x: float, w: float, b: float, hp: float) -> None:
    v = S.gru_step_values(x, w, b, hp)
    r = sigmoid(1.0 * x - 1.0 * hp)
    z = sigmoid(x + hp + b)
    n = np.tanh(w * x + r * hp)
    assert v["r"] == pytest.approx(r, abs=1e-12)
    assert v["z"] == pytest.approx(z, abs=1e-12)
    assert v["n"] == pytest.approx(n, abs=1e-12)
    assert v["h"] == pytest.approx((1 - z) * n + z * hp, abs=1e-12)
    assert min(n, hp) <= v["h"] <= max(n, hp)


def test_gru_step_values_match_torch(torch_single_thread) -> None:  # noqa: ANN001
    torch = torch_single_thread
    gru = S.one_unit_gru(weight=-0.75, bias=1.5).to_torch()
    with torch.no_grad():
        _, h = gru(torch.tensor([[0.6]], dtype=torch.float64), torch.tensor([[0.2]], dtype=torch.float64))
    assert S.gru_step_values(0.6, -0.75, 1.5, 0.2)["h"] == pytest.approx(float(h[0, 0]), abs=1e-12)


def test_gru_step_slider_figure_frames_are_computed() -> None:
    fig = S.gru_step_slider_figure()
    assert len(fig.data) == 3 and len(fig.layout.sliders) == 3
    grids = {k: S._grid(*r) for k, r in S.GRU_STEP_RANGES.items()}
    for j, key in enumerate(("x", "weight", "bias")):
        slider = fig.layout.sliders[j]
        assert len(slider.steps) == grids[key].size
        k = 3
        step = slider.steps[k]
        assert list(step.args[1]) == [j]  # each slider restyles only its own panel
        args = dict(S.GRU_STEP_DEFAULTS)
        args[key] = float(grids[key][k])
        want = S.gru_step_values(**args)
        np.testing.assert_allclose(
            step.args[0]["y"][0], [want[q] for q in ("r", "z", "n", "h_prev", "h")], atol=1e-6
        )
    # the initial picture is the default position
    d = S.gru_step_values(**S.GRU_STEP_DEFAULTS)
    np.testing.assert_allclose(fig.data[0].y, [d[q] for q in ("r", "z", "n", "h_prev", "h")])
    assert len(fig.to_json()) < 1_000_000


def test_gru_step_bars_heights() -> None:
    v = S.gru_step_values()
    fig = S.gru_step_bars(v)
    np.testing.assert_allclose([p.get_height() for p in fig.axes[0].patches], [v[k] for k in S._STEP_KEYS])
    with pytest.raises(ValueError, match="missing"):
        S.gru_step_bars({"r": 0.1})


# (b) ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("b", [-2.0, 0.0, 3.0])
def test_lstm_memory_decays_geometrically_with_the_forget_gate(b: float) -> None:
    cur = S.lstm_memory_curve(b, T=30)
    f = sigmoid(b)
    assert cur["f"] == pytest.approx(f, abs=1e-12)
    assert cur["c"][0] == pytest.approx(sigmoid(6.0) * np.tanh(2.0), abs=1e-12)
    np.testing.assert_allclose(cur["c"], cur["c"][0] * f ** np.arange(30), rtol=1e-10)
    np.testing.assert_allclose(cur["h"], sigmoid(6.0) * np.tanh(cur["c"]), rtol=1e-10)
    assert cur["kept"] == pytest.approx(f**29, rel=1e-9)
    assert f ** cur["half_life"] == pytest.approx(0.5)


def test_lstm_forget_slider_figure() -> None:
    fig = S.lstm_forget_slider_figure()
    grid = S._grid(-2.0, 6.0, 0.5)
    assert len(fig.frames) == len(fig.layout.sliders[0].steps) == grid.size
    kept = [fr.data[0].y[-1] / fr.data[0].y[0] for fr in fig.frames]
    assert np.all(np.diff(kept) >= 0) and kept[-1] > 0.5 > kept[0]  # a larger forget bias keeps more
    fr = fig.frames[int(np.argmin(np.abs(grid - 3.0)))]
    np.testing.assert_allclose(fr.data[0].y, S.lstm_memory_curve(3.0)["c"], atol=1e-6)
    assert list(fig.layout.sliders[0].steps[0].args[0]) == [fig.frames[0].name]
    assert len(fig.to_json()) < 1_000_000


def test_lstm_memory_plot_and_errors() -> None:
    cur = S.lstm_memory_curve(2.0)
    fig = S.lstm_memory_plot(cur)
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), cur["c"])
    assert "b_f = 2" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="T: expected"):
        S.lstm_memory_curve(1.0, T=1)
    with pytest.raises(ValueError, match="forget_bias must be finite"):
        S.lstm_memory_curve(float("nan"))
    with pytest.raises(ValueError, match="biases"):
        S.lstm_forget_slider_figure(biases=[1.0])


# (c) ------------------------------------------------------------------------------------------------------
def test_update_gate_interpolates_between_candidate_and_old_state() -> None:
    vals = [S.gru_update_values(z) for z in (0.0, 0.25, 0.5, 1.0)]
    for z, v in zip((0.0, 0.25, 0.5, 1.0), vals, strict=True):
        assert v["z"] == pytest.approx(z, abs=1e-8)
        np.testing.assert_allclose(v["h"], (1 - v["z"]) * v["n"] + v["z"] * v["h_prev"], atol=1e-12)
        np.testing.assert_allclose(v["n"], vals[0]["n"])  # the candidate does not depend on z
    np.testing.assert_allclose(vals[0]["h"], vals[0]["n"], atol=1e-8)
    np.testing.assert_allclose(vals[-1]["h"], vals[-1]["h_prev"], atol=1e-8)
    with pytest.raises(ValueError, match="z must be <= 1"):
        S.gru_update_values(1.5)
    with pytest.raises(ValueError, match=r"h_prev: expected shape \(2,\)"):
        S.gru_update_values(0.5, h_prev=[0.1, 0.2, 0.3])


def test_gru_update_slider_figure() -> None:
    fig = S.gru_update_slider_figure()
    assert len(fig.frames) == 21
    last = fig.frames[-1].data[3]
    np.testing.assert_allclose([last.x[0], last.y[0]], S.UPDATE_DEMO["h_prev"], atol=1e-6)
    first = fig.frames[0].data[3]
    n = S.gru_update_values(0.0)["n"]
    np.testing.assert_allclose([first.x[0], first.y[0]], n, atol=1e-6)
    assert len(fig.to_json()) < 1_000_000
    plane = S.gru_update_plane(S.gru_update_values(0.3))
    assert "z = 0.30" in plane.axes[0].get_title()


# the one slider helper -------------------------------------------------------------------------------------
def test_frame_slider_jumps_to_the_named_frame() -> None:
    from lessons.pictures.animation import frame_slider

    s = frame_slider(["a", "b"], 1, "k = ", redraw=False, pad={"t": 50})
    assert s["active"] == 1 and s["currentvalue"] == {"prefix": "k = "} and s["pad"] == {"t": 50}
    assert [st["args"][0] for st in s["steps"]] == [["a"], ["b"]]
    assert s["steps"][0]["args"][1]["frame"] == {"duration": 0, "redraw": False}
    with pytest.raises(ValueError, match="active"):
        frame_slider(["a"], 1, "")
    with pytest.raises(ValueError, match="labels"):
        frame_slider([], 0, "")


def test_restyle_slider_touches_only_its_trace() -> None:
    from lessons.pictures.animation import restyle_slider

    s = restyle_slider(["0", "1"], [{"y": [1, 2]}, {"y": [3, 4]}], 2, 0, "v = ")
    assert s["steps"][1] == {"method": "restyle", "label": "1", "args": [{"y": [[3, 4]]}, [2]]}
    with pytest.raises(ValueError, match="one update per label"):
        restyle_slider(["0"], [], 0, 0, "")
    fig = S.lstm_forget_slider_figure()
    assert [st["label"] for st in fig.layout.sliders[0].steps] == [f.name for f in fig.frames]
