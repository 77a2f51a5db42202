"""Live (kernel-backed) twins of the static slider figures, built with ipywidgets.

:class:`LessonWidget` is the one idiom for every live twin in the book: sliders above an image that is redrawn
in place whenever a slider moves, from ``compute(**slider values) -> state`` and ``draw(state) -> Figure``. The
image is drawn by the same functions as the book's figures (``lessons.pictures.gate_demo``, ``sliders``,
``gradients``, ...), so a notebook cell is a single call, e.g. ``gru_step_widget()``.

On Binder or a local Jupyter every slider position is recomputed. The static HTML book has no kernel behind its
pages, so there a widget would be a frozen picture under sliders that move without changing it. When the book is
built (``LESSONS_PLOTLY_RENDERER=book``, see :mod:`lessons.pictures.plotly_book`) a widget therefore displays as an
inert note, :data:`STATIC_NOTE`, instead: the precomputed plotly slider next to it is the one that moves without a
kernel. No widget view in the page also means the 3.6 MB widget embedder is not loaded (``book/_ext/book_html.py``).
"""

from __future__ import annotations

import html
import io
import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from lessons.pictures import gate_demo, plotly_book
from lessons.pictures import gradients as grad_pics
from lessons.pictures import sliders as sl

__all__ = [
    "STATIC_NOTE", "LessonWidget", "gate_widget", "gru_step_widget", "lstm_forget_widget", "gru_update_widget",
    "gradient_widget",
]


STATIC_NOTE = ("Live when a kernel runs: open this page on Binder (the rocket button at the top) or locally "
               "(make lab) and these sliders recompute and redraw the figure. In this static page, use the slider "
               "of the figure above.")
"""What a live widget shows in the static HTML book instead of sliders that could not redraw anything."""


def static_book() -> bool:
    """True while the HTML book is being built (its notebooks run with the book's plotly renderer)."""
    return os.environ.get(plotly_book.ENV_VAR) == plotly_book.NAME


def static_note_html(labels: list[str]) -> str:
    """The inert stand-in of a widget: the cue and the names of its sliders (shown, not draggable)."""
    names = ", ".join(html.escape(label) for label in labels)
    return (f'<div class="lessons-static-widget" role="note"><p class="lessons-static-widget-cue">'
            f"<strong>Live widget</strong> (sliders: {names}). {html.escape(STATIC_NOTE)}</p></div>")


def figure_png(fig: Figure, dpi: int = 90) -> bytes:
    """PNG bytes of a matplotlib figure; the figure is closed afterwards (no stray inline output)."""
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi)
    finally:
        plt.close(fig)
    return buf.getvalue()


class LessonWidget(widgets.VBox):
    """Sliders plus an image redrawn in place.

    Attributes: ``controls`` (dict name → slider), ``image`` (``ipywidgets.Image``), ``state`` (what the last
    computation returned), ``compute(**values) -> state`` and ``draw(state) -> Figure``.
    """

    def __init__(
        self,
        controls: dict[str, widgets.ValueWidget],
        compute: Callable[..., Any],
        draw: Callable[[Any], Figure],
        dpi: int = 90,
    ) -> None:
        if not controls:
            raise ValueError("controls: expected at least one slider, got none")
        self.controls = controls
        self.compute = compute
        self.draw = draw
        self.dpi = dpi
        self.state: Any = None
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        box = widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__([box, self.image])
        for c in controls.values():
            c.observe(self.update, names="value")
        self.update()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        """In a kernel: the live widget. While the static book is built: :func:`static_note_html` (inert)."""
        if not static_book():
            return super()._repr_mimebundle_(**kwargs)
        labels = [c.description or name for name, c in self.controls.items()]
        plain = f"Live widget ({', '.join(labels)}): {STATIC_NOTE}"
        return {"text/html": static_note_html(labels), "text/plain": plain}

    def values(self) -> dict[str, Any]:
        """Current slider values by name."""
        return {k: c.value for k, c in self.controls.items()}

    def update(self, *_: Any) -> None:
        """Recompute from the sliders and redraw the image (called on every slider change)."""
        self.state = self.compute(**self.values())
        self.image.value = figure_png(self.draw(self.state), self.dpi)


