"""Cell diagrams: the data flow of one GRU or LSTM step, drawn so that the gate values can be *seen*.

Each gate is a box whose colour deepens as the gate opens (its value is written inside), and each path a gate
controls is drawn with a width proportional to what it lets through: for the GRU, the keep path ``z * h_prev``
and the write path ``(1 - z) * n`` and the reset gate's share of the past in the candidate; for the LSTM, the
kept memory ``f * c_prev``, the written candidate ``i * g`` and the shown memory ``o * tanh(c)``.

* :func:`cell_diagram` draws one step from a dict of gate values (plotly);
* :func:`cell_diagram_steps` puts several steps under one slider, e.g. a trained model going through a session
  break (:func:`steps_from_trace` reads the values from a :class:`lessons.rnn.Trace`).

Colours come from :mod:`lessons.pictures.palette` (``z`` and ``f`` share a colour: both keep the old state). The
diagram reads on a white and on a dark page: its paper and the operation nodes are transparent, a gate box is an
opaque tint of its gate's colour with dark text (``NEUTRAL["on-tint"]``), and the state lines are drawn in the text
colour, which the book's dark mode lightens (``book/_static/book.css``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from lessons.checks import check_choice
from lessons.pictures.palette import CLEAR, GATE, NEUTRAL, STATE

KINDS = ("gru", "lstm")
GATES = {"gru": ("r", "z"), "lstm": ("i", "f", "o")}

_BOX_W, _BOX_H = 0.95, 1.2
_FONT = 13

# Gate boxes and operation nodes (x, y), in a 10 x 6 drawing.
_LAYOUT: dict[str, dict[str, Any]] = {
    "gru": {
        "boxes": {"z": (2.5, 2.2, "σ"), "r": (4.5, 2.2, "σ"), "n": (6.5, 2.2, "tanh")},
        "ops": {"keep": (2.5, 5.0, "×"), "one_minus": (5.5, 3.8, "1−"), "write": (7.5, 3.8, "×"),
                "sum": (7.5, 5.0, "+")},
        "state_in": ("h", "h<sub>t−1</sub>"), "state_out": ("h", "h<sub>t</sub>"),
    },
    "lstm": {
        "boxes": {"f": (2.5, 2.2, "σ"), "i": (4.0, 2.2, "σ"), "g": (5.5, 2.2, "tanh"), "o": (7.0, 2.2, "σ")},
        "ops": {"keep": (2.5, 5.0, "×"), "write": (4.75, 3.8, "×"), "sum": (4.75, 5.0, "+"),
                "squash": (8.3, 4.1, "tanh"), "show": (8.3, 3.0, "×")},
        "state_in": ("c", "c<sub>t−1</sub>"), "state_out": ("c", "c<sub>t</sub>"),
    },
}


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def tint(hex_colour: str, share: float) -> str:
    """``hex_colour`` mixed into the white paper (``NEUTRAL["paper"]``): share 0 is white, 1 the colour itself.

    Opaque, so a gate box looks the same on a light and on a dark page and its dark text stays readable."""
    share = float(np.clip(share, 0.0, 1.0))
    mixed = (round(p + share * (c - p)) for c, p in zip(_rgb(hex_colour), _rgb(NEUTRAL["paper"]), strict=True))
    return "rgb({},{},{})".format(*mixed)


def _width(v: float) -> float:
    """Line width in px for a path that carries a share ``v`` in [0, 1]."""
    return 1.0 + 9.0 * float(np.clip(v, 0.0, 1.0))


def _arrow(points: Sequence[tuple[float, float]], width: float, colour: str, head: bool = True) -> list[dict]:
    """A polyline as plotly annotations (one per segment; an arrow head on the last one)."""
    out = []
    for k, ((x0, y0), (x1, y1)) in enumerate(zip(points[:-1], points[1:], strict=True)):
        last = k == len(points) - 2
        out.append(dict(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
                        showarrow=True, arrowhead=2 if (head and last) else 0, arrowsize=max(0.45, 2.6 / width),
                        arrowwidth=width, arrowcolor=colour, standoff=0, startstandoff=0))
    return out


def _label(x: float, y: float, text: str, size: int = _FONT, colour: str | None = None, **kw: Any) -> dict:
    return dict(x=x, y=y, xref="x", yref="y", text=text, showarrow=False,
                font=dict(size=size, color=colour or NEUTRAL["text"]), **kw)


def _check_values(kind: str, values: Mapping[str, Any]) -> dict[str, float]:
    out = {}
    for g in GATES[kind]:
        if g not in values:
            raise ValueError(f"values must give every gate of a {kind.upper()} {GATES[kind]}, got {sorted(values)}")
        v = float(values[g])
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"values[{g!r}] must lie in [0, 1], got {v}")
        out[g] = v
    return out


def diagram_layout(kind: str, values: Mapping[str, Any]) -> dict[str, list[dict]]:
    """The shapes and annotations of one step's diagram: ``{"shapes": [...], "annotations": [...]}``."""
    check_choice("kind", kind, KINDS)
    v = _check_values(kind, values)
    spec = _LAYOUT[kind]
    shapes, notes = [], []
    muted, line = NEUTRAL["muted"], STATE["h"]
    state_colour = STATE[spec["state_in"][0]]
    for name, (x, y, fn) in spec["boxes"].items():
        value = v.get(name)
        fill = tint(GATE[name], 0.12 + 0.88 * value if value is not None else 0.35)
        shapes.append(dict(type="rect", x0=x - _BOX_W / 2, x1=x + _BOX_W / 2, y0=y - _BOX_H / 2, y1=y + _BOX_H / 2,
                           xref="x", yref="y", fillcolor=fill, line=dict(color=GATE[name], width=2)))
        on_box = NEUTRAL["on-tint"]
        notes.append(_label(x, y + 0.25, f"<b>{name}</b>", size=_FONT + 3, colour=on_box))
        notes.append(_label(x, y - 0.25, f"{value:.2f}" if value is not None else fn, size=_FONT, colour=on_box))
    for x, y, sym in spec["ops"].values():
        half = 0.42 if len(sym) > 2 else 0.3  # "tanh" in a box, the one-symbol operations in a circle
        shapes.append(dict(type="rect" if len(sym) > 2 else "circle", x0=x - half, x1=x + half,
                           y0=y - 0.3, y1=y + 0.3, xref="x", yref="y",
                           fillcolor=CLEAR, line=dict(color=muted, width=1.5)))
        notes.append(_label(x, y, sym, size=_FONT if len(sym) > 1 else _FONT + 3))
    # the inputs: x_t from below and h_{t-1} along a bus into every box
    bus_y, box_bottom = 0.8, 2.2 - _BOX_H / 2
    xs_boxes = [x for x, _, _ in spec["boxes"].values()]
    notes += _arrow([(1.0, 0.05), (1.0, bus_y)], 2, STATE["x"], head=False)
    notes.append(_label(1.0, -0.25, "x<sub>t</sub>"))
    notes += _arrow([(1.0, bus_y), (max(xs_boxes), bus_y)], 2, muted, head=False)
    for x in xs_boxes:
        notes += _arrow([(x, bus_y), (x, box_bottom)], 2, muted)
    if kind == "gru":
        notes += _gru_paths(v, spec, line)
    else:
        notes += _lstm_paths(v, spec, state_colour, line)
    return {"shapes": shapes, "annotations": notes}


