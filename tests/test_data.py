"""Loaders, the RecBole protocol, leave-one-out splits and the cache.

Tests marked ``data`` read the MovieLens wheels fetched by ``make data``; the others build tiny data sets.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lessons import data
from lessons.data import (
    SequentialSplit,
    apply_recbole_protocol,
    build_split,
    consecutive_gaps,
    k_core,
    load_grouplens_archive,
    make_toy_split,
    movielens,
    user_time_summary,
)
from lessons.data import split as split_module
from lessons.data.__main__ import main as data_main
from lessons.data.wheels import WHEELS
from lessons.paths import WHEEL_DIR

HAVE_DATA = all((WHEEL_DIR / w.filename).exists() for w in WHEELS.values())
needs_data = pytest.mark.skipif(not HAVE_DATA, reason="MovieLens wheels not fetched (make data)")


def frame(rows: list[tuple]) -> pd.DataFrame:
    users, items, ratings, times = zip(*rows, strict=True)
    return pd.DataFrame({"user": list(map(str, users)), "item": list(map(str, items)),
                         "rating": np.asarray(ratings, float), "timestamp": np.asarray(times, np.int64)})


# ------------------------------------------------------------------------------------------- archives
U_DATA = "2\t30\t4\t500\n10\t7\t3\t100\n2\t10\t5\t500\n2\t20\t1\t400\n10\t8\t2\t100\n"
RATINGS_DAT = "2::30::4::500\r\n10::7::3::100\r\n2::10::5::500\r\n2::20::1::400\r\n10::8::2::100\r\n"


@pytest.mark.parametrize(("member", "text"), [("ml-100k/u.data", U_DATA), ("ml-1m/ratings.dat", RATINGS_DAT)])
def test_grouplens_archive(tmp_path: Path, member: str, text: str):
    path = tmp_path / "ml.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(member, text)
        zf.writestr(member.split("/")[0] + "/README", "readme")
    df = load_grouplens_archive(path)
    assert list(df.columns) == ["user", "item", "rating", "timestamp"]
    assert df["rating"].dtype == np.float64 and df["timestamp"].dtype == np.int64
    # users in natural order (2 before 10); inside a user by time; the tie at t=500 keeps file order (30, 10)
    assert df["user"].tolist() == ["2", "2", "2", "10", "10"]
    assert df["item"].tolist() == ["20", "30", "10", "7", "8"]
    assert df["timestamp"].tolist() == [400, 500, 500, 100, 100]


def test_grouplens_archive_errors(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        load_grouplens_archive(tmp_path / "missing.zip")
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("x/movies.dat", "1::Toy Story")
    with pytest.raises(ValueError, match="u.data or ratings.dat"):
        load_grouplens_archive(path)


def test_missing_wheel_names_make_data(monkeypatch, tmp_path: Path):
    from lessons.data import wheels

    monkeypatch.setattr(movielens, "wheel_path", lambda name: wheels.wheel_path(name, wheel_dir=tmp_path))
    with pytest.raises(FileNotFoundError, match="make data"):
        data.load_movielens("ml-100k")
    with pytest.raises(ValueError, match="ml-100k"):
        data.load_movielens("ml-10m")


# ------------------------------------------------------------------------------------------- protocol
def test_k_core_cascades_until_stable():
    # u1 rates a, b; u2 rates a, b; u3 rates a only. With k=2: u3 goes, then item a still has 2 (ok).
    df = frame([("u1", "a", 5, 1), ("u1", "b", 5, 2), ("u2", "a", 5, 1), ("u2", "b", 5, 2),
                ("u3", "a", 5, 1)])
    out = k_core(df, 2)
    assert sorted(out["user"].unique()) == ["u1", "u2"]
    # cascade: u2 only has (a, c); c is rated once -> dropped -> u2 has 1 -> dropped -> a has 1 ...
    df = frame([("u1", "a", 5, 1), ("u1", "b", 5, 2), ("u2", "a", 5, 1), ("u2", "c", 5, 2),
                ("u3", "b", 5, 1), ("u3", "d", 5, 2)])
    assert len(k_core(df, 2)) == 0


def test_recbole_protocol_invariants_on_random_data():
    rng = np.random.default_rng(0)
    n = 4000
    df = frame(list(zip(rng.integers(0, 120, n), rng.zipf(1.6, n) % 300, rng.integers(1, 6, n).astype(float),
                        rng.integers(0, 10**6, n), strict=True)))
    out = apply_recbole_protocol(df, min_rating=3.0, k_core=10)
    assert len(out) > 0
    assert out["rating"].min() >= 3.0
    assert out.groupby("user").size().min() >= 10 and out.groupby("item").size().min() >= 10
    # maximal: re-adding is impossible, i.e. applying again changes nothing
    pd.testing.assert_frame_equal(apply_recbole_protocol(out), out)
    with pytest.raises(ValueError, match="columns"):
        apply_recbole_protocol(df.drop(columns="rating"))


# ---------------------------------------------------------------------------------------------- split
def test_build_split_leave_one_out():
    df = frame([("b", "x", 4, 1), ("b", "y", 4, 2), ("b", "z", 4, 3), ("b", "x", 4, 4),
                ("a", "z", 4, 5), ("a", "y", 4, 6), ("a", "x", 4, 7)])
    s = build_split(df)
    assert (s.n_users, s.n_items) == (2, 3)
    assert s.user_labels.tolist() == ["b", "a"]
    assert s.item_labels.tolist() == ["x", "y", "z"]
    assert [t.tolist() for t in s.train] == [[0, 1], [2]]
    assert s.valid_item.tolist() == [2, 1] and s.test_item.tolist() == [0, 0]
    assert s.valid_time.tolist() == [3, 6] and s.test_time.tolist() == [4, 7]
    assert [h.tolist() for h in s.history("test")] == [[0, 1, 2], [2, 1]]
    assert [h.tolist() for h in s.history_times("test")] == [[1, 2, 3], [5, 6]]
    assert s.targets("valid") is s.valid_item
    users, items = s.seen("test")
    pairs = sorted(zip(users.tolist(), items.tolist(), strict=True))
    assert pairs == [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2)]
    # right padding with PAD_ID = -1: the oldest item read sits in column 0 (lessons.data.split's convention)
    np.testing.assert_array_equal(s.padded("test", max_len=2), [[1, 2], [2, 1]])
    np.testing.assert_array_equal(s.padded("valid", max_len=3), [[0, 1, -1], [2, -1, -1]])
    assert data.PAD_ID == -1
    assert s.n_interactions == 7
    with pytest.raises(ValueError, match="stage"):
        s.history("train")


def test_build_split_rejects_short_or_unsorted_users():
    with pytest.raises(ValueError, match="at least 3"):
        build_split(frame([("a", "x", 4, 1), ("a", "y", 4, 2)]))
    with pytest.raises(ValueError, match="sorted by timestamp"):
        build_split(frame([("a", "x", 4, 3), ("a", "y", 4, 2), ("a", "z", 4, 1)]))


def test_toy_split_contract():
    s = make_toy_split(n_users=50, n_items=30, seed=0)
    assert isinstance(s, SequentialSplit)
    assert (s.n_users, s.n_items) == (50, 30) and len(s.item_labels) == 30
    for seq, times in zip(s.train, s.train_times, strict=True):
        assert seq.dtype == np.int64 and len(seq) >= 3
        assert seq.min() >= 0 and seq.max() < 30
        assert np.all(np.diff(times) > 0)
    assert np.all(s.valid_time > np.array([t[-1] for t in s.train_times]))
    assert np.all(s.test_time > s.valid_time)
    again = make_toy_split(n_users=50, n_items=30, seed=0)
    np.testing.assert_array_equal(again.test_item, s.test_item)
    assert not np.array_equal(make_toy_split(seed=1).test_item, s.test_item)


def test_time_helpers():
    df = frame([("a", "x", 4, 0), ("a", "y", 4, 0), ("a", "z", 4, 86_400 * 3), ("b", "x", 4, 10),
                ("b", "y", 4, 70)])
    np.testing.assert_array_equal(consecutive_gaps(df), [0, 86_400 * 3, 60])
    summary = user_time_summary(df)
    assert summary.loc["a", "span_days"] == pytest.approx(3.0)
    assert summary.loc["a", "first_day_share"] == pytest.approx(2 / 3)
    assert summary.loc["b", "events"] == 2


# ------------------------------------------------------------------------------------ real MovieLens
@pytest.mark.data
@needs_data
def test_load_ml100k():
    df = data.load_movielens("ml-100k")
    assert df.shape == (100_000, 4)
    assert df["user"].nunique() == 943 and df["item"].nunique() == 1682
    assert df["timestamp"].dtype == np.int64 and df["rating"].dtype == np.float64
    u = pd.factorize(df["user"])[0]
    assert np.all(np.diff(u) >= 0)
    t = df["timestamp"].to_numpy()
    assert np.all((np.diff(t) >= 0) | (np.diff(u) > 0))


@pytest.mark.data
@needs_data
def test_recbole_ml1m_numbers_and_cache(tmp_path: Path, monkeypatch):
    # RecBole's ml-1m_seq leaderboard reports 834,449 interactions and 3,124 items (3,123 + padding)
    monkeypatch.setattr(split_module, "CACHE_DIR", tmp_path)
    built = data.load_split("ml-1m")  # builds and writes the cache
    assert len(list(tmp_path.glob("split-ml-1m-recbole-*.npz"))) == 1
    assert data.protocol_stats("ml-1m", "recbole") == {"users": 6033, "items": 3123, "interactions": 834_449}
    cached = data.load_split("ml-1m")
    for name in ("valid_item", "test_item", "valid_time", "test_time", "user_labels", "item_labels"):
        np.testing.assert_array_equal(getattr(built, name), getattr(cached, name))
    assert all(np.array_equal(a, b) for a, b in zip(built.train, cached.train, strict=True))
    assert built.item_labels[0] == "2 Days in the Valley (1996)"  # titles are the item labels
    assert max(len(h) for h in cached.history("test")) > cached.max_len == 50


def test_cli_stats(capsys, monkeypatch):
    import lessons.data.__main__ as cli

    monkeypatch.setattr(cli, "protocol_stats", lambda name, protocol: {"users": 1, "items": 2,
                                                                        "interactions": 3})
    assert data_main(["stats", "ml-1m", "--protocol", "raw"]) == 0
    assert json.loads(capsys.readouterr().out) == {"users": 1, "items": 2, "interactions": 3}


# ------------------------------------------------------------------------------------------ pictures
def _toy_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for u in range(30):
        t = 1_000_000_000 + int(rng.integers(0, 10**7))
        for _ in range(int(rng.integers(5, 40))):
            t += int(rng.choice([0, 30, 3600, 86_400 * 10]))
            rows.append((f"u{u}", f"i{int(rng.zipf(1.5)) % 50}", 4.0, t))
    return frame(rows)


def test_data_plots_return_figures():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    from lessons.pictures import data_plots

    df = _toy_frame()
    frames = {"toy": df, "toy 5-core": k_core(df, 5)}
    for fig in (data_plots.activity_over_time(frames, freq="M"),
                data_plots.sequence_lengths(frames, max_len=20),
                data_plots.popularity_long_tail(df, "toy"), data_plots.gap_distribution(frames),
                data_plots.history_span(frames)):
        assert isinstance(fig, Figure) and fig.axes
        plt.close(fig)
    pfig = data_plots.user_timelines_plotly(df, n_users=6, seed=1)
    assert isinstance(pfig, go.Figure) and len(pfig.data) == 6
    assert all(np.all(np.diff(trace.y) == 1) for trace in pfig.data)  # cumulative counts
    with pytest.raises(ValueError, match="frames"):
        data_plots.gap_distribution({})
    with pytest.raises(ValueError, match="n_users"):
        data_plots.user_timelines_plotly(df, n_users=0)


def test_time_facts_and_leak_measures():
    df = _toy_frame()
    facts = data.time_facts(df)
    gaps = consecutive_gaps(df)
    assert facts["share_gaps_zero"] == pytest.approx((gaps == 0).mean())
    assert 0.0 <= facts["share_users_span_le_1d"] <= 1.0
    leak = data.random_split_future_share(df, test_share=0.2, seed=0)
    assert 0.0 < leak["share_test_with_later_train"] <= 1.0
    s = build_split(df)
    f = data.split_time_facts(s)
    assert f["share_test_same_second_as_valid"] == pytest.approx((s.test_time == s.valid_time).mean())
    table = data.user_tail_table(s, user=0, n=3)
    assert table["role"].tolist()[-2:] == ["validation", "test"] and len(table) <= 5


def test_split_constructor_validates():
    good = dict(dataset="x", protocol="x", n_users=1, n_items=2, train=(np.array([0, 1]),),
                train_times=(np.array([1, 2]),), valid_item=np.array([0]), test_item=np.array([1]),
                valid_time=np.array([3]), test_time=np.array([4]), user_labels=np.array(["a"]),
                item_labels=np.array(["p", "q"]))
    assert SequentialSplit(**good).n_interactions == 4
    with pytest.raises(ValueError, match="0..1"):
        SequentialSplit(**{**good, "test_item": np.array([2])})
    with pytest.raises(ValueError, match="valid_item"):
        SequentialSplit(**{**good, "valid_item": np.array([0, 1])})
    with pytest.raises(ValueError, match="item_labels"):
        SequentialSplit(**{**good, "item_labels": np.array(["p"])})


def _naive_core(pairs: list[tuple[str, str]], k: int, seed: int) -> set[tuple[str, str]]:
    """Independent k-core: remove ONE offending user or item at a time, in random order."""
    rng = np.random.default_rng(seed)
    alive = set(pairs)
    while True:
        users: dict[str, int] = {}
        items: dict[str, int] = {}
        for u, i in alive:
            users[u] = users.get(u, 0) + 1
            items[i] = items.get(i, 0) + 1
        bad = sorted([("u", u) for u, c in users.items() if c < k]
                     + [("i", i) for i, c in items.items() if c < k])
        if not bad:
            return alive
        kind, name = bad[int(rng.integers(len(bad)))]
        alive = {(u, i) for u, i in alive if not ((kind == "u" and u == name) or (kind == "i" and i == name))}


@pytest.mark.parametrize("seed", [0, 1])
def test_k_core_matches_naive_one_at_a_time_peeling(seed: int):
    rng = np.random.default_rng(seed)
    pairs = sorted({(f"u{rng.integers(40)}", f"i{int(rng.zipf(1.3)) % 60}") for _ in range(900)})
    df = frame([(u, i, 4.0, n) for n, (u, i) in enumerate(pairs)])
    ours = set(zip(k_core(df, 5)["user"], k_core(df, 5)["item"], strict=True))
    assert ours == _naive_core(pairs, 5, seed)
    assert 0 < len(ours) < len(pairs)


@pytest.mark.data
@needs_data
def test_ml100k_order_matches_python_stable_sort():
    raw = zipfile.ZipFile(WHEEL_DIR / WHEELS["ml-100k"].filename).read(WHEELS["ml-100k"].member)
    rows = [line.split("\t") for line in raw.decode().splitlines()[1:] if line]
    expected = sorted(rows, key=lambda r: (int(r[0]), int(float(r[3]))))  # Python's sort is stable
    df = data.load_movielens("ml-100k")
    assert df["user"].tolist() == [r[0] for r in expected]
    assert df["item"].tolist() == [r[1] for r in expected]
