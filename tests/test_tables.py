"""The book's table helper: readable headers, formatted numbers, blanks for missing values, a scrolling box."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lessons.pictures.tables import header, number, table_html


@pytest.mark.parametrize(("value", "text"), [
    (4.5, "4.5"), (3.0, "3"), (0.123456, "0.1235"), (123456.7, "123,457"), (12345, "12,345"), (42, "42"),
    (np.int64(7), "7"), (np.float64(0.5), "0.5"), (None, ""), (np.nan, ""), (pd.NA, ""), (float("inf"), "∞"),
    ("GRU", "GRU"), (True, "True"),
])  # fmt: skip
def test_number(value: object, text: str) -> None:
    assert number(value) == text


def test_table_html_has_readable_headers_and_no_na() -> None:
    df = pd.DataFrame({"epochs_run": [4.5, 3.0], "hr@10": [0.123456, np.nan],
                       "n": pd.array([1, None], dtype="Int64")}, index=pd.Index(["a", "b"], name="model_name"))
    html = table_html(df)
    assert html.startswith('<div class="lessons-table">')
    assert "<th>epochs run</th>" in html and "model name" in html and "epochs_run" not in html
    assert "&lt;NA&gt;" not in html and "NaN" not in html and "4.5000" not in html
    assert "<td>4.5</td>" in html and "<td>3</td>" in html and "<td>0.1235</td>" in html


def test_table_html_cuts_long_tables_and_checks_its_input() -> None:
    html = table_html(pd.DataFrame({"x": range(100)}), max_rows=10)
    assert html.count("<tr") == 11 and "90 more rows" in html
    assert header("hr_at_10") == "hr at 10" and header(None) == "" and header(3) == "3"
    with pytest.raises(ValueError, match="df: expected a pandas DataFrame"):
        table_html([1, 2])  # type: ignore[arg-type]