def _gru_paths(v: dict[str, float], spec: dict[str, Any], line: str) -> list[dict]:
    ops, z, r = spec["ops"], v["z"], v["r"]
    top = 5.0
    out = _arrow([(0.75, top), (ops["keep"][0] - 0.3, top)], 3, line, head=False)
    out.append(_label(0.35, top, "h<sub>t−1</sub>"))
    out += _arrow([(1.0, top), (1.0, 0.8)], 2, line, head=False)  # the old state also feeds the gates
    out += _arrow([(ops["keep"][0] + 0.3, top), (ops["sum"][0] - 0.3, top)], _width(z), GATE["z"])
    out.append(_label(5.0, top + 0.45, f"keep z·h<sub>t−1</sub>  ({z:.2f})", size=_FONT - 1))
    out += _arrow([(2.5, 2.8), (2.5, top - 0.3)], 2, GATE["z"])
    out += _arrow([(2.5, 3.8), (ops["one_minus"][0] - 0.3, 3.8)], 2, GATE["z"])
    out += _arrow([(ops["one_minus"][0] + 0.3, 3.8), (ops["write"][0] - 0.3, 3.8)], 2, GATE["z"])
    out += _arrow([(4.95, 2.2), (6.03, 2.2)], _width(r), GATE["r"])  # r scales the past inside the candidate
    out += _arrow([(6.6, 2.8), (7.35, 3.55)], _width(1 - z), GATE["n"])
    out += _arrow([(7.5, 4.1), (7.5, top - 0.3)], _width(1 - z), GATE["n"])
    out.append(_label(7.9, 4.3, f"write<br>(1−z)·n<br>({1 - z:.2f})", size=_FONT - 1, xanchor="left", align="left"))
    out += _arrow([(7.8, top), (9.1, top)], 3, line)
    out.append(_label(9.6, top, "h<sub>t</sub>"))
    return out


