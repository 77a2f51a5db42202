"""The book's colours: the one place they are defined (matplotlib and plotly figures both read them).

Built on the Okabe–Ito palette, which stays distinguishable under the common colour-vision deficiencies.
One meaning, one colour, across every chapter:

* cells: RNN, LSTM, GRU;
* gates: the gates that do the same job share a colour. The GRU update gate ``z`` keeps the old state as the
  LSTM forget gate ``f`` does (PyTorch convention: z near 1 keeps), so ``z`` and ``f`` are both green; the
  candidates ``n`` and ``g`` share purple;
* states: hidden ``h`` and cell ``c``;
* interest: short-term, long-term and their fusion;
* the simulator's event sources: long-term taste, burst, repeat.
"""

from __future__ import annotations

OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#7F7F7F",
}
"""Okabe & Ito (2008), "Color Universal Design", with a neutral grey."""

CELL: dict[str, str] = {"rnn": OKABE_ITO["grey"], "lstm": OKABE_ITO["blue"], "gru": OKABE_ITO["vermillion"]}
"""One colour per recurrent cell, keyed by lower-case name."""

GATE: dict[str, str] = {
    "i": OKABE_ITO["orange"],  # LSTM input gate: how much of the candidate is written
    "f": OKABE_ITO["green"],  # LSTM forget gate: how much of the old cell state is kept
    "z": OKABE_ITO["green"],  # GRU update gate: how much of the old hidden state is kept (does f's job)
    "r": OKABE_ITO["sky"],  # GRU reset gate: how much of the old state the candidate may read
    "o": OKABE_ITO["yellow"],  # LSTM output gate: how much of the cell state is shown
    "g": OKABE_ITO["purple"],  # LSTM candidate
    "n": OKABE_ITO["purple"],  # GRU candidate (PyTorch's name)
}
"""One colour per gate or candidate, keyed by the book's symbol."""

STATE: dict[str, str] = {"h": "#333333", "c": OKABE_ITO["blue"], "x": OKABE_ITO["grey"]}
"""Hidden state, cell state and input."""

INTEREST: dict[str, str] = {"short": OKABE_ITO["orange"], "long": OKABE_ITO["blue"], "fused": OKABE_ITO["green"],
                            "fused-lstur": OKABE_ITO["green"], "fused-gate": OKABE_ITO["sky"],
                            "full": OKABE_ITO["vermillion"], "baseline": OKABE_ITO["grey"]}
"""The case study's model families: short-term, long-term, fused (its two variants: LSTUR-style initialisation and
the learned gate), full-sequence, and the simple baselines."""

SOURCE: dict[str, str] = {"long-term": OKABE_ITO["blue"], "burst": OKABE_ITO["orange"], "repeat": OKABE_ITO["purple"]}
"""The interest-drift simulator's event sources."""

STEP: dict[str, str] = {"prev": OKABE_ITO["grey"], "new": OKABE_ITO["vermillion"]}
"""One step of a cell: the state it starts from and the state it ends in (candidates use :data:`GATE`)."""

SPLIT: dict[str, str] = {"train": OKABE_ITO["grey"], "input": OKABE_ITO["blue"], "valid": OKABE_ITO["orange"],
                         "test": OKABE_ITO["vermillion"], "ref": OKABE_ITO["green"]}
"""The evaluation protocol's parts: training events, the model's input window, validation and test items, and a
reference marker."""

ROLE: dict[str, str] = {"latent": "#ffffff", "data": "#e6e6e6", "method": "#cfe5f5", "representation": "#fde3bf",
                        "model": "#cdeee2", "output": "#e9d3ec", "concept": "#f5f5dc"}
"""Fills of the concept map's boxes by role (light Okabe–Ito tints, so black text stays readable)."""

NEUTRAL: dict[str, str] = {"text": "#333333", "muted": "#777777", "rule": "#BBBBBB", "off": "#EEEEEE",
                           "paper": "#FFFFFF", "note": "#FFF8E1", "on-tint": "#1A1A1A",
                           "grid": "rgba(127,127,127,0.25)"}
"""Greys for text, guides, inactive boxes; the paper of a figure and of a note box on it.

In the HTML book's dark mode ``book/_static/book.css`` recolours plotly figures: ``text`` (text, and lines or
bars drawn in it, e.g. the hidden state) becomes the page's light text colour; ``on-tint`` is for text that sits
on a light tint (a cell diagram's gate box) and stays dark in both modes; ``grid`` is a translucent grey that
reads on a white and on a dark page alike."""

CLEAR = "rgba(0,0,0,0)"
"""No colour: a figure's paper and plot area, so that it sits on the page's own colour (light or dark)."""

SEQUENCE: tuple[str, ...] = (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["green"], OKABE_ITO["orange"],
                             OKABE_ITO["purple"], OKABE_ITO["sky"], OKABE_ITO["grey"])
"""Colours for series that carry no fixed meaning (data sets, seeds), in order of use."""
