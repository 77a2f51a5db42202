"""One palette: colours are defined in lessons/pictures/palette.py only, and the plotly template uses them."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import plotly.io as pio

import lessons.pictures  # noqa: F401  (registers the book's plotly template)
from lessons.paths import REPO_ROOT
from lessons.pictures import palette
from lessons.pictures.plotly_book import TEMPLATE_NAME

HEX = re.compile(r"""["']#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})["']""")
_KEYS = r"(?:color|colors|fc|ec|facecolor|edgecolor|edgecolors|marker_color)"
_NAMES = r"(?:k|black|white|grey|gray|dimgrey|dimgray|red|blue|green|orange|purple|tab:\w+|C\d)"
NAMED = re.compile(r"\b" + _KEYS + r"""\s*=\s*["']""" + _NAMES + r"""["']""")


def test_no_colour_is_defined_outside_the_palette() -> None:
    offenders = []
    for path in sorted((REPO_ROOT / "lessons").rglob("*.py")):
        if path.name == "palette.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if HEX.search(line) or NAMED.search(line):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{n}: {line.strip()}")
    assert offenders == [], "colours defined outside lessons/pictures/palette.py:\n" + "\n".join(offenders)


def test_the_grep_catches_a_colour() -> None:
    assert HEX.search('fc="#81b29a"') and HEX.search("c = '#fff'") and NAMED.search('color="grey"')
    assert not HEX.search("# a comment #1") and not NAMED.search("color=NEUTRAL['text']")


def test_gates_that_do_the_same_job_share_a_colour() -> None:
    assert palette.GATE["z"] == palette.GATE["f"] and palette.GATE["n"] == palette.GATE["g"]
    assert len(set(palette.CELL.values())) == 3
    assert palette.GATE["i"] != palette.GATE["r"]


def test_plotly_template_is_transparent_and_uses_the_palette() -> None:
    assert pio.templates.default.endswith(TEMPLATE_NAME)
    fig = go.Figure(go.Scatter(y=[1, 2]))
    layout = fig.layout.template.layout
    assert layout.paper_bgcolor == "rgba(0,0,0,0)" and layout.plot_bgcolor == "rgba(0,0,0,0)"
    assert list(layout.colorway) == list(palette.SEQUENCE)