def _lstm_paths(v: dict[str, float], spec: dict[str, Any], cell: str, line: str) -> list[dict]:
    ops, f, i, o = spec["ops"], v["f"], v["i"], v["o"]
    top = 5.0
    out = _arrow([(0.75, top), (ops["keep"][0] - 0.3, top)], 3, cell, head=False)
    out.append(_label(0.35, top, "c<sub>t−1</sub>"))
    out += _arrow([(ops["keep"][0] + 0.3, top), (ops["sum"][0] - 0.3, top)], _width(f), GATE["f"])
    out.append(_label(3.6, top + 0.45, f"keep f·c<sub>t−1</sub> ({f:.2f})", size=_FONT - 1))
    out += _arrow([(2.5, 2.8), (2.5, top - 0.3)], 2, GATE["f"])
    out += _arrow([(4.0, 2.8), (4.55, 3.55)], 2, GATE["i"])
    out += _arrow([(5.5, 2.8), (4.95, 3.55)], _width(i), GATE["g"])
    out += _arrow([(4.75, 4.1), (4.75, top - 0.3)], _width(i), GATE["g"])
    out.append(_label(6.2, 4.2, f"write i·g<br>({i:.2f})", size=_FONT - 1))
    out += _arrow([(5.05, top), (9.1, top)], 3, cell)
    out.append(_label(9.6, top, "c<sub>t</sub>"))
    out += _arrow([(8.3, top), (8.3, 4.4)], 2, cell, head=False)
    out += _arrow([(8.3, 3.8), (8.3, 3.3)], 2, cell)
    out += _arrow([(7.45, 2.5), (8.05, 2.85)], 2, GATE["o"])
    out += _arrow([(8.6, 3.0), (9.1, 3.0)], _width(o), GATE["o"])
    out.append(_label(9.6, 3.0, "h<sub>t</sub>"))
    out.append(_label(9.45, 2.3, f"show<br>({o:.2f})", size=_FONT - 1))
    out.append(_label(0.35, 0.8, "h<sub>t−1</sub>"))
    out += _arrow([(0.75, 0.8), (1.0, 0.8)], 2, line, head=False)
    return out


def _figure(height: int) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(height=height, margin=dict(l=5, r=5, t=50, b=5), plot_bgcolor=CLEAR,
                      paper_bgcolor=CLEAR, showlegend=False, font=dict(size=_FONT, color=NEUTRAL["text"]),
                      xaxis=dict(range=[0, 10], visible=False, fixedrange=True),
                      yaxis=dict(range=[-0.6, 5.8], visible=False, fixedrange=True))
    return fig


