"""Tests for lessons.classic: the toy recommenders of Part I."""

from __future__ import annotations

import numpy as np
import pytest

from lessons import classic as c


@pytest.fixture(scope="module")
def d() -> c.ToyData:
    return c.toy_data()


def test_toy_data_is_consistent(d: c.ToyData) -> None:
    assert d.ratings.shape == (len(d.users), len(d.items))
    assert d.item_features.shape == (len(d.items), len(d.genres))
    assert set(np.unique(d.ratings)) <= {0, 1, 2, 3, 4, 5}
    assert np.all(d.item_features.sum(axis=1) >= 1)  # every film has a genre
    for u, seq in d.sequences.items():
        assert sorted(seq) == np.flatnonzero(d.ratings[d.user_index(u)]).tolist()


def test_cosine_known_values() -> None:
    assert c.cosine(np.array([1.0, 0.0]), np.array([0.0, 2.0])) == 0.0
    assert c.cosine(np.array([1.0, 1.0]), np.array([3.0, 3.0])) == pytest.approx(1.0)
    assert c.cosine(np.array([1.0, 2.0, 2.0]), np.array([2.0, 0.0, 0.0])) == pytest.approx(1 / 3)
    assert c.cosine(np.zeros(3), np.ones(3)) == 0.0
    x = np.random.default_rng(0).standard_normal((5, 3))
    m = c.cosine_matrix(x)
    assert np.allclose(m, m.T) and np.allclose(np.diag(m), 1.0)
    assert m[1, 3] == pytest.approx(c.cosine(x[1], x[3]))


def test_tfidf_known_values() -> None:
    f = np.array([[1.0, 1.0], [1.0, 0.0]])  # feature 0 in every item -> idf 0
    w = c.tfidf(f)
    assert np.allclose(w[:, 0], 0.0)
    assert w[0, 1] == pytest.approx(0.5 * np.log(2))
    assert w[1, 1] == 0.0


def test_content_profile_sign(d: c.ToyData) -> None:
    # Ana loves action and rated the drama/romance film 1: the profile leans to Action, away from Romance.
    p = c.content_profile(d.ratings[d.user_index("Ana")], d.item_features)
    g = list(d.genres)
    assert p[g.index("Action")] > 0 > p[g.index("Romance")]
    s = c.content_scores(d.ratings, d.item_features, d.user_index("Ana"))
    assert s.shape == (len(d.items),) and np.all(np.abs(s) <= 1 + 1e-12)
    assert s[d.items.index("Fast Lane")] > s[d.items.index("Sunday Brunch")]


def test_user_similarities_are_centred_cosines(d: c.ToyData) -> None:
    sim = c.user_similarities(d.ratings)
    a, b = d.user_index("Ana"), d.user_index("Ben")
    ra, rb = d.ratings[a], d.ratings[b]
    ca = np.where(ra > 0, ra - ra[ra > 0].mean(), 0)
    cb = np.where(rb > 0, rb - rb[rb > 0].mean(), 0)
    assert sim[a, b] == pytest.approx(ca @ cb / np.linalg.norm(ca) / np.linalg.norm(cb))
    assert np.allclose(sim, sim.T)


def test_user_based_by_hand() -> None:
    r = np.array([[5.0, 3.0, 0.0], [4.0, 2.0, 5.0], [1.0, 5.0, 2.0]])
    # user 0 (mean 4) agrees with user 1 (mean 11/3) and disagrees with user 2 (mean 8/3)
    pred = c.user_based_scores(r, 0, k=2)
    assert pred[2] == pytest.approx(4 + (5 - 11 / 3))  # only the positively similar neighbour counts
    assert pred[0] == pytest.approx(4 + (4 - 11 / 3))  # users 1 and 2 rated item 0; only user 1 counts


def test_item_based_by_hand() -> None:
    r = np.array([[5.0, 4.0, 1.0], [4.0, 5.0, 2.0], [1.0, 0.0, 5.0]])
    sim = c.item_similarities(r)
    assert sim[0, 1] > 0 > sim[0, 2]
    pred = c.item_based_scores(r, 2, k=3)
    assert pred[1] == pytest.approx(1.0)  # its only positively similar rated item is item 0, rated 1


def test_als_decreases_and_fits(d: c.ToyData) -> None:
    m = c.als(d.ratings, rank=2, reg=1.0, n_iters=20, seed=0)
    assert all(b <= a + 1e-9 for a, b in zip(m.losses, m.losses[1:], strict=False))
    seen = d.ratings > 0
    fit = m.mu + m.p @ m.q.T
    rmse_mf = np.sqrt(((fit - d.ratings)[seen] ** 2).mean())
    rmse_mean = np.sqrt(((m.mu - d.ratings)[seen] ** 2).mean())
    assert rmse_mf < 0.6 * rmse_mean
    assert np.allclose(c.mf_scores(m, 3), fit[3])


def test_als_exact_on_low_rank() -> None:
    u = np.array([1.0, 2.0, 3.0])
    v = np.array([1.0, 0.5, 1.5, 1.0])
    r = 1.0 + np.outer(u, v)  # all entries observed (> 0); r - mean has rank <= 2
    m = c.als(r, rank=2, reg=1e-8, n_iters=200)
    assert np.allclose(m.mu + m.p @ m.q.T, r, atol=1e-3)


