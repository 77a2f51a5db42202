"""One palette: colours are defined in lessons/pictures/palette.py only, and the plotly template uses them."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import plotly.io as pio
import pytest

import lessons.pictures  # noqa: F401  (registers the book's plotly template)
from lessons.paths import REPO_ROOT
from lessons.pictures import palette
from lessons.pictures.plotly_book import TEMPLATE_NAME

HEX = re.compile(r"""["']#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})["']""")
_KEYS = r"(?:color|colors|fc|ec|facecolor|edgecolor|edgecolors|marker_color)"
_NAMES = r"(?:k|black|white|grey|gray|dimgrey|dimgray|red|blue|green|orange|purple|tab:\w+|C\d)"
NAMED = re.compile(r"\b" + _KEYS + r"""\s*=\s*["']""" + _NAMES + r"""["']""")
# Any string given to a fill or background argument is a colour (keyword, dict key or matplotlib setter), whatever
# its form (named, "rgb(...)", hex): only the words that mean "no colour of its own" are allowed.
_FILL_KEYS = r"(?:fillcolor|paper_bgcolor|plot_bgcolor|bgcolor|facecolor|edgecolor|fc|ec|arrowcolor|linecolor)"
FILL = re.compile(r"""(?:\b""" + _FILL_KEYS + r"""\s*=\s*|["']""" + _FILL_KEYS + r"""["']\s*:\s*"""
                  r"""|\bset_(?:face|edge)color\(\s*)["'](?!(?:none|auto|face|inherit)["'])[^"']+["']""")
RGB = re.compile(r"""["']rgba?\(\s*\d""")


def colour_literals(text: str) -> list[tuple[int, str]]:
    """(line number, line) of every colour written as a literal in Python source ``text``."""
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
            if HEX.search(line) or NAMED.search(line) or FILL.search(line) or RGB.search(line)]


def test_no_colour_is_defined_outside_the_palette() -> None:
    offenders = []
    for path in sorted((REPO_ROOT / "lessons").rglob("*.py")):
        if path.name == "palette.py":
            continue
        offenders += [f"{path.relative_to(REPO_ROOT)}:{n}: {line}"
                      for n, line in colour_literals(path.read_text(encoding="utf-8"))]
    assert offenders == [], "colours defined outside lessons/pictures/palette.py:\n" + "\n".join(offenders)


def test_the_grep_catches_a_colour() -> None:
    assert HEX.search('fc="#81b29a"') and HEX.search("c = '#fff'") and NAMED.search('color="grey"')
    assert not HEX.search("# a comment #1") and not NAMED.search("color=NEUTRAL['text']")


@pytest.mark.parametrize("line", [
    'fig.update_layout(height=height, plot_bgcolor="white",',  # the old cell diagram: a white card in dark mode
    '                  paper_bgcolor="white", showlegend=False,',
    '    fillcolor="white", line=dict(color=muted, width=1.5)))',
    "legend=dict(bgcolor='rgba(255,255,255,0.8)')",
    'shape = {"type": "rect", "fillcolor": "lightyellow"}',
    'ax.text(0, 0, "note", bbox=dict(facecolor="wheat", edgecolor="0.5"))',
    'fig.patch.set_facecolor("ivory")',
    '_CLEAR = "rgba(0,0,0,0)"',
    'ann = dict(arrowcolor="#333", text="")',
])
def test_the_grep_catches_a_fill_or_background(line: str) -> None:
    assert colour_literals(line) == [(1, line.strip())]


@pytest.mark.parametrize("line", [
    'ax.hist(x, facecolor="none", edgecolor=SEQUENCE[0])',
    "fig.update_layout(paper_bgcolor=CLEAR, plot_bgcolor=CLEAR)",
    'shape = {"fillcolor": tint(GATE["z"], 0.5)}',
    'return "rgb({},{},{})".format(*mixed)',
    "bbox={'fc': NEUTRAL['note'], 'ec': 'none'}",
])
def test_the_grep_leaves_palette_colours_alone(line: str) -> None:
    assert colour_literals(line) == []


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
