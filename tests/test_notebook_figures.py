"""Every figure the book shows has a numbered caption and a name (``fig-<chapter>-<what>``) that prose can cite."""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from pathlib import Path

import pytest

from lessons.paths import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
PAGES = sorted((REPO_ROOT / "book").rglob("*.md"))
NAME = re.compile(r"^fig-[a-z0-9]+(-[a-z0-9]+)+$")
HIDDEN = {"remove-cell", "remove-output"}
# Cells exempt from the caption rule: {notebook: call whose cell is exempt} (none).
PENDING: dict[str, str] = {}


@cache
def figure_functions() -> frozenset[str]:
    """Names of the functions in ``lessons/`` annotated to return a matplotlib or plotly ``Figure``."""
    names = {"Figure"}  # plotly.graph_objects.Figure built in a cell
    for path in (REPO_ROOT / "lessons").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.returns is not None and "Figure" in ast.unparse(node.returns):
                names.add(node.name)
    return frozenset(names)


def called_names(expr: ast.AST) -> set[str]:
    """Names of every function called in ``expr`` (``cp.groups_figure(...)`` -> ``groups_figure``)."""
    out = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Call):
            func = node.func
            out.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return out


def shows_figure(source: str) -> str | None:
    """The figure call (or ``fig``) a cell ends with, if its last statement displays a figure, else None."""
    body = ast.parse(source).body
    if not body or not isinstance(body[-1], ast.Expr):
        return None
    last = body[-1].value
    if isinstance(last, ast.Name):
        return last.id if last.id == "fig" else None
    hits = called_names(last) & figure_functions()
    return min(hits) if hits else None


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def figure_names() -> list[str]:
    """Every figure name defined in the book: cell metadata and ``{glue:figure}`` directives."""
    names = []
    for path in NOTEBOOKS:
        for cell in cells(path):
            meta = cell["metadata"].get("mystnb", {}).get("figure", {})
            names += [meta["name"]] if "name" in meta else []
            if cell["cell_type"] == "markdown":
                names += re.findall(r"^:name:\s*(\S+)", "".join(cell["source"]), re.M)
    for page in PAGES:
        names += re.findall(r"^:name:\s*(fig-\S+)", page.read_text(), re.M)
    return names


def test_figure_cells_are_recognised() -> None:
    assert {"gate_heatmaps", "groups_figure", "plot_reach", "cell_diagram"} <= figure_functions()
    assert shows_figure("fig = f()\nplt.close(fig)\nfig") == "fig"
    assert shows_figure("cp.groups_figure(t)  # note") == "groups_figure"
    assert shows_figure("go.Figure(go.Scatter(x=[1])).update_layout(height=3)") == "Figure"
    assert shows_figure("table.round(3)") is None and shows_figure("x = gates.gate_heatmaps(t)") is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_has_a_caption_and_a_name(path: Path) -> None:
    missing = []
    for i, cell in enumerate(cells(path)):
        if cell["cell_type"] != "code" or HIDDEN & set(cell["metadata"].get("tags", [])):
            continue
        call = shows_figure("".join(cell["source"]))
        if call is None or PENDING.get(path.name) == call:
            continue
        meta = cell["metadata"].get("mystnb", {}).get("figure", {})
        if len(meta.get("caption", "")) < 20 or not NAME.match(meta.get("name", "")):
            missing.append(f"cell {i} ({call})")
    assert not missing, f"{path.name}: figure cells without a caption and a fig-... name: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_glued_figures_have_a_caption_and_a_name(path: Path) -> None:
    for cell in cells(path):
        text = "".join(cell["source"])
        for block in re.findall(r"```\{glue:figure\}.*?```", text, re.S):
            lines = [line for line in block.splitlines()[1:-1] if line.strip()]
            options = [line for line in lines if line.startswith(":")]
            assert any(NAME.match(line.split(None, 1)[1]) for line in options if line.startswith(":name:")), block
            assert len(lines) > len(options), f"{path.name}: glue:figure without a caption: {block}"


def test_figure_names_are_unique_and_every_numref_resolves() -> None:
    names = figure_names()
    assert len(names) >= 40 and len(set(names)) == len(names), sorted(n for n in names if names.count(n) > 1)
    texts = [json.dumps(cells(p)) for p in NOTEBOOKS] + [p.read_text() for p in PAGES]
    cited = {m for text in texts for m in re.findall(r"\{numref\}`(?:[^`<]*<)?(fig-[a-z0-9-]+)>?`", text)}
    assert cited, "no prose cites a figure by number"
    assert cited <= set(names), f"numref to unknown figures: {sorted(cited - set(names))}"
