"""Next-basket baselines: what each one ranks first, the mix tuned on validation only, the results file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lessons.baselines.nextbasket import (
    baseline_scores,
    compare_on_baskets,
    expand_records,
    global_frequency,
    key_numbers,
    model_key_numbers,
    personal_frequency,
    run,
    tune_mix,
)
from lessons.data.instacart import BASKET_COLUMNS, BasketSplit, build_basket_split
from lessons.evaluation.results import read_records


@pytest.fixture
def habits() -> BasketSplit:
    """Every user rebuys a personal staple (item u) in every order; item 99 is bought by all, once each."""
    rows, order = [], 0
    for u in range(6):
        for n in range(1, 7):
            order += 1
            rows.append((u, order, n, 1, u))
            if n == 2:
                rows.append((u, order, n, 2, 99))
    df = pd.DataFrame(rows, columns=["user", "order", "order_number", "add_to_cart_order", "item"])
    df["days_since_prior_order"], df["reordered"] = 7.0, 1
    return build_basket_split(df[list(BASKET_COLUMNS)])


def test_frequencies_are_shares_of_orders(habits: BasketSplit) -> None:
    p = personal_frequency(habits, "test")   # five history orders per user
    assert p[2, 2] == 1.0 and p[2, 6] == pytest.approx(1 / 5) and p[2, 0] == 0.0
    g = global_frequency(habits, "test")
    assert g[6] == pytest.approx(6 / 30) and g[2] == pytest.approx(5 / 30)


def test_top_frequency_ranks_the_staple_first_and_popularity_the_common_item(habits: BasketSplit) -> None:
    top = baseline_scores(habits, "test", 0.0)
    pop = baseline_scores(habits, "test", 1.0)
    assert np.array_equal(top.argmax(axis=1), np.arange(6))
    assert (pop.argmax(axis=1) == 6).all()    # item 99 has id 6 (ids follow product ids)


def test_mix_is_chosen_on_validation_and_the_file_keeps_other_records(habits: BasketSplit, tmp_path: Path) -> None:
    weight, curve = tune_mix(habits)
    assert weight == min(r["weight"] for r in curve if r["ndcg@10"] == max(c["ndcg@10"] for c in curve))
    out = tmp_path / "instacart.jsonl"
    out.write_text('{"model": "full-gru", "kind": "model", "seed": 0}\n')
    records = run(habits, out=out)
    assert [r["model"] for r in records] == ["popularity", "top-frequency", "mix"]
    assert records[1]["test"]["recall@10"] == 1.0            # the staple is the whole test basket
    assert len(records[0]["test_basket_ranks"]) == habits.n_users
    stored = read_records(out)
    assert [r["model"] for r in stored] == ["full-gru", "popularity", "top-frequency", "mix"]  # appended
    assert "versions" in stored[1] and stored[3]["config"]["select_by"] == "valid ndcg@10"
    before = out.read_text()
    run(habits, out=out)                                      # a rerun supersedes the baselines, never doubles them
    assert out.read_text().startswith(before)                 # ... and never rewrites what was there
    assert len(read_records(out)) == 4


def test_weight_outside_zero_one_is_rejected(habits: BasketSplit) -> None:
    with pytest.raises(ValueError, match="weight must be in"):
        baseline_scores(habits, "test", 1.5)


def _model_record(model: str, seed: int, ranks: list[list[int]], fused_ranks: list[list[int]]) -> dict:
    return {"model": model, "kind": "model", "seed": seed, "config": {"seed": seed}, "valid": {}, "test": {},
            "learned": {"seen_weight": 0.5}, "test_basket_ranks": ranks,
            "with_top_frequency": {"weight": 0.1, "valid": {}, "test": {}, "test_basket_ranks": fused_ranks}}


def test_fused_runs_become_rows_and_comparisons_pair_users() -> None:
    mix = {"model": "mix", "kind": "baseline", "config": {"weight": 0.2}, "test": {},
           "test_basket_ranks": [[1], [1]]}
    # full: both users' single basket item at rank 3 under two seeds; fused: rank 1 (a perfect list)
    runs = [_model_record("full-gru+seen", s, [[3], [3]], [[1], [1]]) for s in (0, 1)]
    runs += [_model_record("fused-lstur-gru+seen", s, [[1], [3]], [[1], [1]]) for s in (0, 1)]
    rows = expand_records([mix, *runs])
    assert sorted({r["model"] for r in rows if r["kind"] == "model+top-frequency"}) == [
        "full-gru+seen+top-frequency", "fused-lstur-gru+seen+top-frequency"]
    numbers = model_key_numbers([mix, *runs])
    assert numbers["cs_gro_model_seeds"] == "2" and numbers["cs_gro_beta"] == "+0.50"
    assert numbers["cs_gro_fused_diff"] == "+0.0000" and numbers["cs_gro_fused_ci"] == "[+0.0000, +0.0000]"
    assert numbers["cs_gro_fused_verdict"] == "level with the mix (no difference shown)"
    assert numbers["cs_gro_seq_verdict"] == "below the mix"  # rank 3 for every user against the mix's rank 1
    half = (1 - 1 / np.log2(4)) / 2    # user 0 gains 1 - 1/log2(4) in NDCG@10, user 1 nothing
    assert numbers["cs_gro_lt_diff"] == f"{half:+.4f}"
    assert compare_on_baskets(rows, "full-gru+seen", "mix")["diff"] == pytest.approx(1 / np.log2(4) - 1)
    with pytest.raises(ValueError, match="one run per seed, got seeds \\[0, 0, 1\\]"):  # two settings, one label
        compare_on_baskets([*rows, {**runs[0], "config": {"weight": 0.5}}], "full-gru+seen", "mix")


def test_key_numbers_quote_the_baselines_and_refuse_a_missing_one() -> None:
    data = {"users": 593, "items": 14190, "orders": 15183, "interactions": 150000, "median_orders_per_user": 19,
            "repeat_share_test": 0.693, "mean_test_basket": 10.9}
    metrics = {"recall@10": 0.1, "ndcg@10_repeat": 0.1, "ndcg@10_new": 0.0}
    records = [{"model": m, "kind": "baseline", "config": {"weight": 0.2}, "data": data,
                "test": {**metrics, "ndcg@10": v}} for m, v in (("popularity", 0.1), ("top-frequency", 0.4),
                                                                  ("mix", 0.44))]
    numbers = key_numbers(records)
    assert numbers["cs_gro_top_ratio"] == "4.0" and numbers["cs_gro_purchases"] == "150,000"
    assert numbers["cs_gro_mix_weight"] == "0.2" and numbers["cs_gro_repeat_share"] == "69.3%"
    with pytest.raises(ValueError, match="lack the baselines \\['mix'\\]"):
        key_numbers(records[:2])
