"""The source article's Keras listing, checked statically (no TensorFlow or Keras needed).

The article prints a Python listing that trains a two-layer LSTM and a two-layer GRU with Keras. It cannot
run. This module keeps the listing (code lines unchanged; its Chinese comments are replaced by short English
tags in square brackets) and finds its failures with :mod:`ast` and :mod:`tokenize` only: the listing is never
executed, nothing is imported from it, and nothing touches the network.

Each check returns :class:`Finding` records, so a chapter can print them and a test can assert them::

    from lessons.article.listing import ARTICLE_LISTING, check_listing
    for f in check_listing(ARTICLE_LISTING):
        print(f.line, f.kind, f.detail)
"""

from __future__ import annotations

import ast
import builtins
import io
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ARTICLE_LISTING",
    "Finding",
    "FINDING_KINDS",
    "check_listing",
    "comment_placeholders",
    "evaluation_issues",
    "files_read",
    "placeholder_strings",
    "shape_index_errors",
    "undefined_names",
]

_LISTING_FILE = Path(__file__).with_name("listing.txt")

ARTICLE_LISTING: str = _LISTING_FILE.read_text(encoding="utf-8")
"""The article's listing (``listing.txt`` next to this module): code lines unchanged, comments in English."""

#: The kinds of finding, in the order a reader meets them in the errata chapter.
FINDING_KINDS: tuple[str, ...] = (
    "missing-file",
    "placeholder-column",
    "step-left-as-comment",
    "shape-index",
    "undefined-name",
    "test-as-validation",
    "accuracy-only",
)


@dataclass(frozen=True)
class Finding:
    """One problem in a listing.

    Attributes:
        line: 1-based line number in the checked source.
        kind: one of :data:`FINDING_KINDS`.
        detail: one English sentence saying what fails and why.
    """

    line: int
    kind: str
    detail: str


def _parse(source: str) -> ast.Module:
    if not isinstance(source, str):
        raise ValueError(f"source: expected a str of Python code, got {type(source).__name__}")
    try:
        return ast.parse(source)
    except SyntaxError as err:
        msg = f"source: expected valid Python syntax, got a SyntaxError at line {err.lineno}"
        raise ValueError(msg) from err


def _bound_names(tree: ast.Module) -> set[str]:
    """Names the listing binds anywhere (imports, assignments, defs, loop targets, ...)."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                bound.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bound.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return bound


def _scan(tree: ast.AST, kind: str, detail_of: Callable[[ast.AST], str | None]) -> list[Finding]:
    """One :class:`Finding` of ``kind`` for every node for which ``detail_of`` returns a sentence, in line order."""
    found = [Finding(node.lineno, kind, d) for node in ast.walk(tree) if (d := detail_of(node)) is not None]
    return sorted(found, key=lambda f: f.line)


def undefined_names(source: str) -> list[Finding]:
    """Names that are read but never imported, assigned or built in (each raises ``NameError`` when reached).

    Args:
        source: Python source code.

    Returns:
        One :class:`Finding` per use of an undefined name, in line order.
    """
    tree = _parse(source)
    known = _bound_names(tree) | set(dir(builtins))

    def detail(node: ast.AST) -> str | None:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in known:
            return f"`{node.id}` is used but never imported or defined: NameError when this line runs."
        return None

    return _scan(tree, "undefined-name", detail)


def files_read(source: str) -> list[Finding]:
    """Calls such as ``pd.read_csv('name.csv')`` that need a data file the listing does not provide."""

    def detail(node: ast.AST) -> str | None:
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr.startswith("read_") and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            return (f"reads '{node.args[0].value}', a file that is neither shipped nor described "
                    "(columns, meaning of the label): FileNotFoundError.")
        return None

    return _scan(_parse(source), "missing-file", detail)


def placeholder_strings(source: str) -> list[Finding]:
    """String constants ``'...'`` used as data (for example a column name); they fail with ``KeyError``."""

    def detail(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and node.value == "...":
            return "the column name '...' is a placeholder, not a column: KeyError even with a real file."
        return None

    return _scan(_parse(source), "placeholder-column", detail)


def comment_placeholders(source: str) -> list[Finding]:
    """Comment lines that are only ``# ...``: a step the reader is told to do but is not shown."""
    if not isinstance(source, str):
        raise ValueError(f"source: expected a str of Python code, got {type(source).__name__}")
    found: list[Finding] = []
    previous = ""
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type != tokenize.COMMENT:
            continue
        text = tok.string.lstrip("#").strip()
        if text == "...":
            step = previous.strip("[] ") or "a step"
            detail = f"step left as a comment, never written: {step}."
            found.append(Finding(tok.start[0], "step-left-as-comment", detail))
        previous = text
    return found


