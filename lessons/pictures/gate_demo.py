"""The smallest picture of a gate: sigmoid(w * x + b), used on the "How to use this book" page.

A gate is a vector of numbers between 0 and 1 that multiplies another vector element by element.
Each number is a sigmoid of a weighted input plus a bias; moving the bias slides the curve left
or right, which is all "opening" or "closing" a gate means. :func:`gate_bias_slider` is the static plotly
figure; :func:`gate_plot` draws one position for the live widget (:func:`lessons.widgets.gate_widget`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
from matplotlib.figure import Figure

from lessons.mathfn import sigmoid
from lessons.pictures.animation import frame_slider
from lessons.pictures.palette import SEQUENCE

GATE_X_RANGE: tuple[float, float] = (-6.0, 6.0)
"""The weighted inputs both pictures show."""


def gate_curve(weight: float, bias: float, xs: np.ndarray) -> np.ndarray:
    """Gate value sigmoid(weight * x + bias) for every x in ``xs`` (shape ``(n,)``)."""
    xs = np.asarray(xs, dtype=float)
    if xs.ndim != 1:
        raise ValueError(f"xs must be a 1-D array, got shape {xs.shape}")
    return sigmoid(weight * xs + bias)


def gate_bias_slider(
    weight: float = 1.0,
    biases: np.ndarray | None = None,
    x_range: tuple[float, float] = GATE_X_RANGE,
    n_points: int = 121,
) -> go.Figure:
    """A plotly figure with a slider over the bias b of one gate, sigmoid(w * x + b).

    Each slider step is a precomputed frame, so the slider works in the static HTML book with no kernel.
    ``biases``: shape ``(n_steps,)``, default -4 ... 4 in steps of 0.5.
    """
    if n_points < 2:
        raise ValueError(f"n_points must be at least 2, got {n_points}")
    if biases is None:
        biases = np.arange(-4.0, 4.01, 0.5)
    biases = np.asarray(biases, dtype=float)
    if biases.ndim != 1 or biases.size == 0:
        raise ValueError(f"biases must be a non-empty 1-D array, got shape {biases.shape}")
    xs = np.linspace(*x_range, n_points)
    start = int(np.argmin(np.abs(biases)))

    def curve(b: float) -> go.Scatter:
        return go.Scatter(x=xs, y=gate_curve(weight, b, xs), mode="lines", name="gate value",
                          line={"width": 3, "color": SEQUENCE[0]})

    fig = go.Figure(data=[curve(biases[start])], frames=[go.Frame(data=[curve(b)], name=f"{b:g}") for b in biases])
    fig.update_layout(
        title=f"A gate: sigmoid({weight:g}·x + b). Drag the slider to change the bias b",
        xaxis_title="weighted input x",
        yaxis_title="gate value (0 = closed, 1 = open)",
        yaxis_range=[-0.05, 1.05],
        height=420,
        margin={"t": 60, "b": 40},
        sliders=[frame_slider([f"{b:g}" for b in biases], start, "bias b = ", redraw=False, pad={"t": 50})],
    )
    return fig


def gate_plot(weight: float, bias: float) -> Figure:
    """Matplotlib figure of sigmoid(weight * x + bias) over x in [-6, 6] (one position of the live widget)."""
    xs = np.linspace(*GATE_X_RANGE, 121)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(xs, gate_curve(weight, bias, xs), lw=3, color=SEQUENCE[0])
    ax.set(xlabel="weighted input x", ylabel="gate value", ylim=(-0.05, 1.05),
           title=f"sigmoid({weight:.1f}·x + {bias:.1f})")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
