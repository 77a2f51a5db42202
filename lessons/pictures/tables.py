"""How tables look in the book: readable headers, formatted numbers, blanks for missing values, and a box that
scrolls sideways when a table is wider than the column.

:func:`table_html` is the one table-styling helper. While the HTML book is built, :func:`use_book_tables` makes it
the HTML form of every ``pandas.DataFrame`` a notebook shows (called by
:func:`lessons.pictures.plotly_book.activate`), so no chapter needs to style its tables by hand; in a kernel
pandas' own display is kept.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import pandas as pd

__all__ = ["column_decimals", "format_column", "header", "number", "table_html", "use_book_tables"]


def header(name: Any) -> str:
    """A column or index name as a reader reads it: ``epochs_run`` -> ``epochs run`` (other text unchanged)."""
    return str(name).replace("_", " ") if isinstance(name, str) else ("" if name is None else str(name))


def number(value: Any) -> str:
    """One cell as text: integers (and whole floats) without decimals, with thousands separators from 10 000;
    other floats to 4 significant digits; missing values (``None``, NaN, ``pd.NA``, ``NaT``) blank."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return "∞" if v > 0 else "−∞"
        if v.is_integer() and abs(v) < 1e15:
            return number(int(v))
        if abs(v) >= 10_000:
            return f"{v:,.0f}"
        return f"{v:.4g}"
    return str(value)


def _fraction(value: Any) -> float | None:
    """``value`` as a float if it is a finite real number with a fractional part, else None."""
    if isinstance(value, bool | numbers.Integral) or not isinstance(value, numbers.Real):
        return None
    v = float(value)
    return v if math.isfinite(v) and not v.is_integer() else None


def column_decimals(values: Any) -> int | None:
    """The one number of decimals for a column: the most that any of its values needs at 4 significant digits
    (trailing zeros dropped, so a column rounded to 3 decimals keeps 3); 0 for whole numbers and values from 10 000
    up; None when a value under 1e-4 needs scientific notation (then the whole column uses it)."""
    decimals = 0
    for value in values:
        v = _fraction(value)
        if v is None or abs(v) >= 10_000:
            continue
        text = f"{v:.4g}"
        if "e" in text:
            return None
        decimals = max(decimals, len(text.split(".")[1]) if "." in text else 0)
    return decimals


def format_column(values: Any) -> list[str]:
    """A column's cells as text with one number of decimals (:func:`column_decimals`): ``[0.969, 0.9691]`` ->
    ``["0.9690", "0.9691"]``; integers, whole-number columns, missing values and text as in :func:`number`."""
    values = list(values)
    decimals = column_decimals(values)
    if not any(_fraction(v) is not None for v in values):
        return [number(v) for v in values]
    out = []
    for value in values:
        if isinstance(value, bool | numbers.Integral) or not isinstance(value, numbers.Real) or not math.isfinite(
                float(value)):
            out.append(number(value))
        elif decimals is None:
            out.append(f"{float(value):.3e}")
        else:
            out.append(f"{float(value):,.{decimals}f}" if abs(value) >= 10_000 else f"{float(value):.{decimals}f}")
    return out


def table_html(df: pd.DataFrame, max_rows: int = 60) -> str:
    """The book's HTML of ``df`` (at most ``max_rows`` rows): headers via :func:`header`; cells of a float column
    via :func:`format_column` (one number of decimals per column; per row in a table whose columns all hold mixed
    types, such as a transposed table of settings), other cells via :func:`number`; wrapped in
    ``<div class="lessons-table">`` (``book/_static/book.css`` lets it scroll)."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df: expected a pandas DataFrame, got {type(df).__name__}")
    head = df.head(max_rows)
    shown = head.astype(object).map(number)
    if head.shape[1] > 1 and all(kind == "O" for kind in head.dtypes.map(lambda d: d.kind)):
        for i in range(head.shape[0]):  # a transposed table of mixed types: one quantity per row
            shown.iloc[i, :] = format_column(head.iloc[i, :].tolist())
    for j in range(head.shape[1]):
        if head.dtypes.iloc[j].kind == "f":
            shown.iloc[:, j] = format_column(head.iloc[:, j].tolist())
    if shown.columns.nlevels > 1:
        shown.columns = pd.MultiIndex.from_tuples([tuple(header(c) for c in col) for col in shown.columns])
    else:
        shown.columns = [header(c) for c in shown.columns]
    shown.index.names = [None if n is None else header(n) for n in shown.index.names]
    body = shown.to_html(border=0, classes="lessons-table-body", escape=True)
    more = f"<p class=\"lessons-table-more\">… {len(df) - max_rows} more rows</p>" if len(df) > max_rows else ""
    return f'<div class="lessons-table">{body}{more}</div>'


def use_book_tables() -> None:
    """Make :func:`table_html` the HTML of every DataFrame shown in the running IPython kernel (no-op outside one)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is part of the book's requirements
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, table_html)
