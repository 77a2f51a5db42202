"""The simulator evidence of 'when does long-term interest help?', on planted results with a known answer."""

from __future__ import annotations

import numpy as np

from lessons.casestudy.longterm import pair_numbers, pairs_wide, simulator_pairs, simulator_table, source_counts
from lessons.casestudy.numbers import SIM_EPOCHS
from lessons.data.simulate import simulate
from lessons.evaluation.results import append_record


def test_a_model_that_wins_only_on_long_term_events_is_found_there(tmp_path) -> None:
    source = simulate("news", seed=0).target_source("test")  # 0 long-term taste, 1 burst, 2 repeat
    plan = {"epochs": SIM_EPOCHS, "max_minutes": 10.0}
    for seed in (0, 1, 2):
        ref = np.full(len(source), 20)  # the reference never has the target in its top 10
        better = np.where(source == 0, 1, 20)  # the long-term model hits every long-term event
        append_record(tmp_path / "sim-news.jsonl", {"model": "full-gru", "seed": seed, "config": plan,
                                                     "test_ranks": ref.tolist()})
        append_record(tmp_path / "sim-news.jsonl", {"model": "long", "seed": seed, "config": plan,
                                                     "test_ranks": better.tolist()})
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
