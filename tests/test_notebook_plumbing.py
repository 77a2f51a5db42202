"""What a reader of the HTML book sees of the code: no plumbing (glue calls, import-only cells) and no code line
cut behind a scrollbar in the cells the page shows."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from lessons.paths import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
HIDDEN_INPUT = {"remove-cell", "remove-input", "hide-input", "hide-cell"}
MAX_LINE = 88  # characters of a code line that fit the book's column without a scrollbar


def visible_code_cells(path: Path) -> list[tuple[int, str]]:
    """``(index, source)`` of every code cell whose input the HTML page shows."""
    cells = json.loads(path.read_text())["cells"]
    return [(i, "".join(c["source"])) for i, c in enumerate(cells)
            if c["cell_type"] == "code" and not HIDDEN_INPUT & set(c["metadata"].get("tags", []))]


def only_plumbing(source: str) -> bool:
    """True for a cell made only of imports and ``glue(...)`` calls (loops over glue calls included)."""
    body = ast.parse(source).body

    def plumbing(node: ast.stmt) -> bool:
        if isinstance(node, ast.Import | ast.ImportFrom):
            return True
        if isinstance(node, ast.For):
            return all(plumbing(n) for n in node.body)
        return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", "") == "glue")
    return bool(body) and all(plumbing(n) for n in body)


def test_plumbing_is_recognised() -> None:
    assert only_plumbing("import numpy as np\nfrom myst_nb import glue")
    assert only_plumbing("for k, v in d.items():\n    glue(k, v, display=False)")
    assert not only_plumbing("import numpy as np\nnp.ones(3)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_visible_cells_fit_the_column(path: Path) -> None:
    long = [(i, line) for i, source in visible_code_cells(path) for line in source.splitlines()
            if len(line) > MAX_LINE]
    assert not long, f"{path.name}: visible code lines over {MAX_LINE} characters: {long}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_visible_cells_hold_no_plumbing(path: Path) -> None:
    """``glue`` lines sit in hidden cells, and so does a cell of imports alone."""
    cells = visible_code_cells(path)
    glued = [i for i, source in cells if "glue(" in source]
    assert not glued, f"{path.name}: visible cells that call glue: {glued}"
    imports = [i for i, source in cells if only_plumbing(source)]
    assert not imports, f"{path.name}: visible cells with imports only: {imports}"
