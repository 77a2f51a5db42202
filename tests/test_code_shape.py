"""The shape of ``lessons/`` (CONTRIBUTING.md): small modules, short functions, one home for each shared idea."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lessons.paths import REPO_ROOT

MODULES = sorted((REPO_ROOT / "lessons").rglob("*.py"))
MAX_MODULE_LINES = 400
LONG_FUNCTION, MAX_FUNCTION = 60, 90  # code lines (docstrings, comments and blank lines not counted)
MAX_LONG_FUNCTIONS = 3


def code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> int:
    """Non-blank, non-comment lines of a function, its docstring excluded."""
    first = node.body[0]
    doc = range(first.lineno, first.end_lineno + 1) if (
        isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
    ) else range(0)
    return sum(1 for i in range(node.lineno, node.end_lineno + 1)
               if i not in doc and lines[i - 1].strip() and not lines[i - 1].strip().startswith("#"))


def function_sizes() -> dict[str, int]:
    """``{"module.py:function": code lines}`` for every function and method in ``lessons/``."""
    sizes = {}
    for path in MODULES:
        source = path.read_text()
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                sizes[f"{path.relative_to(REPO_ROOT)}:{node.name}"] = code_lines(node, lines)
    return sizes


def test_code_lines_skip_docstrings_and_comments() -> None:
    source = 'def f():\n    """Doc\n    string."""\n    # note\n\n    x = 1\n    return x\n'
    node = ast.parse(source).body[0]
    assert code_lines(node, source.splitlines()) == 3  # def, x = 1, return


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_module_is_small(path: Path) -> None:
    n = len(path.read_text().splitlines())
    assert n <= MAX_MODULE_LINES, f"{path.name} has {n} lines (at most {MAX_MODULE_LINES}): split it by idea"


def test_functions_are_short() -> None:
    sizes = function_sizes()
    long = {name: n for name, n in sizes.items() if n > LONG_FUNCTION}
    too_long = {name: n for name, n in long.items() if n > MAX_FUNCTION}
    assert not too_long, f"functions over {MAX_FUNCTION} code lines: {too_long}"
    assert len(long) <= MAX_LONG_FUNCTIONS, f"more than {MAX_LONG_FUNCTIONS} functions over {LONG_FUNCTION}: {long}"


@pytest.mark.parametrize("name", ["sigmoid", "logit", "evaluate"])
def test_one_definition_of_each_shared_idea(name: str) -> None:
    homes = [key for key in function_sizes() if key.endswith(f":{name}")]
    assert len(homes) == 1, f"def {name} must exist exactly once in lessons/, found {homes}"