def test_recent_state_is_a_frozen_gru(d: c.ToyData) -> None:
    seq = d.sequences["Dev"]
    hs = c.recent_state(seq, d.item_features, z=0.5)
    weights = 0.5 ** np.arange(len(seq), 0, -1)  # newest item weight 0.5, then 0.25, ...
    assert np.allclose(hs[-1], weights @ d.item_features[list(seq)])
    assert np.allclose(c.recent_state(seq, d.item_features, z=0.0)[-1], d.item_features[seq[-1]])
    # PyTorch's convention: z is the share of the old state kept, so z = 0.9 weighs the newest item 0.1
    keep = c.recent_state(seq, d.item_features, z=0.9)[-1]
    assert np.allclose(keep, (0.1 * 0.9 ** np.arange(len(seq))[::-1]) @ d.item_features[list(seq)])
    # Dev: long-term taste is comedy, the recent state is horror.
    short = c.sequence_scores(hs[-1], d.item_features)
    long = c.sequence_scores(c.long_term_profile(seq, d.item_features), d.item_features)
    unseen = [i for i in range(len(d.items)) if i not in seq]
    assert d.items[max(unseen, key=lambda i: short[i])] == "Dark Woods"
    assert d.items[max(unseen, key=lambda i: long[i])] == "Sunday Brunch"


def test_new_item_is_cold(d: c.ToyData) -> None:
    d2 = c.with_new_item(d, "Midnight Lab", ["Horror", "Sci-Fi"])
    assert d2.ratings.shape == (len(d.users), len(d.items) + 1) and d2.ratings[:, -1].sum() == 0
    u = d2.user_index("Dev")
    # collaborative methods have nothing to go on: item-based falls back to the user's mean, MF to mu + 0
    ib = c.item_based_scores(d2.ratings, u)
    assert ib[-1] == pytest.approx(d2.ratings[u][d2.ratings[u] > 0].mean())
    m = c.als(d2.ratings)
    assert np.allclose(m.q[-1], 0.0) and c.mf_scores(m, u)[-1] == pytest.approx(m.mu)
    # the frozen-gate state of Dev (recent horror and sci-fi) ranks the new film first among unseen films
    s = c.sequence_scores(c.recent_state(d2.sequences["Dev"], d2.item_features)[-1], d2.item_features)
    s[d2.ratings[u] > 0] = -np.inf
    assert int(np.argmax(s)) == len(d2.items) - 1
    with pytest.raises(ValueError, match="genres"):
        c.with_new_item(d, "X", ["Western"])
    with pytest.raises(ValueError, match="name"):
        c.with_new_item(d, "Star Raid", ["Action"])
    r, g = c.as_frame(d)
    assert r.shape == d.ratings.shape and int(r.isna().sum().sum()) == int((d.ratings == 0).sum())
    assert g.to_numpy().sum() == d.item_features.sum()


def test_score_table_drops_seen(d: c.ToyData) -> None:
    u = d.user_index("Dev")
    t = c.score_table({"a": np.arange(len(d.items), dtype=float)}, d.items, seen=d.ratings[u] > 0)
    assert len(t) == len(d.items) - int((d.ratings[u] > 0).sum())
    assert "Night Shift" not in t.index


def test_checkers(d: c.ToyData) -> None:
    sim = c.user_similarities(d.ratings)[d.user_index("Ana"), d.user_index("Ben")]
    assert c.check_cosine(sim).startswith("Correct")
    assert c.check_cosine(sim + 0.1).startswith("Not yet")
    pred = c.user_based_scores(d.ratings, d.user_index("Ana"), k=2)[d.items.index("Dark Woods")]
    # by hand: Ana's mean plus the similarity-weighted deviations of Ben and Fay, her two positive neighbours
    r, sim = d.ratings, c.user_similarities(d.ratings)
    a, nbrs, i = d.user_index("Ana"), [d.user_index("Ben"), d.user_index("Fay")], d.items.index("Dark Woods")
    mean = [r[v][r[v] > 0].mean() for v in range(len(d.users))]
    s = sim[a, nbrs]
    assert pred == pytest.approx(mean[a] + s @ (r[nbrs, i] - np.array(mean)[nbrs]) / s.sum())
    assert c.check_user_based(pred).startswith("Correct")
    assert c.check_user_based(pred - 1).startswith("Not yet")
    with pytest.raises(ValueError, match="answer"):
        c.check_cosine("abc")


@pytest.mark.parametrize(
    ("call", "arg"),
    [
        (lambda: c.cosine(np.ones(2), np.ones(3)), "a, b"),
        (lambda: c.user_based_scores(np.ones(3), 0), "ratings"),
        (lambda: c.user_based_scores(np.ones((2, 2)), 5), "user"),
        (lambda: c.user_based_scores(np.ones((2, 2)), 0, k=0), "k"),
        (lambda: c.als(np.ones((2, 2)), reg=0.0), "reg"),
        (lambda: c.als(-np.ones((2, 2))), "ratings"),
        (lambda: c.recent_state([], np.eye(2)), "sequence"),
        (lambda: c.recent_state([0], np.eye(2), z=1.0), "z"),
        (lambda: c.recent_state([5], np.eye(2)), "sequence"),
        (lambda: c.sequence_scores(np.ones(3), np.eye(2)), "state"),
        (lambda: c.toy_data().user_index("Zoe"), "user"),
        (lambda: c.mf_scores("model", 0), "model"),
    ],
)
def test_bad_input_raises(call, arg: str) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match=arg):
        call()


def test_key_numbers_are_what_the_chapter_computes(d: c.ToyData) -> None:
    k = c.key_numbers()
    assert (k["rs_n_users"], k["rs_n_items"]) == (len(d.users), len(d.items)) == (6, 11)
    assert k["rs_missing"] == f"{(d.ratings == 0).mean():.0%}"
    mf = c.als(d.ratings, rank=2, reg=1.0, n_iters=20, seed=0)
    assert float(k["rs_als_last"]) < float(k["rs_als_first"]) == round(mf.losses[0], 1)
    assert (k["rs_short_top"], k["rs_long_top"]) == ("Dark Woods", "Sunday Brunch")  # drift: horror now
