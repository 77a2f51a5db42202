"""Display and exercise checkers for the chapter "Recommender approaches"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from lessons.classic.factorisation import als
from lessons.classic.sequence import long_term_profile, recent_state, sequence_scores
from lessons.classic.similarity import user_based_scores, user_similarities
from lessons.classic.toy import toy_data


def score_table(
    scores: Mapping[str, np.ndarray], items: Sequence[str], seen: np.ndarray | None = None, decimals: int = 2
) -> pd.DataFrame:
    """A table with one column per method and one row per item, rounded; items in ``seen`` (a boolean mask
    ``(n_items,)``) are dropped, because a recommender ranks what the user has not consumed yet."""
    n = len(items)
    for name, s in scores.items():
        if np.shape(s) != (n,):
            raise ValueError(f"scores[{name!r}]: expected shape ({n},), got {np.shape(s)}")
    df = pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in scores.items()}, index=list(items))
    df.index.name = "item"
    if seen is not None:
        m = np.asarray(seen, dtype=bool)
        if m.shape != (n,):
            raise ValueError(f"seen: expected a boolean mask of shape ({n},), got {m.shape}")
        df = df[~m]
    return df.round(decimals)



#: The cosine exercise: Ana's and Ben's mean-centred rating rows.
COSINE_EXERCISE: tuple[str, str] = ("Ana", "Ben")


def _verdict(name: str, answer: float, expected: float, tol: float) -> str:
    try:
        a = float(answer)
    except (TypeError, ValueError):
        raise ValueError(f"answer: expected a number, got {answer!r}") from None
    if abs(a - expected) <= tol:
        return f"Correct: {name} = {expected:.3f}."
    return f"Not yet: you gave {a:.3f}; {name} is not that (tolerance {tol}). Check the hint."


def check_cosine(answer: float, tol: float = 1e-3) -> str:
    """Check the exercise "cosine similarity of Ana's and Ben's mean-centred rating rows" (0 = not rated
    stays 0).

    Returns a message starting with ``"Correct"`` or ``"Not yet"``.
    """
    d = toy_data()
    sim = user_similarities(d.ratings)
    a, b = (d.user_index(u) for u in COSINE_EXERCISE)
    return _verdict("the centred cosine of Ana and Ben", answer, float(sim[a, b]), tol)


def check_user_based(answer: float, tol: float = 1e-2) -> str:
    """Check the exercise "user-based prediction (``k = 2``) of Ana's rating of 'Dark Woods'".

    Returns a message starting with ``"Correct"`` or ``"Not yet"``.
    """
    d = toy_data()
    pred = user_based_scores(d.ratings, d.user_index("Ana"), k=2)
    return _verdict(
        "Ana's predicted rating of Dark Woods", answer, float(pred[d.items.index("Dark Woods")]), tol
    )


def key_numbers() -> dict[str, object]:
    """Every number the chapter "Recommender approaches" quotes in its prose, by name (the notebook glues them).

    Counts of the toy data, Dev's positive neighbours, the ALS loss before and after training, and the top unseen
    film of Dev's short-term state and of his long-term average.
    """
    d = toy_data()
    dev = d.user_index("Dev")
    mf = als(d.ratings, rank=2, reg=1.0, n_iters=20, seed=0)
    seq = d.sequences["Dev"]
    short = sequence_scores(recent_state(seq, d.item_features, z=0.5)[-1], d.item_features)
    long = sequence_scores(long_term_profile(seq, d.item_features), d.item_features)
    table = score_table({"short": short, "long": long}, d.items, d.ratings[dev] > 0)
    return {
        "rs_n_users": len(d.users),
        "rs_n_items": len(d.items),
        "rs_missing": f"{(d.ratings == 0).mean():.0%}",
        "rs_dev_pos": int((np.delete(user_similarities(d.ratings)[dev], dev) > 0).sum()),
        "rs_als_first": f"{mf.losses[0]:.1f}",
        "rs_als_last": f"{mf.losses[-1]:.1f}",
        "rs_short_top": table["short"].idxmax(),
        "rs_long_top": table["long"].idxmax(),
    }
