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

__all__ = ["header", "number", "table_html", "use_book_tables"]


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


def table_html(df: pd.DataFrame, max_rows: int = 60) -> str:
    """The book's HTML of ``df`` (at most ``max_rows`` rows): headers via :func:`header`, cells via
    :func:`number`, wrapped in ``<div class="lessons-table">`` (``book/_static/book.css`` lets it scroll)."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df: expected a pandas DataFrame, got {type(df).__name__}")
    shown = df.head(max_rows).astype(object).map(number)
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
