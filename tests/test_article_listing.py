"""Static checks of the article's listing: known findings, no false alarms, parity with real pandas."""

from __future__ import annotations

import ast

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from lessons.article.errata import first_step_values
from lessons.article.listing import (
    ARTICLE_LISTING,
    FINDING_KINDS,
    check_listing,
    comment_placeholders,
    evaluation_issues,
    files_read,
    placeholder_strings,
    shape_index_errors,
    undefined_names,
)


def _line(source: str, needle: str) -> int:
    """1-based number of the first line of `source` containing `needle`."""
    for i, text in enumerate(source.splitlines(), start=1):
        if needle in text:
            return i
    raise AssertionError(f"{needle!r} not in source")


def test_listing_is_valid_python_with_no_chinese_left() -> None:
    ast.parse(ARTICLE_LISTING)
    assert all(ord(ch) < 128 for ch in ARTICLE_LISTING)


def test_gru_is_the_only_undefined_name() -> None:
    found = undefined_names(ARTICLE_LISTING)
    assert {f.detail.split("`")[1] for f in found} == {"GRU"}
    assert [f.line for f in found] == [
        i for i, t in enumerate(ARTICLE_LISTING.splitlines(), 1) if "modelGru.add(GRU(" in t
    ]


def test_importing_gru_removes_the_name_error() -> None:
    fixed = ARTICLE_LISTING.replace("import LSTM, Dense, Dropout", "import GRU, LSTM, Dense, Dropout")
    assert undefined_names(fixed) == []


def test_shape_index_found_on_both_models() -> None:
    found = shape_index_errors(ARTICLE_LISTING)
    assert len(found) == 2
    assert all("X_train" in f.detail and "shape[2]" in f.detail for f in found)
    assert found[0].line == _line(ARTICLE_LISTING, "model.add(LSTM(units=50, return_sequences=True")


def test_shape_index_agrees_with_real_pandas_and_sklearn() -> None:
    """What the static rank inference says is what pandas does: a 2-D frame has no shape[2]."""
    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.normal(size=(10, 4)), columns=["feature1", "feature2", "feature3", "label"])
    x = data[["feature1", "feature2", "feature3"]]
    x_train, _, _, _ = train_test_split(x, data["label"], test_size=0.2, random_state=42)
    assert x_train.ndim == 2
    with pytest.raises(IndexError):
        _ = x_train.shape[2]
    with pytest.raises(KeyError):
        _ = data[["feature1", "feature2", "feature3", "..."]]


def test_no_shape_error_when_the_array_is_3d() -> None:
    src = "import numpy as np\nX = np.zeros((4, 5, 6))\nn = X.shape[2]\n"
    assert shape_index_errors(src) == []
    src2 = "import pandas as pd\nd = pd.read_csv('a.csv')\ns = d['x']\nn = s.shape[1]\n"
    assert [f.line for f in shape_index_errors(src2)] == [4]


def test_file_placeholder_and_comment_steps() -> None:
    assert [f.line for f in files_read(ARTICLE_LISTING)] == [_line(ARTICLE_LISTING, "read_csv")]
    assert [f.line for f in placeholder_strings(ARTICLE_LISTING)] == [_line(ARTICLE_LISTING, "'...'")]
    steps = comment_placeholders(ARTICLE_LISTING)
    assert len(steps) == 2
    assert "data expansion" in steps[1].detail


def test_evaluation_issues_for_both_models() -> None:
    kinds = [f.kind for f in evaluation_issues(ARTICLE_LISTING)]
    assert kinds.count("test-as-validation") == 2
    assert kinds.count("accuracy-only") == 2
    clean = "m.compile(metrics=['accuracy', 'auc'])\nm.fit(a, b, validation_data=(c, d))\nm.evaluate(e, f)\n"
    assert evaluation_issues(clean) == []


def test_check_listing_is_sorted_and_complete() -> None:
    found = check_listing()
    assert len(found) == 12
    keys = [(f.line, FINDING_KINDS.index(f.kind)) for f in found]
    assert keys == sorted(keys)
    assert {f.kind for f in found} == set(FINDING_KINDS)
    assert found[0].kind == "missing-file"


def test_bad_input_raises_value_error() -> None:
    with pytest.raises(ValueError, match="source"):
        check_listing("def broken(:\n")
    with pytest.raises(ValueError, match="source"):
        undefined_names(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="source"):
        comment_placeholders(None)  # type: ignore[arg-type]


def test_first_step_values_match_hand_computation() -> None:
    v = first_step_values()
    z1, r1 = np.asarray(v["z1"]), np.asarray(v["r1"])
    np.testing.assert_allclose(z1, [1 / (1 + np.exp(-0.4)), 1 / (1 + np.exp(-0.5))])
    np.testing.assert_allclose(z1, r1)
    assert round(float(z1[0]), 3) == 0.599 and round(float(z1[1]), 3) == 0.622
    assert v["article_z1"] != v["article_r1"]
    pre = np.asarray(v["candidate_preact"])
    assert np.all(pre > 0) and np.all(np.asarray(v["candidate"]) > 0)
    assert np.all(np.asarray(v["article_candidate"]) < 0)
