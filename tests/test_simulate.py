"""The interest-drift simulator: determinism, shapes, knobs doing what they say, presets, errors."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.data import SequentialSplit
from lessons.data.simulate import PRESETS, SimConfig, preset, simulate


def test_deterministic_for_a_seed_and_different_across_seeds():
    a, b = simulate("news", seed=3, n_users=200), simulate("news", seed=3, n_users=200)
    for name in ("items", "topic", "in_burst", "is_repeat", "times", "lengths", "taste"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    c = simulate("news", seed=4, n_users=200)
    assert not np.array_equal(a.items, c.items)


def test_shapes_ranges_and_padding():
    cfg = SimConfig(n_users=120, n_topics=6, items_per_topic=7, min_events=5, max_events=30)
    sim = simulate(cfg, seed=0)
    n, L = 120, 30
    for name in ("items", "topic", "in_burst", "is_repeat", "burst_topic", "times"):
        assert getattr(sim, name).shape == (n, L)
    assert sim.taste.shape == (n, 6) and np.allclose(sim.taste.sum(axis=1), 1.0)
    m = sim.mask
    assert ((sim.lengths >= 5) & (sim.lengths <= 30)).all()
    assert (sim.items[m] >= 0).all() and (sim.items[m] < 42).all() and (sim.items[~m] == -1).all()
    np.testing.assert_array_equal(sim.item_topic[sim.items[m]], sim.topic[m])  # topic is the item's topic
    assert (np.diff(np.where(m, sim.times, np.iinfo(np.int64).max), axis=1)[m[:, 1:]] > 0).all()
    # inside a burst, non-repeat events are on the burst's topic; outside, burst_topic is -1
    fresh_burst = sim.in_burst & ~sim.is_repeat
    np.testing.assert_array_equal(sim.topic[fresh_burst], sim.burst_topic[fresh_burst])
    assert (sim.burst_topic[m & ~sim.in_burst] == -1).all()
    # bursts are never on the user's favourite topic
    fav = sim.taste.argmax(axis=1)
    assert not (sim.burst_topic == fav[:, None])[sim.in_burst].any()


def test_burst_share_and_length_match_the_knobs():
    cfg = SimConfig(n_users=2000, min_events=200, max_events=200, burst_share=0.3, burst_len=5.0,
                    repeat_prob=0.0)
    st = simulate(cfg, seed=1).stats()
    assert st["burst_share"] == pytest.approx(0.3, abs=0.01)
    assert st["mean_burst_len"] == pytest.approx(5.0, rel=0.05)
    assert simulate(cfg, seed=1, burst_share=0.0).stats()["burst_share"] == 0.0
    # the largest reachable share for a burst length: a burst right after every long-term event
    edge = simulate(cfg, seed=1, burst_share=0.8, burst_len=4.0).stats()
    assert edge["burst_share"] == pytest.approx(0.8, abs=0.01)


def test_repeat_rate_matches_and_repeats_come_from_the_recent_window():
    cfg = SimConfig(n_users=1500, min_events=60, max_events=60, repeat_prob=0.25, repeat_window=5)
    sim = simulate(cfg, seed=2)
    # the first event cannot be a repeat: expected share 0.25 * 59 / 60
    assert sim.stats()["repeat_share"] == pytest.approx(0.25 * 59 / 60, abs=0.01)
    u, t = np.nonzero(sim.is_repeat)
    window = np.stack([sim.items[u, np.maximum(t - k, 0)] for k in range(1, 6)], axis=1)
    assert (window == sim.items[u, t][:, None]).any(axis=1).all()


def test_taste_concentration_is_the_strength_of_the_long_term_preference():
    sim = simulate(SimConfig(n_users=800, taste_concentration=0.05), seed=0)
    strong = sim.stats()
    weak = simulate(SimConfig(n_users=800, taste_concentration=5.0), seed=0).stats()
    assert strong["favourite_topic_share_long_term"] > 0.55 > 0.25 > weak["favourite_topic_share_long_term"]
    # long-term events follow theta_u: the favourite's share is the (event-weighted) mean of max theta_u
    long_term = (sim.mask & ~sim.in_burst & ~sim.is_repeat).sum(axis=1)
    expected = np.average(sim.taste.max(axis=1), weights=long_term)
    assert strong["favourite_topic_share_long_term"] == pytest.approx(expected, abs=0.01)


def test_presets_differ_as_described():
    stats = {name: simulate(name, seed=0, n_users=1000).stats() for name in PRESETS}
    assert stats["news"]["burst_share"] > 0.5 > stats["music"]["burst_share"]
    assert stats["music"]["repeat_share"] > 0.25 > stats["news"]["repeat_share"]
    fav = "favourite_topic_share_long_term"
    assert stats["music"][fav] > stats["news"][fav]
    assert stats["ecommerce"]["mean_burst_len"] < stats["news"]["mean_burst_len"]
    assert stats["ecommerce"]["burst_share"] > stats["music"]["burst_share"]


def test_to_split_is_a_leave_one_out_split_of_the_sequences():
    sim = simulate("music", seed=5, n_users=50)
    split = sim.to_split(max_len=20)
    assert isinstance(split, SequentialSplit) and split.n_items == sim.n_items and split.max_len == 20
    for u in (0, 17, 49):
        seq = sim.sequence(u)["items"]
        np.testing.assert_array_equal(np.r_[split.train[u], split.valid_item[u], split.test_item[u]], seq)
    src = sim.target_source("test")
    assert src.shape == (50,) and set(np.unique(src)) <= {0, 1, 2}
    np.testing.assert_array_equal(src, sim.source[np.arange(50), sim.lengths - 1])


def test_clear_errors():
    with pytest.raises(ValueError, match="burst_share must be in"):
        simulate(SimConfig(burst_share=1.0))
    with pytest.raises(ValueError, match="n_topics must be an int >= 2"):
        simulate(SimConfig(n_topics=1))
    with pytest.raises(ValueError, match="max_events must be >= min_events"):
        simulate(SimConfig(min_events=10, max_events=5))
    with pytest.raises(ValueError, match="unreachable"):
        simulate(SimConfig(burst_share=0.9, burst_len=1.0))
    with pytest.raises(ValueError, match="name must be one of"):
        preset("radio")
    with pytest.raises(ValueError, match="unknown knobs"):
        preset("news", burst_length=3)
    with pytest.raises(ValueError, match="user must be an int in 0..9"):
        simulate("news", n_users=10).sequence(10)


def test_simulator_pictures_return_figures_and_check_input():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from lessons.baselines import recovery_table
    from lessons.pictures import simulator_plots as sp

    sims = {name: simulate(name, seed=0, n_users=60) for name in ("news", "music")}
    figs = [sp.user_sequence(sims["news"], 0), sp.source_mix(sims)]
    from lessons.baselines import Markov1, Popularity

    table = recovery_table(sims["news"], models={"pop": Popularity(), "markov1": Markov1()})
    assert list(table.columns) == ["all", "long-term", "burst", "repeat"]
    assert table.loc["share of targets", ["long-term", "burst", "repeat"]].sum() == pytest.approx(1.0)
    figs.append(sp.recovery_bars({"news": table}))
    for fig in figs:
        assert isinstance(fig, Figure)
        plt.close(fig)
    with pytest.raises(ValueError, match="sim must be a .*Simulation"):
        sp.user_sequence("news")
    with pytest.raises(ValueError, match="share of targets"):
        sp.recovery_bars({"news": table.drop(index="share of targets")})
