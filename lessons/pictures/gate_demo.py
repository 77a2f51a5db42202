"""The smallest picture of a gate: sigmoid(w * x + b), used on the "How to use this book" page.

A gate is a vector of numbers between 0 and 1 that multiplies another vector element by element.
Each number is a sigmoid of a weighted input plus a bias; moving the bias slides the curve left
or right, which is all "opening" or "closing" a gate means.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go


def sigmoid(a: np.ndarray | float) -> np.ndarray:
    """The logistic function 1 / (1 + exp(-a)), computed stably for large |a|."""
    a = np.asarray(a, dtype=float)
    return np.exp(-np.logaddexp(0.0, -a))


def gate_curve(weight: float, bias: float, xs: np.ndarray) -> np.ndarray:
    """Gate value sigmoid(weight * x + bias) for every x in ``xs`` (shape ``(n,)``)."""
    xs = np.asarray(xs, dtype=float)
    if xs.ndim != 1:
        raise ValueError(f"xs must be a 1-D array, got shape {xs.shape}")
    return sigmoid(weight * xs + bias)


def gate_bias_slider(
    weight: float = 1.0,
    biases: np.ndarray | None = None,
    x_range: tuple[float, float] = (-6.0, 6.0),
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
        return go.Scatter(
            x=xs, y=gate_curve(weight, b, xs), mode="lines", name="gate value", line={"width": 3}
        )

    frames = [go.Frame(data=[curve(b)], name=f"{b:g}") for b in biases]
    steps = [
        {
            "method": "animate",
            "label": f"{b:g}",
            "args": [
                [f"{b:g}"],
                {
                    "mode": "immediate",
                    "frame": {"duration": 0, "redraw": False},
                    "transition": {"duration": 0},
                },
            ],
        }
        for b in biases
    ]
    fig = go.Figure(data=[curve(biases[start])], frames=frames)
    fig.update_layout(
        title=f"A gate: sigmoid({weight:g}·x + b). Drag the slider to change the bias b",
        xaxis_title="weighted input x",
        yaxis_title="gate value (0 = closed, 1 = open)",
        yaxis_range=[-0.05, 1.05],
        height=420,
        margin={"t": 60, "b": 40},
        sliders=[
            {"active": start, "currentvalue": {"prefix": "bias b = "}, "pad": {"t": 50}, "steps": steps}
        ],
    )
    return fig
