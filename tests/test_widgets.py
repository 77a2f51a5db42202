"""Live widgets: built from the lesson functions, and moving a slider recomputes and redraws in place."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lessons import widgets as W
from lessons.pictures import gradients as Gr
from lessons.pictures import sliders as S


def setup_function() -> None:
    plt.close("all")  # figures left open by other test files must not count against the widgets


def teardown_function() -> None:
    plt.close("all")


def test_gru_step_widget_updates_in_place() -> None:
    w = W.gru_step_widget()
    assert set(w.controls) == {"x", "weight", "bias", "h_prev"}
    assert w.state == S.gru_step_values(**S.GRU_STEP_DEFAULTS)
    png0, image = w.image.value, w.image
    assert png0[:8] == b"\x89PNG\r\n\x1a\n"
    w.controls["bias"].value = 3.0
    assert w.image is image  # the same image widget, new picture
    assert w.image.value != png0
    assert w.state == S.gru_step_values(x=1.0, weight=1.5, bias=3.0, h_prev=0.5)
    assert w.state["z"] > 0.98
    assert plt.get_fignums() == []  # every drawn figure was closed


def test_lstm_forget_widget_recomputes_the_memory_curve() -> None:
    w = W.lstm_forget_widget(T=20)
    kept0 = w.state["kept"]
    png0 = w.image.value
    w.controls["forget_bias"].value = 5.0
    assert w.state["kept"] > kept0
    np.testing.assert_allclose(w.state["c"], S.lstm_memory_curve(5.0, 20, 1.0)["c"])
    assert w.image.value != png0


def test_gru_update_widget_moves_the_new_state() -> None:
    w = W.gru_update_widget()
    h0 = w.state["h"].copy()
    w.controls["z"].value = 1.0
    assert not np.allclose(w.state["h"], h0)
    np.testing.assert_allclose(w.state["h"], w.state["h_prev"], atol=1e-8)


def test_gradient_widget() -> None:
    w = W.gradient_widget(T=12, hidden_size=3)
    before = {k: v.copy() for k, v in w.state.items()}
    w.controls["forget_bias"].value = 5.0
    np.testing.assert_allclose(w.state["RNN"], before["RNN"])  # only the LSTM knob moved
    assert not np.allclose(w.state["LSTM"], before["LSTM"])
    np.testing.assert_allclose(
        w.state["LSTM"], Gr.gradient_norms_by_model(T=12, hidden_size=3, rnn_norm=1.5, forget_bias=5.0,
                                                   update_bias=1.0)["LSTM"])  # fmt: skip


def test_lesson_widget_needs_controls() -> None:
    with pytest.raises(ValueError, match="controls"):
        W.LessonWidget({}, lambda: None, lambda s: plt.figure())


def test_static_book_shows_an_inert_note_not_a_frozen_widget(monkeypatch: pytest.MonkeyPatch) -> None:
    w = W.gate_widget()
    monkeypatch.setenv("LESSONS_PLOTLY_RENDERER", "book")
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" not in bundle  # nothing to drag in the static page
    assert "Binder" in bundle["text/html"] and "weight w" in bundle["text/html"]
    monkeypatch.delenv("LESSONS_PLOTLY_RENDERER")
    assert "application/vnd.jupyter.widget-view+json" in w._repr_mimebundle_()  # live in a kernel
