"""The HTML panels that compute a GRU or LSTM step in the reader's browser (``book/_static/longshort.js``).

Each panel is a ``<div>`` carrying its data as ``<script type="application/json">`` (written here, at build time)
and an empty plot that the page's JavaScript draws with plotly.js, with no kernel and no server:

* :func:`knob_panel`: one range input for *every* parameter of a one-input, one-unit cell, plus the input and the
  previous state(s); any change recomputes the step with ``window.longShort.step`` and redraws the bars;
* :func:`model_panel`: a trained tiny model (:mod:`lessons.rnn.learned_gates`) stepped through a click sequence the
  reader types, drawing its keep gate per unit and its next-topic prediction.

``book/_ext/book_html.py`` loads ``longshort.js`` (and plotly.js) on every page that contains such a panel. In a live
Jupyter kernel the panels show their controls only; the computing happens in the built book.
"""

from __future__ import annotations

import html
import json
from typing import Any

import numpy as np

from lessons.checks import check_choice
from lessons.pictures.palette import GATE, NEUTRAL, OKABE_ITO, STATE
from lessons.rnn.gru import GRU
from lessons.rnn.learned_gates import KEEP_GATE, TinyModel
from lessons.rnn.lstm import LSTM

KINDS = ("gru", "lstm")

#: Parameter names in the order of each cell's equations (GRU in PyTorch's variant), as in lessons.rnn.
PARAMS: dict[str, tuple[str, ...]] = {
    "gru": ("W_xr", "W_hr", "b_r", "W_xz", "W_hz", "b_z", "W_xn", "W_hn", "b_in", "b_hn"),
    "lstm": tuple(f"{p}{k}" for k in "ifgo" for p in ("W_x", "W_h", "b_")),
}

#: Starting positions of the knobs: the one-unit GRU of ``sliders.one_unit_gru`` and a memory-keeping LSTM unit.
KNOB_DEFAULTS: dict[str, dict[str, float]] = {
    "gru": {"W_xr": 1.0, "W_hr": -1.0, "b_r": 0.0, "W_xz": 1.0, "W_hz": 1.0, "b_z": 0.0, "W_xn": 1.5, "W_hn": 1.0,
            "b_in": 0.0, "b_hn": 0.0, "x": 1.0, "h": 0.5},
    "lstm": {"W_xi": 1.0, "W_hi": 0.0, "b_i": 0.0, "W_xf": 0.0, "W_hf": 0.0, "b_f": 1.0, "W_xg": 2.0, "W_hg": 0.0,
             "b_g": 0.0, "W_xo": 0.0, "W_ho": 0.0, "b_o": 2.0, "x": 1.0, "h": 0.0, "c": 0.5},
}

_GROUPS = {
    "gru": [("reset gate r", "r"), ("update gate z", "z"), ("candidate n", "n")],
    "lstm": [("input gate i", "i"), ("forget gate f", "f"), ("candidate g", "g"), ("output gate o", "o")],
}
_BARS = {
    "gru": [("r", "r", GATE["r"]), ("z", "z", GATE["z"]), ("n", "n", GATE["n"]),
            ("h_prev", "old h", NEUTRAL["muted"]), ("h", "new h", STATE["h"])],
    "lstm": [("i", "i", GATE["i"]), ("f", "f", GATE["f"]), ("g", "g", GATE["g"]), ("o", "o", GATE["o"]),
             ("c_prev", "old c", NEUTRAL["muted"]), ("c", "new c", STATE["c"]), ("h", "new h", STATE["h"])],
}
_TOPICS = "ABCDEFGHIJ"
_STATE_LABELS = {"x": "x<sub>t</sub>", "h": "h<sub>t&minus;1</sub>", "c": "c<sub>t&minus;1</sub>"}

_STYLE = f"""<style>
.longshort-panel {{ border: 1px solid {NEUTRAL['rule']}; border-radius: 6px; padding: 0.6em 0.8em; margin: 1em 0; }}
.longshort-panel .longshort-knobgrid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(13em, 1fr));
  gap: 0.2em 1.2em; font-size: 0.9rem; }}
.longshort-panel fieldset {{ border: 0; margin: 0; padding: 0; }}
.longshort-panel legend {{ font-weight: 600; font-size: 0.9rem; padding: 0; }}
.longshort-panel label {{ display: grid; grid-template-columns: 3.2em 1fr 3em; align-items: center; gap: 0.4em; }}
.longshort-panel input[type=range] {{ width: 100%; min-width: 0; }}
.longshort-panel output {{ font-variant-numeric: tabular-nums; text-align: right; }}
.longshort-panel input[type=text] {{ width: 100%; font-family: monospace; font-size: 1rem; padding: 0.2em; }}
.longshort-panel .longshort-note {{ color: {NEUTRAL['muted']}; font-size: 0.85rem; }}
.longshort-panel .longshort-static {{ color: {NEUTRAL['muted']}; font-size: 0.85rem; }}
</style>"""


