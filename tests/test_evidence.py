"""The chapter's summary table and the family check over it (lessons.casestudy.evidence)."""

from __future__ import annotations

import json
import re

import pytest

from lessons.casestudy.evidence import SUMMARY_ROWS, summary_intervals
from lessons.paths import REPO_ROOT


def _summary_markdown() -> str:
    nb = json.loads((REPO_ROOT / "notebooks" / "when_long_term_helps.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    return next(c for c in cells if c.startswith("## What the evidence says"))


def test_the_rows_are_the_chapters_summary_table_in_its_order() -> None:
    rows = [line for line in _summary_markdown().splitlines() if line.startswith("| ") and "{glue:text}" in line]
    shown = [tuple(k for k in re.findall(r"\{glue:text\}`([^`]+)`", row.rsplit("|", 2)[-2])
                   if not k.endswith("_verdict")) for row in rows]
    assert shown == [keys for _, keys in SUMMARY_ROWS]
    assert len({label for label, _ in SUMMARY_ROWS}) == len(SUMMARY_ROWS)


def test_summary_intervals_split_tested_rows_from_rows_without_a_test() -> None:
    rows = (("a", ("a_diff", "a_ci")), ("b", ("b",)), ("c", ("c",)))
    glued = {"a_diff": "-0.0095", "a_ci": "[-0.0152, -0.0042]", "b": "+0.0013 [-0.0023, +0.0048], level",
             "c": "validation chose no regularisation"}
    tested, untested = summary_intervals(glued, rows)
    assert tested == {"a": (-0.0095, -0.0152, -0.0042), "b": (0.0013, -0.0023, 0.0048)}
    assert untested == {"c": "validation chose no regularisation"}


def test_summary_intervals_refuse_a_missing_key_or_a_broken_number() -> None:
    with pytest.raises(ValueError, match=r"glued lacks the keys \['b'\]"):
        summary_intervals({"a": "not run"}, (("a", ("a",)), ("b", ("b",))))
    with pytest.raises(ValueError, match="must start with 'difference"):
        summary_intervals({"a": "-0.0095, hurts"}, (("a", ("a",)),))