def _slider(value: float, lo: float, hi: float, step: float, description: str) -> widgets.FloatSlider:
    return widgets.FloatSlider(
        value=value, min=lo, max=hi, step=step, description=description, continuous_update=False,
        readout_format=".2f", style={"description_width": "initial"},
    )  # fmt: skip


def gate_widget() -> LessonWidget:
    """The live twin of :func:`lessons.pictures.gate_demo.gate_bias_slider`: weight ``w`` and bias ``b`` of
    ``sigmoid(w x + b)``; the state is ``{"weight", "bias"}``."""
    controls = {
        "weight": _slider(1.0, -3.0, 3.0, 0.1, "weight w"),
        "bias": _slider(0.0, -4.0, 4.0, 0.5, "bias b"),
    }
    return LessonWidget(controls, lambda weight, bias: {"weight": weight, "bias": bias},
                        lambda s: gate_demo.gate_plot(s["weight"], s["bias"]))


def gru_step_widget() -> LessonWidget:
    """Experiment (a) live: sliders for ``x``, ``W_xn``, ``b_z`` (all three act together) and ``h_prev``."""
    d, r = sl.GRU_STEP_DEFAULTS, sl.GRU_STEP_RANGES
    controls = {
        "x": _slider(d["x"], *r["x"], "input x"),
        "weight": _slider(d["weight"], *r["weight"], "weight W_xn"),
        "bias": _slider(d["bias"], *r["bias"], "bias b_z"),
        "h_prev": _slider(d["h_prev"], -1.0, 1.0, 0.1, "h_prev"),
    }
    return LessonWidget(controls, sl.gru_step_values, sl.gru_step_bars)


def lstm_forget_widget(T: int = 30) -> LessonWidget:
    """Experiment (b) live: forget bias ``b_f`` and the written value; the memory LSTM runs ``T`` steps."""
    controls = {
        "forget_bias": _slider(1.0, -2.0, 8.0, 0.25, "forget bias b_f"),
        "write": _slider(1.0, -1.0, 1.0, 0.1, "value written x_1"),
    }
    return LessonWidget(
        controls,
        lambda forget_bias, write: {**sl.lstm_memory_curve(forget_bias, T, write), "b_f": forget_bias},
        lambda cur: sl.lstm_memory_plot(cur, forget_bias=cur["b_f"]),
    )


def gru_update_widget() -> LessonWidget:
    """Experiment (c) live: the update gate ``z`` and the input ``x`` of the two-unit GRU."""
    controls = {
        "z": _slider(0.5, 0.0, 1.0, 0.05, "update gate z"),
        "x": _slider(sl.UPDATE_DEMO["x"], -3.0, 3.0, 0.25, "input x"),
    }
    return LessonWidget(controls, sl.gru_update_values, sl.gru_update_plane)


@lru_cache(maxsize=256)
def _model_norms(model: str, knob: float, T: int, hidden_size: int) -> tuple[float, ...]:
    """Gradient norms of one model for one knob value (cached: moving one slider recomputes one model)."""
    cell = grad_pics.make_cells(hidden_size=hidden_size, **{grad_pics.KNOB[model]: knob})[model]
    return tuple(grad_pics.jacobian_norms(cell, grad_pics.model_inputs(T)))


def gradient_widget(T: int = 40, hidden_size: int = 8) -> LessonWidget:
    """Gradient norms through time for RNN, LSTM and GRU, with the three knobs of the static figure."""
    controls = {
        "rnn_norm": _slider(1.5, 0.25, 4.0, 0.25, "RNN ‖W_hh‖₂"),
        "forget_bias": _slider(1.0, -2.0, 6.0, 0.5, "LSTM b_f"),
        "update_bias": _slider(1.0, -2.0, 6.0, 0.5, "GRU b_z"),
    }

    def compute(rnn_norm: float, forget_bias: float, update_bias: float) -> dict[str, Any]:
        knobs = {"RNN": rnn_norm, "LSTM": forget_bias, "GRU": update_bias}
        return {m: np.asarray(_model_norms(m, float(v), T, hidden_size)) for m, v in knobs.items()}

    return LessonWidget(controls, compute, grad_pics.gradient_norms_figure)
