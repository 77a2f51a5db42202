"""Cell diagrams: the gate values drive the colour of the boxes and the width of the paths; clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.pictures import cell_diagram as cd
from lessons.rnn import LSTM


def _widths(layout: dict, colour: str) -> list[float]:
    return sorted({a["arrowwidth"] for a in layout["annotations"] if a.get("arrowcolor") == colour})


def test_keep_path_widens_as_the_update_gate_opens() -> None:
    from lessons.pictures.palette import GATE

    closed = cd.diagram_layout("gru", {"r": 0.5, "z": 0.1})
    opened = cd.diagram_layout("gru", {"r": 0.5, "z": 0.9})
    assert max(_widths(opened, GATE["z"])) > max(_widths(closed, GATE["z"]))  # keep path z * h_prev
    assert max(_widths(opened, GATE["n"])) < max(_widths(closed, GATE["n"]))  # write path (1 - z) * n
    fills = [s["fillcolor"] for s in opened["shapes"] if s["type"] == "rect"]
    assert cd.tint(GATE["z"], 0.12 + 0.88 * 0.9) in fills  # the z box: a tint that deepens as z opens
    assert cd.tint(GATE["z"], 0.12 + 0.88 * 0.1) in [s["fillcolor"] for s in closed["shapes"]]
    texts = " ".join(a["text"] for a in opened["annotations"])
    assert "0.90" in texts and "0.10" in texts


def test_lstm_diagram_and_slider_steps() -> None:
    lstm = LSTM(2, 3, rng=0)
    trace = lstm.forward(np.random.default_rng(0).normal(size=(4, 2)))
    steps = cd.steps_from_trace(trace, "lstm")
    assert len(steps) == 4 and set(steps[0]) == {"i", "f", "o"}
    np.testing.assert_allclose(steps[2]["f"], trace.gates["f"][2].mean())
    assert cd.steps_from_trace(trace, "lstm", unit=1)[0]["o"] == trace.gates["o"][0][1]
    fig = cd.cell_diagram_steps("lstm", steps, ["1", "2", "3", "4"], active=2)
    slider = fig.layout.sliders[0]
    assert len(slider.steps) == 4 and slider.active == 2
    assert slider.steps[3].args[0]["shapes"] != slider.steps[0].args[0]["shapes"]
    assert len(fig.to_json()) < 150_000


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: cd.cell_diagram("rnn", {}), ["kind", "rnn"]),
        (lambda: cd.cell_diagram("gru", {"z": 0.5}), ["values", "r"]),
        (lambda: cd.cell_diagram("lstm", {"i": 0.5, "f": 1.5, "o": 0.1}), ["values['f']", "[0, 1]", "1.5"]),
        (lambda: cd.cell_diagram_steps("gru", [{"r": 0, "z": 0}], ["a", "b"]), ["equal length", "1", "2"]),
        (lambda: cd.cell_diagram_steps("gru", [{"r": 0, "z": 0}], ["a"], active=3), ["active", "3"]),
    ],
)
def test_clear_errors(call, words: list[str], clear_error) -> None:
    clear_error(call, words)


def test_learned_diagram_starts_at_the_session_break() -> None:
    from lessons.rnn.learned_gates import train_tiny

    fig = cd.learned_diagram(train_tiny("lstm", 0), "A A B A | C C")
    slider = fig.layout.sliders[0]
    assert [s.label for s in slider.steps] == ["|A", "A", "B", "A", "|C", "C"]
    assert slider.active == 4 and "session break" in fig.layout.title.text
    assert "stray click" in slider.steps[2].args[0]["title.text"]


def test_tint_mixes_a_palette_colour_into_the_paper() -> None:
    assert cd.tint("#009E73", 0.0) == "rgb(255,255,255)" and cd.tint("#009E73", 1.0) == "rgb(0,158,115)"
    assert cd.tint("#000000", 0.5) == "rgb(128,128,128)" and cd.tint("#000000", 2.0) == "rgb(0,0,0)"


@pytest.mark.parametrize("kind", cd.KINDS)
def test_diagram_follows_the_page_colour(kind: str) -> None:
    """Dark mode: no white paper and no white node; text on a gate box stays dark, other text is the book's text
    colour (book.css lightens it in dark mode)."""
    from lessons.pictures.palette import CLEAR, NEUTRAL

    values = {g: 0.5 for g in cd.GATES[kind]}
    for fig in (cd.cell_diagram(kind, values), cd.cell_diagram_steps(kind, [values, values], ["a", "b"])):
        assert fig.layout.paper_bgcolor == CLEAR and fig.layout.plot_bgcolor == CLEAR
        shapes = fig.layout.shapes
        nodes = [s for s in shapes if s.fillcolor == CLEAR]
        assert len(nodes) == len(cd._LAYOUT[kind]["ops"])
        assert all(s.fillcolor.startswith("rgb(") and s.fillcolor != "rgb(255,255,255)"
                   for s in shapes if s not in nodes)
        colours = {a.text: a.font.color for a in fig.layout.annotations if a.text}
        assert all(colours[f"<b>{g}</b>"] == NEUTRAL["on-tint"] for g in cd.GATES[kind])
        assert colours["x<sub>t</sub>"] == NEUTRAL["text"]