def cell_diagram(kind: str, values: Mapping[str, Any], title: str | None = None, height: int = 420) -> go.Figure:
    """One step of a ``kind`` cell (``"gru"`` or ``"lstm"``) with its gate values (GRU ``r, z``; LSTM ``i, f, o``;
    each in [0, 1]): box colour and path width follow the values."""
    fig = _figure(height)
    fig.update_layout(**diagram_layout(kind, values), title=dict(text=title or "", font=dict(size=_FONT + 1)))
    return fig


def steps_from_trace(trace: Any, kind: str, unit: int | None = None) -> list[dict[str, float]]:
    """Gate values per step from a :class:`lessons.rnn.Trace`: one ``unit``, or the mean over units if None."""
    check_choice("kind", kind, KINDS)
    out = []
    for t in range(trace.T):
        row = {}
        for g in GATES[kind]:
            col = trace.gates[g][t]
            row[g] = float(col.mean() if unit is None else col[unit])
        out.append(row)
    return out


def cell_diagram_steps(kind: str, steps: Sequence[Mapping[str, Any]], labels: Sequence[str],
                       titles: Sequence[str] | None = None, active: int = 0, height: int = 470) -> go.Figure:
    """Several steps of one cell under a slider (one position per step, labelled by ``labels``).

    Each position replaces the diagram's shapes and annotations; the gates visibly open and close.
    """
    check_choice("kind", kind, KINDS)
    if len(steps) != len(labels) or not steps:
        raise ValueError(f"steps and labels must be non-empty and of equal length, got {len(steps)} and {len(labels)}")
    if titles is not None and len(titles) != len(steps):
        raise ValueError(f"titles must have one entry per step ({len(steps)}), got {len(titles)}")
    if not 0 <= active < len(steps):
        raise ValueError(f"active must be a step index in [0, {len(steps)}), got {active}")
    titles = list(titles) if titles is not None else [""] * len(steps)
    layouts = [diagram_layout(kind, s) for s in steps]
    fig = _figure(height)
    fig.update_layout(**layouts[active], title=dict(text=titles[active], font=dict(size=_FONT + 1)))
    fig.update_layout(sliders=[dict(
        active=active, pad=dict(t=5, b=5), len=1.0, x=0, y=0, yanchor="top", font=dict(size=_FONT),
        currentvalue=dict(visible=False),
        steps=[dict(method="relayout", label=lab, args=[{**lay, "title.text": tit}])
               for lay, lab, tit in zip(layouts, labels, titles, strict=True)])])
    fig.update_layout(margin=dict(l=5, r=5, t=50, b=70))
    return fig


def learned_diagram(model: Any, text: str = "A A D A A | C C C", unit: int | None = None) -> go.Figure:
    """A trained tiny model (:func:`lessons.rnn.learned_gates.train_tiny`) stepping through the clicks ``text``:
    one slider position per click, starting at the first session break after step 0."""
    from lessons.rnn.learned_gates import encode, parse_sequence

    topics, breaks = parse_sequence(text, model.readout_b.shape[0])
    trace = model.cell.forward(encode(topics, breaks, model.readout_b.shape[0]))
    steps = steps_from_trace(trace, model.kind, unit)
    letters = [chr(ord("A") + int(k)) for k in topics]
    labels = [("|" if b else "") + s for s, b in zip(letters, breaks, strict=True)]
    who = "mean over units" if unit is None else f"unit {unit + 1}"
    kinds = ["session break" if b else ("stray click" if 0 < t < len(topics) - 1 and letters[t - 1] == letters[t + 1]
             != letters[t] else "click") for t, b in enumerate(breaks)]
    titles = [f"step {t + 1}: {kinds[t]} {letters[t]} ({who})" for t in range(len(topics))]
    later_breaks = [t for t in range(1, len(topics)) if breaks[t]]
    return cell_diagram_steps(model.kind, steps, labels, titles, active=later_breaks[0] if later_breaks else 0)