def _rank_of(node: ast.expr, ranks: dict[str, int]) -> int | None:
    """Number of dimensions of a pandas/NumPy expression, when the listing makes it evident."""
    if isinstance(node, ast.Name):
        return ranks.get(node.id)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr[:5] == "read_":
        return 2  # pd.read_csv and friends return a DataFrame
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and ranks.get(node.value.id) == 2:
        if isinstance(node.slice, ast.List):
            return 2  # df[[...]] is a DataFrame
        if isinstance(node.slice, ast.Constant):
            return 1  # df['col'] is a Series
    return None


def _infer_ranks(tree: ast.Module) -> dict[str, int]:
    """Follow the listing's straight-line assignments, including ``train_test_split`` unpacking."""
    ranks: dict[str, int] = {}
    for stmt in tree.body:
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
            continue
        target, value = stmt.targets[0], stmt.value
        if isinstance(target, ast.Name):
            rank = _rank_of(value, ranks)
            if rank is not None:
                ranks[target.id] = rank
        elif (
            isinstance(target, ast.Tuple)
            and isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id == "train_test_split"
        ):
            # train_test_split(a, b) returns a_train, a_test, b_train, b_test: ranks of a, a, b, b.
            in_ranks = [_rank_of(arg, ranks) for arg in value.args]
            out_ranks = [r for r in in_ranks for _ in (0, 1)]
            for elt, rank in zip(target.elts, out_ranks, strict=False):
                if isinstance(elt, ast.Name) and rank is not None:
                    ranks[elt.id] = rank
    return ranks


def shape_index_errors(source: str) -> list[Finding]:
    """Uses of ``x.shape[k]`` where ``x`` has at most ``k`` dimensions, which raise ``IndexError``.

    The number of dimensions is inferred from the listing itself: ``pd.read_csv`` gives a 2-D DataFrame,
    ``df[[...]]`` a 2-D DataFrame, ``df['col']`` a 1-D Series, and ``train_test_split`` keeps the ranks.
    """
    tree = _parse(source)
    ranks = _infer_ranks(tree)

    def detail(node: ast.AST) -> str | None:
        if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
                and node.value.attr == "shape" and isinstance(node.value.value, ast.Name)
                and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, int)):
            return None
        name, k = node.value.value.id, node.slice.value
        rank = ranks.get(name)
        if rank is None or k < rank:
            return None
        return (f"`{name}` is {rank}-D (samples, features), so `{name}.shape[{k}]` raises "
                "IndexError; a recurrent layer needs a 3-D array (samples, timesteps, features).")

    return _scan(tree, "shape-index", detail)


def _names_in(node: ast.expr) -> tuple[str, ...]:
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(e.id for e in node.elts if isinstance(e, ast.Name))
    return ()


def evaluation_issues(source: str) -> list[Finding]:
    """Model selection and metrics: the test set used as validation data; accuracy as the only metric."""
    tree = _parse(source)
    evaluated: set[tuple[str, ...]] = set()
    for node in ast.walk(tree):
        is_call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        if is_call and node.func.attr == "evaluate":
            evaluated.add(tuple(a.id for a in node.args if isinstance(a, ast.Name)))
    found: list[Finding] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        for kw in node.keywords:
            if node.func.attr == "fit" and kw.arg == "validation_data" and _names_in(kw.value) in evaluated:
                pair = ", ".join(_names_in(kw.value))
                found.append(
                    Finding(
                        node.lineno,
                        "test-as-validation",
                        f"the test set ({pair}) is also the validation data, so it is seen during training "
                        "and the final test score is not an unbiased estimate.",
                    )
                )
            if (
                node.func.attr == "compile"
                and kw.arg == "metrics"
                and isinstance(kw.value, ast.List)
                and [getattr(e, "value", None) for e in kw.value.elts] == ["accuracy"]
            ):
                found.append(
                    Finding(
                        node.lineno,
                        "accuracy-only",
                        "binary accuracy is the only metric: it depends on the share of negatives and says "
                        "nothing about the ranking a recommender shows.",
                    )
                )
    return sorted(found, key=lambda f: f.line)


def check_listing(source: str = ARTICLE_LISTING) -> list[Finding]:
    """All findings for a listing, sorted by line and then by the order of :data:`FINDING_KINDS`.

    Args:
        source: Python source code; the article's listing by default.

    Returns:
        The findings of :func:`files_read`, :func:`placeholder_strings`, :func:`comment_placeholders`,
        :func:`shape_index_errors`, :func:`undefined_names` and :func:`evaluation_issues`.
    """
    findings = (
        files_read(source)
        + placeholder_strings(source)
        + comment_placeholders(source)
        + shape_index_errors(source)
        + undefined_names(source)
        + evaluation_issues(source)
    )
    return sorted(findings, key=lambda f: (f.line, FINDING_KINDS.index(f.kind)))
