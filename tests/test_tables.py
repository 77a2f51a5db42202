"""The book's table helper: readable headers, formatted numbers, blanks for missing values, a scrolling box."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lessons.pictures.tables import column_decimals, format_column, header, number, table_html


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
    assert "<td>4.5</td>" in html and "<td>3.0</td>" in html and "<td>0.1235</td>" in html  # one decimal per column


@pytest.mark.parametrize(("values", "decimals", "texts"), [
    ([0.969, 0.9691, 1.0], 4, ["0.9690", "0.9691", "1.0000"]),  # the trailing zero .4g used to drop
    ([0.5, 0.123, 3.0], 3, ["0.500", "0.123", "3.000"]),  # a column rounded to 3 decimals keeps 3, not 4
    ([12345.67, 0.5], 1, ["12,345.7", "0.5"]),
    ([3.0, 4.0, np.nan], 0, ["3", "4", ""]),  # whole numbers (an int column with a gap) stay integers
    ([2e-5, 0.25], None, ["2.000e-05", "2.500e-01"]),  # one tiny value: the whole column in scientific notation
    ([1, "GRU", None, 0.25], 2, ["1", "GRU", "", "0.25"]),  # integers, text and blanks are left alone
])  # fmt: skip
def test_one_number_of_decimals_per_column(values: list, decimals: int | None, texts: list[str]) -> None:
    assert column_decimals(values) == decimals
    assert format_column(values) == texts


def test_table_html_formats_each_float_column_on_its_own() -> None:
    df = pd.DataFrame({"hr": [0.969, 0.9691], "sec": [12.5, 3.25], "n": [5, 6], "who": ["a", "b"]})
    html = table_html(df)
    for text in ("0.9690", "0.9691", "12.50", "3.25", "<td>5</td>", "<td>a</td>"):
        assert f"<td>{text}</td>" in html or text in html, text
    assert "<td>0.969</td>" not in html and "12.5<" not in html


def test_table_html_cuts_long_tables_and_checks_its_input() -> None:
    html = table_html(pd.DataFrame({"x": range(100)}), max_rows=10)
    assert html.count("<tr") == 11 and "90 more rows" in html
    assert header("hr_at_10") == "hr at 10" and header(None) == "" and header(3) == "3"
    with pytest.raises(ValueError, match="df: expected a pandas DataFrame"):
        table_html([1, 2])  # type: ignore[arg-type]


def test_a_transposed_table_of_mixed_settings_is_formatted_row_by_row() -> None:
    knobs = pd.DataFrame({"p_burst": [0.3, 0.1, 0.25], "n_users": [1000, 20, 30], "name": ["a", "b", "c"]},
                         index=["news", "music", "shop"]).astype(object).T
    html = table_html(knobs)
    for text in ("0.30", "0.10", "0.25", "1000", "20"):
        assert f"<td>{text}</td>" in html, text
    assert "<td>0.3</td>" not in html and "1000.00" not in html