class Panel:
    """An HTML block for the notebook's output (``_repr_html_``); ``.html`` is the markup, ``.data`` the JSON."""

    def __init__(self, markup: str, data: dict[str, Any]) -> None:
        self.html, self.data = markup, data

    def _repr_html_(self) -> str:
        return self.html


def parameters_json(cell: GRU | LSTM) -> dict[str, list]:
    """A cell's parameters as nested lists, named as ``window.longShort.step`` expects them."""
    kind = "gru" if isinstance(cell, GRU) else "lstm"
    if kind == "gru" and cell.variant != "pytorch":
        raise ValueError(f"cell.variant must be 'pytorch' for the in-page step, got {cell.variant!r}")
    return {name: np.asarray(getattr(cell, name), dtype=np.float64).tolist() for name in PARAMS[kind]}


def _json_script(data: dict[str, Any]) -> str:
    text = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")  # never close the script early
    return f'<script type="application/json">{text}</script>'


def _pretty(name: str) -> str:
    """``W_xr`` -> W<sub>xr</sub>; the input and old states with their time index, as in the equations."""
    if name in _STATE_LABELS:
        return _STATE_LABELS[name]
    head, _, sub = name.partition("_")
    return f"{html.escape(head)}<sub>{html.escape(sub)}</sub>" if sub else html.escape(name)


def _slider(name: str, value: float, lo: float, hi: float) -> str:
    key = html.escape(name)
    return (f'<label><span>{_pretty(name)}</span><input type="range" name="{key}" min="{lo}" max="{hi}" '
            f'step="0.05" value="{value}" aria-label="{key}"><output data-for="{key}">{value:.2f}</output></label>')


def knob_panel(kind: str) -> Panel:
    """Range inputs for every parameter of a one-input, one-unit ``kind`` cell, its input and previous state(s).

    Weights and biases range over [-4, 4], ``x`` over [-3, 3], ``h`` over [-1, 1], ``c`` over [-3, 3].
    """
    check_choice("kind", kind, KINDS)
    d = KNOB_DEFAULTS[kind]
    groups = []
    for title, g in _GROUPS[kind]:
        names = [n for n in PARAMS[kind] if n.endswith(g)]
        rows = "".join(_slider(n, d[n], -4, 4) for n in names)
        groups.append(f"<fieldset><legend>{html.escape(title)}</legend>{rows}</fieldset>")
    states = [_slider("x", d["x"], -3, 3), _slider("h", d["h"], -1, 1)]
    if kind == "lstm":
        states.append(_slider("c", d["c"], -3, 3))
    groups.append(f"<fieldset><legend>input and old state</legend>{''.join(states)}</fieldset>")
    data = {"kind": kind, "params": list(PARAMS[kind]),
            "bars": [{"key": k, "label": label, "colour": c} for k, label, c in _BARS[kind]],
            "yrange": [-1.25, 1.25] if kind == "gru" else [-4.2, 4.2]}
    markup = (f'{_STYLE}<div class="longshort-panel longshort-knobs" data-kind="{kind}">{_json_script(data)}'
              f'<div class="longshort-knobgrid">{"".join(groups)}</div>'
              f'<div class="longshort-plot" style="width:100%;min-height:300px"></div>'
              '<p class="longshort-static">Every slider recomputes the step in your browser '
              '(book/_static/longshort.js); in a live notebook use the widget instead.</p></div>')
    return Panel(markup, data)


def model_panel(model: TinyModel, sequence: str = "A A A D A A | C C C C B C C | A A A") -> Panel:
    """The trained tiny ``model`` stepped through a click sequence the reader can edit.

    Letters are topics (``A`` is topic 0), ``|`` marks a session break before the next click, spaces are ignored.
    """
    if not isinstance(model, TinyModel):
        raise ValueError(f"model must be a learned_gates.TinyModel, got {type(model).__name__}")
    K = model.readout_b.shape[0]
    gate = KEEP_GATE[model.kind]
    name = "update gate z" if gate == "z" else "forget gate f"
    data = {"kind": model.kind, "gate": gate, "seed": model.seed, "letters": list(_TOPICS[:K]),
            "params": parameters_json(model.cell), "readout_W": model.readout_W.tolist(),
            "readout_b": model.readout_b.tolist(), "gate_title": f"{name} of each unit (near 1 keeps)",
            "colours": {"gate": GATE[gate], "prob": OKABE_ITO["blue"], "off": NEUTRAL["off"]}}
    letters = ", ".join(_TOPICS[:K])
    markup = (f'{_STYLE}<div class="longshort-panel longshort-model" data-kind="{model.kind}">{_json_script(data)}'
              f'<label style="display:block">Clicks (topics {letters}; <code>|</code> = session break):'
              f'<input type="text" value="{html.escape(sequence)}" spellcheck="false" '
              f'aria-label="click sequence"></label><span class="longshort-note"></span>'
              f'<div class="longshort-plot" style="width:100%;min-height:420px"></div></div>')
    return Panel(markup, data)
