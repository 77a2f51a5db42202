"""The simulator evidence of 'when does long-term interest help?', on planted results with a known answer."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lessons.casestudy.longterm import pair_numbers, pairs_wide, simulator_pairs, simulator_table, source_counts
from lessons.casestudy.numbers import SIM_EPOCHS
from lessons.data.simulate import simulate
from lessons.evaluation.results import append_record


def test_a_model_that_wins_only_on_long_term_events_is_found_there(tmp_path) -> None:
    sim = simulate("news", seed=0)
    source = sim.target_source("test")  # 0 long-term taste, 1 burst, 2 repeat
    plan = {"epochs": SIM_EPOCHS, "max_minutes": 10.0}
    data = {"protocol": "sim-seed0", "n_users": sim.n_users, "n_items": sim.n_items}
    for seed in (0, 1, 2):
        ref = np.full(len(source), 20)  # the reference never has the target in its top 10
        better = np.where(source == 0, 1, 20)  # the long-term model hits every long-term event
        append_record(tmp_path / "sim-news.jsonl", {"model": "full-gru", "seed": seed, "config": plan,
                                                     "test_ranks": ref.tolist(), **data})
        append_record(tmp_path / "sim-news.jsonl", {"model": "long", "seed": seed, "config": plan,
                                                     "test_ranks": better.tolist(), **data})
    table = simulator_table(["news"], results_dir=tmp_path).set_index("model")
    assert table.loc["long", "long-term taste"] == 1.0 and table.loc["full-gru", "long-term taste"] == 0.0
    assert table.loc["long", "seeds"] == 3
    pairs = simulator_pairs(["news"], models=["long"], results_dir=tmp_path).set_index("source")
    assert pairs.loc["long-term taste", "verdict"] == "helps"
    assert pairs.loc["burst", "verdict"] == "no difference shown"
    wide = pairs_wide(pairs.reset_index())
    assert wide.loc[("long", "long-term taste"), "news"].endswith("helps")
    assert source_counts(["news"]).startswith(f"news: {int((source == 0).sum())} long-term taste")
    numbers = pair_numbers(pairs.reset_index())
    assert numbers["lt_sim_news_long_long_term_taste"].endswith("helps")
    assert simulator_table(["music"], results_dir=tmp_path).empty  # nothing committed for music
    # a run trained on other simulated data: its ranks would be read against the wrong sources
    append_record(tmp_path / "sim-news.jsonl", {"model": "full-gru", "seed": 3, "config": plan,
                                                 "test_ranks": ref.tolist(), **data, "protocol": "sim-seed1"})
    with pytest.raises(ValueError, match="seed 3 was trained on .*'sim-seed1'"):
        simulator_table(["news"], results_dir=tmp_path)


def _grocery_run(model: str, seed: int, ranks: list[list[int]], valid: float, **config) -> dict:
    """A planted grocery model record: test basket ranks per user, a validation NDCG@10, ``config`` options."""
    cfg = {"model": model, "seed": seed, "seen_bias": True, **config}
    ndcg = float(np.mean([1 / np.log2(1 + r[0]) if r[0] <= 10 else 0.0 for r in ranks]))
    test = {"ndcg@10": ndcg, "ndcg@10_repeat": ndcg, "ndcg@10_new": 0.0}
    return {"model": model, "kind": "model", "dataset": "instacart", "seed": seed, "config": cfg,
            "valid": {"ndcg@10": valid}, "test": test, "test_basket_ranks": ranks,
            "with_top_frequency": {"weight": 0.1, "valid": {"ndcg@10": valid}, "test": test,
                                   "test_basket_ranks": ranks}}


def test_grocery_evidence_labels_dedupes_and_chooses_on_validation(tmp_path) -> None:
    from lessons.casestudy.longterm import (
        designs_text,
        grocery_best,
        grocery_designs,
        grocery_pairs,
        grocery_records,
        user_reg_numbers,
        user_reg_trials,
    )

    mix = {"model": "mix", "kind": "baseline", "seed": 0, "config": {"weight": 0.2}, "valid": {"ndcg@10": 0.5},
           "test": {"ndcg@10": 1 / np.log2(3), "ndcg@10_repeat": 0.0, "ndcg@10_new": 0.0},
           "test_basket_ranks": [[2], [2]]}
    for seed in range(5):
        append_record(tmp_path / "instacart.jsonl", _grocery_run("full-gru", seed, [[3], [3]], 0.2))
        append_record(tmp_path / "instacart-history.jsonl",
                      _grocery_run("long", seed, [[1], [1]], 0.3, long_scope="history"))
        # the regularised long model scores worse on TEST but better on validation: it must be the headline
        append_record(tmp_path / "instacart-user-reg.jsonl",
                      _grocery_run("long", seed, [[20], [20]], 0.9, long_scope="history", user_l2=0.1))
    append_record(tmp_path / "instacart.jsonl", mix)
    # the same run in a second file counts once
    append_record(tmp_path / "instacart-designs.jsonl", _grocery_run("full-gru", 0, [[3], [3]], 0.2))
    records = grocery_records(results_dir=tmp_path)
    labels = sorted({r["model"] for r in records})
    assert labels == ["full-gru+seen", "long+history+seen", "long+history+seen+user-reg", "mix"]
    designs = grocery_designs(records).set_index("model")
    assert designs.loc["full-gru+seen", "seeds"] == 5  # not 6: the repeated run is one run
    assert designs.loc["long+history+seen", "verdict"] == "helps"
    assert designs.loc["long+history+seen+user-reg", "verdict"] == "hurts"  # rank 20 against rank 3
    text = designs_text(grocery_designs(records))
    assert text.loc["long+history+seen", "− full-gru+seen"].endswith("helps")
    assert text.loc["full-gru+seen", "− full-gru+seen"] == ""  # the reference against itself: blank
    best = grocery_best(records)
    assert best["model"].startswith("long+history+seen+user-reg") and best["valid"] == 0.9
    pairs = grocery_pairs(records, {"reg": ("long+history+seen+user-reg", "long+history+seen"), "no": ("a", "b")})
    assert pairs["lt_gro_reg"].endswith("hurts") and pairs["lt_gro_no"] == "not run"
    longs = [r for r in records if r["model"].startswith("long")]
    pending = user_reg_trials(longs)  # two of the six settings have run: nothing is chosen from half a grid
    assert pending.loc["long+history", "chosen"] == "pending (2 of 6 trials)"
    waiting = user_reg_numbers(pending, records)
    assert waiting["lt_gro_long_reg"] == "not chosen yet (2 of 6 trials)"
    assert waiting["lt_gro_long_reg_chosen"] == "not chosen yet"
    trials = user_reg_trials(longs, grid=((0.0, 0.0), (0.0, 0.1)))  # seed 0 of each setting; other seeds left out
    assert trials.loc["long+history", "chosen"] == "mask 0, L2 0.1"
    assert list(trials.columns) == ["mask 0, L2 0", "mask 0, L2 0.1", "chosen"]
    with pytest.raises(ValueError, match="two seed-0 trials of mask 0, L2 0.1"):
        trial = next(r for r in longs if r["seed"] == 0 and r["config"].get("user_l2"))
        user_reg_trials(longs + [{**trial, "valid": {"ndcg@10": 0.1}}], grid=((0.0, 0.0), (0.0, 0.1)))
    with pytest.raises(ValueError, match="is not in the grid"):
        user_reg_trials(longs, grid=((0.0, 0.0),))
    numbers = user_reg_numbers(trials, records)
    assert numbers["lt_gro_long_reg_chosen"] == "mask 0, L2 0.1" and numbers["lt_gro_long_reg"].endswith("hurts")
    assert numbers["lt_gro_lstur_reg_chosen"] == "not run"


def test_simulator_stops_names_the_runs_the_clock_cut(tmp_path) -> None:
    from lessons.casestudy import longterm

    def run(model: str, seed: int, stop: str, seconds: float, epochs: int = SIM_EPOCHS) -> str:
        return json.dumps({"model": model, "seed": seed, "stopped_by": stop, "train_seconds": seconds,
                           "test_ranks": [1], "config": {"model": model, "epochs": epochs, "max_minutes": 10.0,
                                                         "seen_bias": model == "full-gru"}}) + "\n"

    assert longterm.simulator_stops(("news",), tmp_path) == "no run is committed yet"
    (tmp_path / "sim-news.jsonl").write_text(run("full-gru", 0, "patience", 99.6) + run("long", 0, "epochs", 12)
                                             + run("long", 1, "max_minutes", 700, epochs=40))  # another plan
    assert longterm.simulator_stops(("news",), tmp_path) == (
        "every one of the 2 runs ended by early stopping (1) or at its last epoch (1), none by its 10-minute cap "
        "(the longest trained for 100 s)")
    (tmp_path / "sim-music.jsonl").write_text(run("full-gru", 2, "max_minutes", 600.2) + run("long", 3, None, 5))
    assert longterm.simulator_stops(("news", "music"), tmp_path) == (
        "the 4 runs ended 1 by an unrecorded reason, 1 by epochs, 1 by max_minutes, 1 by patience (the longest trained "
        "for 600 s; the clock cut music full-gru+seen seed 2)")
