"""Gates that learned something: the toy sessions keep their promises, and a trained LSTM's forget gate closes at
session breaks (seeded, about a second)."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.rnn import learned_gates as lg


def test_sessions_follow_their_rules() -> None:
    data = lg.make_sessions(40, seed=3)
    N, T = data.topics.shape
    assert data.xs.shape == (N, T, lg.SessionConfig.n_topics + 1)
    assert data.is_break[:, 0].all() and not (data.is_break & data.is_stray).any()
    np.testing.assert_array_equal(data.xs[..., -1], data.is_break)
    np.testing.assert_array_equal(data.xs[..., :-1].argmax(-1), data.topics)
    assert np.all(data.topics[data.is_stray] != data.session_topic[data.is_stray])
    ordinary = ~data.is_stray
    np.testing.assert_array_equal(data.topics[ordinary], data.session_topic[ordinary])
    same = ~data.is_break[:, 1:]  # the session topic only changes at a break, and a break always changes it
    np.testing.assert_array_equal(data.session_topic[:, 1:][same], data.session_topic[:, :-1][same])
    assert np.all(data.session_topic[:, 1:][~same] != data.session_topic[:, :-1][~same])
    share = data.is_stray[~data.is_break].mean()
    assert 0.08 < share < 0.22  # stray_prob = 0.15
    np.testing.assert_array_equal(lg.make_sessions(40, seed=3).xs, data.xs)


def test_parse_sequence_and_encode() -> None:
    topics, breaks = lg.parse_sequence("a a d | c  c")
    np.testing.assert_array_equal(topics, [0, 0, 3, 2, 2])
    np.testing.assert_array_equal(breaks, [True, False, False, True, False])
    xs = lg.encode(topics, breaks, 5)
    assert xs.shape == (5, 6) and xs[3, 2] == 1 and xs[3, 5] == 1 and xs[4, 5] == 0
    for bad, word in (("A Z", "'Z'"), ("| |", "at least one")):
        with pytest.raises(ValueError, match=word):
            lg.parse_sequence(bad)
    with pytest.raises(ValueError, match="topics must lie in"):
        lg.encode([0, 7], [True, False], 5)


def test_trained_lstm_forgets_at_breaks_and_skips_stray_clicks() -> None:
    result = lg.measure("lstm", seeds=(0,), n_eval=30)
    m = result["mean"]
    # untrained: the forget gate does not know a break from a click
    assert abs(m["f_untrained_break"] - m["f_untrained_other"]) < 0.1
    # trained: it closes at a break (the old session is dropped) and the input gate opens
    assert m["f_trained_break"] < 0.3 < m["f_trained_other"]
    assert m["i_trained_break"] > m["i_trained_other"] + 0.2
    assert m["trained_skipped"] > 0.9 > 0.5 > m["untrained_skipped"]
    assert set(lg.key_numbers(result)) >= {"lstm_f_trained_break", "lstm_skipped", "lstm_seeds"}
    assert "seeds [0]" in lg.report(result)


def test_numpy_twin_reproduces_the_trained_torch_model() -> None:
    model = lg.train_tiny("lstm", 0)
    assert model is lg.train_tiny("lstm", 0)  # one training per (kind, seed) in a process
    xs = lg.make_sessions(1, seed=5).xs[0]
    logits = model.predict(xs)
    assert logits.shape == (xs.shape[0], lg.SessionConfig.n_topics) and np.isfinite(logits).all()
    with pytest.raises(ValueError, match="kind"):
        lg.train_tiny("rnn", 0)
