"""The live (kernel-backed) twin of :func:`lessons.pictures.gate_demo.gate_bias_slider`.

In the static book the widget below shows its controls and the output it had when the book was built;
on Binder or a local Jupyter it recomputes the gate for every slider position.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from lessons.pictures.gate_demo import gate_curve


def gate_plot(weight: float, bias: float) -> plt.Figure:
    """Matplotlib figure of sigmoid(weight * x + bias) over x in [-6, 6]."""
    xs = np.linspace(-6, 6, 121)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(xs, gate_curve(weight, bias, xs), lw=3)
    ax.set(xlabel="weighted input x", ylabel="gate value", ylim=(-0.05, 1.05),
           title=f"sigmoid({weight:.1f}·x + {bias:.1f})")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def gate_widget() -> widgets.VBox:
    """Two sliders (weight, bias) driving :func:`gate_plot` in an Output widget."""
    weight = widgets.FloatSlider(value=1.0, min=-3.0, max=3.0, step=0.1, description="weight w")
    bias = widgets.FloatSlider(value=0.0, min=-4.0, max=4.0, step=0.5, description="bias b")
    out = widgets.Output()

    def redraw(*_: object) -> None:
        with out:
            out.clear_output(wait=True)
            fig = gate_plot(weight.value, bias.value)
            display(fig)
            plt.close(fig)

    weight.observe(redraw, names="value")
    bias.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([weight, bias]), out])
