"""The first slider of the book: a sigmoid gate, its static plotly slider, its live widget, and the offline
plotly renderer the build uses."""

from __future__ import annotations

import numpy as np
import plotly.io as pio
import pytest

from lessons.mathfn import sigmoid
from lessons.pictures.gate_demo import gate_bias_slider, gate_curve, gate_plot
from lessons.pictures.plotly_book import NAME, BookRenderer


def test_gate_curve_rejects_2d_input() -> None:
    with pytest.raises(ValueError, match="xs must be a 1-D array"):
        gate_curve(1.0, 0.0, np.zeros((2, 2)))


def test_slider_frames_are_the_gate_for_each_bias() -> None:
    biases = np.array([-2.0, 0.0, 3.0])
    fig = gate_bias_slider(weight=2.0, biases=biases, n_points=11)
    assert len(fig.frames) == 3 == len(fig.layout.sliders[0].steps)
    assert fig.layout.sliders[0].active == 1  # starts at b = 0
    for b, frame in zip(biases, fig.frames, strict=True):
        x = np.asarray(frame.data[0].x)
        np.testing.assert_allclose(frame.data[0].y, 1 / (1 + np.exp(-(2.0 * x + b))))
    assert [s.label for s in fig.layout.sliders[0].steps] == ["-2", "0", "3"]


def test_slider_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="biases"):
        gate_bias_slider(biases=np.array([]))
    with pytest.raises(ValueError, match="n_points"):
        gate_bias_slider(n_points=1)


def test_book_renderer_emits_no_plotlyjs_and_no_cdn() -> None:
    fig = gate_bias_slider(biases=np.array([0.0, 1.0]))
    html = BookRenderer().to_mimebundle(fig.to_dict())["text/html"]
    assert "Plotly.newPlot" in html
    assert len(html) < 200_000, "plotly.js must not be inlined in every figure"
    assert "https://" not in html and "cdnjs" not in html, "no CDN script (MathJax or plotly) in the figure"


def test_book_renderer_activates(monkeypatch: pytest.MonkeyPatch) -> None:
    from lessons.pictures import plotly_book

    monkeypatch.setattr(pio.renderers, "default", pio.renderers.default)
    plotly_book.activate()
    assert pio.renderers.default == NAME


def test_live_widget_redraws_when_a_slider_moves() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from lessons.widgets import LessonWidget, gate_widget

    w = gate_widget()
    assert isinstance(w, LessonWidget) and set(w.controls) == {"weight", "bias"}
    png0 = w.image.value
    w.controls["bias"].value = 2.0
    assert w.state == {"weight": 1.0, "bias": 2.0} and w.image.value != png0
    fig = gate_plot(1.0, 2.0)
    y = fig.axes[0].lines[0].get_ydata()
    np.testing.assert_allclose(y[60], sigmoid(2.0))  # x = 0 at the middle of [-6, 6]
    import matplotlib.pyplot as plt

    plt.close(fig)
