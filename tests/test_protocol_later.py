"""The strictly-later protocol: no held-out rating shares its second with anything a model reads before it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lessons.data.protocol import PROTOCOLS, apply_protocol, drop_same_second_targets
from lessons.data.split import build_split


def _frame(users: list[int], times: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"user": users, "item": np.arange(len(users)), "rating": 4.0, "timestamp": times})


def test_known_answer() -> None:
    df = _frame([1] * 6 + [2] * 4 + [3] * 3, [1, 2, 3, 3, 4, 4, 1, 2, 3, 4, 5, 5, 5])
    out = drop_same_second_targets(df)
    # user 1: item 4 shares the test second (4), item 2 the validation second (3); user 3 keeps one event: gone
    assert out["item"].tolist() == [0, 1, 3, 5, 6, 7, 8, 9]
    assert "recbole-later" in PROTOCOLS


def test_every_target_is_strictly_later_than_its_input() -> None:
    rng = np.random.default_rng(0)
    users = np.repeat(np.arange(40), rng.integers(3, 30, size=40))
    times = np.concatenate([np.sort(rng.integers(0, 6, size=(users == u).sum())) for u in range(40)])
    out = drop_same_second_targets(_frame(users.tolist(), times.tolist()))
    split = build_split(out.assign(item=out["item"].astype(str)))
    for u in range(split.n_users):
        assert split.test_time[u] > split.valid_time[u]
        assert len(split.train_times[u]) == 0 or split.valid_time[u] > split.train_times[u].max()
    # nothing else changes: the rows kept are the original rows, in order, and every user kept has >= 3
    assert out["item"].is_monotonic_increasing and out.groupby("user").size().min() >= 3
    dropped = len(users) - len(out)
    assert dropped > 0


def test_a_split_without_ties_is_left_alone_and_bad_input_is_refused() -> None:
    df = _frame([1, 1, 1, 2, 2, 2], [1, 2, 3, 1, 2, 3])
    pd.testing.assert_frame_equal(drop_same_second_targets(df), df)
    with pytest.raises(ValueError, match="min_events must be an int >= 3"):
        drop_same_second_targets(df, min_events=2)
    with pytest.raises(ValueError, match="protocol must be one of"):
        apply_protocol(df, "later")


def _toy_protocols() -> tuple[pd.DataFrame, object, object, np.ndarray]:
    """``(ratings, book split, strictly-later split, same-second mask of the book's users)`` of 60 toy users who
    rate in a few seconds each, so that many test ratings share a second; user 0 rates all in one second, so the
    strictly-later split loses that user (and its rows move by one)."""
    from lessons.evaluation.strata import user_time_strata

    rng = np.random.default_rng(1)
    users = np.repeat(np.arange(60), 8)
    times = np.concatenate([np.sort(rng.integers(0, 5, size=8)) for _ in range(60)])
    times[:8] = 0
    df = _frame(users.tolist(), times.tolist()).assign(item=lambda d: (d["item"] % 9).astype(str))
    book = build_split(df, dataset="toy")
    later = build_split(drop_same_second_targets(df), dataset="toy", protocol="recbole-later")
    assert later.n_users == book.n_users - 1
    return df, book, later, user_time_strata(book)["same_second"].to_numpy()


def test_protocol_pairs_find_a_baseline_that_lives_on_same_second_targets(tmp_path) -> None:
    from lessons.evaluation.results import append_record
    from lessons.evaluation.strictly_later import protocol_facts, protocol_numbers, protocol_pairs

    df, book, later, same = _toy_protocols()
    assert 0 < same.sum() < len(same)
    # the baseline hits every same-second target under the book's protocol, and nothing under the later one
    append_record(tmp_path / "baselines-toy.jsonl", {"dataset": "toy", "baseline": "cheat", "seed": 0,
                                                      "test_ranks": np.where(same, 1, 50).tolist()})
    append_record(tmp_path / "baselines-toy-later.jsonl", {"dataset": "toy", "baseline": "cheat", "seed": 0,
                                                            "test_ranks": [50] * later.n_users})
    pairs = protocol_pairs("toy", results_dir=tmp_path, splits=(book, later), n_boot=200).set_index("users")
    assert pairs.loc["same second", "book"] == 1.0 and pairs.loc["same second", "later"] == 0.0
    assert pairs.loc["same second", "verdict"] == "lower" and pairs.loc["all", "verdict"] == "lower"
    assert pairs.loc["all", "n_users"] == later.n_users
    facts = protocol_facts(book, later)
    assert facts["dropped"] == len(df) - sum(len(t) + 2 for t in later.train)
    numbers = protocol_numbers(facts, pairs.reset_index())
    assert numbers["lt_later_cheat_same"].startswith("-1.0000") and numbers["lt_later_cheat_same"].endswith("lower")
    append_record(tmp_path / "baselines-toy-later.jsonl", {"dataset": "toy", "baseline": "cheat", "seed": 1,
                                                            "test_ranks": [49] * later.n_users})
    with pytest.raises(ValueError, match="one ranked record per baseline, got several of \\['cheat'\\]"):
        protocol_pairs("toy", results_dir=tmp_path, splits=(book, later), n_boot=200)


def test_the_train_cli_refuses_a_movielens_protocol_for_other_data(capsys) -> None:
    from lessons.casestudy.__main__ import main

    assert main(["train", "--dataset", "toy", "--protocol", "recbole-later", "--no-save", "--epochs", "1"]) == 2
    assert "--protocol recbole-later applies to MovieLens only, got --dataset toy" in capsys.readouterr().err


def test_model_pairs_are_seed_aware_align_users_and_name_what_is_missing() -> None:
    from lessons.evaluation.strictly_later import model_contrast, model_numbers, model_pairs

    _, book, later, same = _toy_protocols()

    def runs(ranks: list, seeds: range, protocol: str) -> list[dict]:
        return [{"seed": s, "protocol": protocol, "test_ranks": list(ranks)} for s in seeds]

    def by_user(split) -> list[int]:  # a rank that depends on the user, so a misaligned pairing shows
        return [1 + int(u) % 7 for u in split.user_labels]

    splits = (book, later)
    # a network that lives on same-second targets under the book's protocol, five seeds a side
    cheat = (runs(np.where(same, 1, 50).tolist(), range(5), "recbole"), runs([50] * later.n_users, range(5),
                                                                            "recbole-later"))
    steady = (runs(by_user(book), range(3), "recbole"), runs(by_user(later), range(1, 6), "recbole-later"))
    apart = (cheat[0][:1], steady[1][2:])  # seed 0 against seeds 3-5: nothing shared
    arms = {"cheat": cheat, "steady": steady, "apart": apart, "none": (cheat[0], [])}
    pairs = model_pairs(arms, splits=splits, n_boot=200)
    rows = pairs.set_index(["model", "users"])
    assert rows.loc[("cheat", "same second"), "verdict"] == "lower" and rows.loc[("cheat", "all"), "seeds"] == 5
    assert rows.loc[("cheat", "same second"), "later − book"] == pytest.approx(-1.0)
    assert rows.loc[("steady", "all"), "later − book"] == 0.0  # the same user under both protocols
    assert rows.loc[("steady", "all"), "seeds"] == 2 and rows.loc[("steady", "all"), "verdict"] == (
        "too few seeds (2 of 5)")
    assert rows.loc[("apart", "all"), "verdict"] == "no seed shared with the book's runs"
    assert rows.loc[("none", "same second"), "verdict"] == "not run" and rows.loc[("none", "all"), "seeds"] == 0
    numbers = model_numbers(pairs)
    assert numbers == {"lt_later_model_seeds": "cheat 5 of 5, steady 2 of 5, apart 0 of 5, none 0 of 5"}
    # the interaction (cheat − steady) later − (cheat − steady) book is cheat's own change: -1 on same-second users
    contrast = model_contrast(arms, "cheat", "steady", splits=splits, n_boot=200, min_seeds=2)
    assert contrast["seeds"] == 2 and contrast["diff"] == pytest.approx(rows.loc[("cheat", "all"), "later − book"])
    assert contrast["verdict"] == "smaller"
    assert model_contrast(arms, "cheat", "steady", splits=splits, n_boot=200)["verdict"] == "too few seeds (2 of 5)"
    assert model_contrast(arms, "cheat", "none", splits=splits) == {"seeds": 0, "verdict": "not run"}
    text = model_numbers(pairs, contrast)["lt_later_model_contrast"]
    assert text.endswith(", smaller") and text.startswith(f"{contrast['diff']:+.4f}")
    with pytest.raises(ValueError, match=r"arms\['short'\]: every 'recbole-later' run must store test_ranks of its"):
        model_pairs({"short": (cheat[0], runs([50] * (later.n_users - 1), range(5), "recbole-later"))},
                    splits=splits)
    with pytest.raises(ValueError, match="got a seed-0 run of protocol 'recbole' with"):
        model_pairs({"swapped": (cheat[0], cheat[0])}, splits=splits)
    with pytest.raises(ValueError, match="no test_ranks"):
        model_pairs({"bare": (cheat[0], [{"seed": 0, "protocol": "recbole-later"}])}, splits=splits)
