"""The strictly-later protocol against the book's: how much of a MovieLens score rests on same-second targets?

Under the book's protocol (RecBole's, :mod:`lessons.data.protocol`) a user's test rating often carries the same
second as the validation rating, and the input may hold other ratings of that second: which of them came "last"
is file order, not time. The ``recbole-later`` protocol drops every rating that shares the second of a held-out
one, so each target is strictly later than all a model reads. The test targets are the same ratings under both
protocols (each user's last in file order); what changes is the input before them and the training data.

:func:`protocol_facts` says what the variant drops; :func:`protocol_pairs` compares each baseline's per-user test
metric under the two protocols over the users both keep, for all of them and for those whose test rating shared
its second under the book's protocol (paired over users; a tuned baseline is deterministic, so users are the only
source of spread). :func:`model_pairs` does the same for trained networks, seed-aware over the seeds both protocols
hold, and :func:`model_contrast` asks whether the difference of two networks changes between the protocols.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lessons.data.split import SequentialSplit, load_split
from lessons.evaluation.compare import (
    hierarchical_bootstrap,
    hierarchical_contrast,
    interval_text,
    per_user_runs,
    shared_seeds,
    signed,
    verdict,
)
from lessons.evaluation.metrics import per_user_metric
from lessons.evaluation.results import RESULTS_DIR, read_results
from lessons.evaluation.strata import user_time_strata

__all__ = ["BOOK", "LATER", "protocol_facts", "protocol_pairs", "protocol_numbers", "model_pairs", "model_contrast",
           "model_numbers"]

BOOK, LATER = "recbole", "recbole-later"  # the protocols' names (lessons.data.protocol)


def protocol_facts(book: SequentialSplit, later: SequentialSplit) -> dict[str, Any]:
    """What the strictly-later variant changes: users and events under each protocol, the events dropped, and the
    share of the book protocol's users whose test rating has the second of their validation rating."""
    events = [int(sum(len(t) for t in s.train) + 2 * s.n_users) for s in (book, later)]
    same = user_time_strata(book)["same_second"].to_numpy()
    return {"users": book.n_users, "users_later": later.n_users, "events": events[0], "events_later": events[1],
            "dropped": events[0] - events[1], "dropped_share": (events[0] - events[1]) / events[0],
            "same_second_share": float(same.mean())}


def _baseline_ranks(name: str, protocol_file: str, results_dir: Path) -> dict[str, np.ndarray]:
    """``{baseline: (n_users,) test ranks}`` of the unmasked baseline records in ``results/<protocol_file>.jsonl``
    that stored their per-user ranks; ``ValueError`` if one baseline has two such records (which to pair?)."""
    records = [r for r in read_results(protocol_file, results_dir)
               if not r.get("mask_seen") and r.get("dataset") == name and "test_ranks" in r]
    twice = sorted({r["baseline"] for r in records if sum(q["baseline"] == r["baseline"] for q in records) > 1})
    if twice:
        raise ValueError(f"results/{protocol_file}.jsonl must hold one ranked record per baseline, got several of "
                         f"{twice}")
    return {r["baseline"]: np.asarray(r["test_ranks"]) for r in records}


def protocol_pairs(dataset: str = "ml-1m", names: Sequence[str] | None = None, metric: str = "ndcg@10",
                   results_dir: Path = RESULTS_DIR, splits: tuple[SequentialSplit, SequentialSplit] | None = None,
                   n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Each baseline run under both protocols: its test ``metric`` under the book's protocol and the strictly-later
    one over the users both keep, and ``later − book`` with its 95 % interval (``lo``, ``hi``) and ``verdict``
    ('higher', 'lower' or 'no difference shown'), for ``all`` users and for the ``same second`` users. ``splits``:
    the (book, later) splits, loaded when not given. One row per (baseline, users)."""
    book, later = splits if splits is not None else (load_split(dataset), load_split(dataset, LATER))
    ranks_book = _baseline_ranks(dataset, f"baselines-{dataset}", results_dir)
    ranks_later = _baseline_ranks(dataset, f"baselines-{dataset}-later", results_dir)
    names = [n for n in (names or ranks_book) if n in ranks_book and n in ranks_later]
    idx_book, idx_later, same = _common_users(book, later)
    rows = []
    for name in names:
        a = per_user_metric(ranks_later[name][idx_later], metric)[None, :]
        b = per_user_metric(ranks_book[name][idx_book], metric)[None, :]
        rows += [{"baseline": name, **row} for row in _protocol_rows(a, b, same, n_boot, seed)]
    return pd.DataFrame(rows)


def _common_users(book: SequentialSplit, later: SequentialSplit) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(idx_book, idx_later, same)``: for each user both splits keep (in the later split's order), the user's row
    under each protocol, and whether the user's test rating shared its second under the book's protocol."""
    where = {u: k for k, u in enumerate(book.user_labels)}
    idx_book = np.array([where[u] for u in later.user_labels if u in where], dtype=np.int64)
    idx_later = np.array([k for k, u in enumerate(later.user_labels) if u in where], dtype=np.int64)
    same = user_time_strata(book)["same_second"].to_numpy()[idx_book]
    return idx_book, idx_later, same


def _protocol_rows(a: np.ndarray, b: np.ndarray, same: np.ndarray, n_boot: int, seed: int) -> list[dict[str, Any]]:
    """``later − book`` over all users and the same-second ones; ``a``, ``b``: ``(n_seeds, n_users)`` per-user
    metric under the strictly-later and the book's protocol, users aligned (:func:`_common_users`)."""
    rows = []
    for users, mask in (("all", np.ones(a.shape[1], dtype=bool)), ("same second", same)):
        out = hierarchical_bootstrap(a[:, mask], b[:, mask], n_boot=n_boot, seed=seed)
        rows.append({"users": users, "n_users": int(mask.sum()), "book": float(b[:, mask].mean()),
                     "later": float(a[:, mask].mean()), "later − book": out["diff"], "lo": out["lo"], "hi": out["hi"],
                     "verdict": verdict(out["lo"], out["hi"], "higher", "lower", "no difference shown")})
    return rows


def _arm_matrices(name: str, runs_book: Sequence[dict[str, Any]], runs_later: Sequence[dict[str, Any]],
                  splits: tuple[SequentialSplit, SequentialSplit], metric: str
                  ) -> tuple[np.ndarray, np.ndarray] | None:
    """``(later, book)``: ``(n_seeds, n_common_users)`` per-user ``metric`` of one arm under each protocol, over the
    seeds both sides hold and the users both keep (:func:`_common_users` order); ``None`` without a shared seed.
    ``ValueError`` naming ``arms[name]`` if a run lacks ``test_ranks``, ran under another protocol or ranks another
    number of users than its split holds."""
    for runs, split, want in ((runs_book, splits[0], BOOK), (runs_later, splits[1], LATER)):
        for r in runs:
            got = (r.get("protocol"), len(r["test_ranks"]) if "test_ranks" in r else None)
            if got != (want, split.n_users):
                raise ValueError(f"arms[{name!r}]: every {want!r} run must store test_ranks of its {split.n_users} "
                                 f"users, got a seed-{r.get('seed')} run of protocol {got[0]!r} with "
                                 f"{'no test_ranks' if got[1] is None else f'{got[1]} ranks'}")
    runs_book, runs_later = shared_seeds(runs_book, runs_later)
    if not runs_book:
        return None
    idx_book, idx_later, _ = _common_users(*splits)
    return per_user_runs(runs_later, metric)[:, idx_later], per_user_runs(runs_book, metric)[:, idx_book]


def model_pairs(arms: dict[str, tuple[Sequence[dict[str, Any]], Sequence[dict[str, Any]]]], dataset: str = "ml-1m",
                metric: str = "ndcg@10", splits: tuple[SequentialSplit, SequentialSplit] | None = None,
                n_boot: int = 2000, seed: int = 0, min_seeds: int = 5) -> pd.DataFrame:
    """:func:`protocol_pairs` for trained networks. ``arms``: ``{name: (runs under the book's protocol, runs under
    the strictly-later one)}``, each run a training record with its ``protocol`` and per-user ``test_ranks``. Over
    the seeds both sides hold (:func:`~lessons.evaluation.compare.shared_seeds`) and the users both protocols keep:
    the mean test ``metric`` under each, ``later − book`` with its seed-aware 95 % interval and ``verdict``
    ('higher', 'lower', 'no difference shown'; ``'too few seeds (k of min_seeds)'`` below ``min_seeds`` shared
    seeds), for ``all`` users and the ``same second`` ones. One row per (model, users); an arm whose sides share no
    seed gets ``seeds`` 0, no numbers and the verdict 'not run' (no strictly-later run) or 'no seed shared with the
    book's runs'. ``ValueError`` as :func:`_arm_matrices` says."""
    splits = splits if splits is not None else (load_split(dataset), load_split(dataset, LATER))
    same = _common_users(*splits)[2]
    rows = []
    for name, (runs_book, runs_later) in arms.items():
        pair = _arm_matrices(name, runs_book, runs_later, splits, metric)
        if pair is None:
            word = "not run" if not runs_later else "no seed shared with the book's runs"
            rows += [{"model": name, "seeds": 0, "users": users, "n_users": int(n), "verdict": word}
                     for users, n in (("all", len(same)), ("same second", same.sum()))]
            continue
        k = pair[0].shape[0]
        for row in _protocol_rows(*pair, same, n_boot, seed):
            if k < min_seeds:
                row["verdict"] = f"too few seeds ({k} of {min_seeds})"
            rows.append({"model": name, "seeds": k, **row})
    return pd.DataFrame(rows, columns=["model", "seeds", "users", "n_users", "book", "later", "later − book", "lo",
                                       "hi", "verdict"])


def model_contrast(arms: dict[str, tuple[Sequence[dict[str, Any]], Sequence[dict[str, Any]]]], a: str, b: str,
                   dataset: str = "ml-1m", metric: str = "ndcg@10",
                   splits: tuple[SequentialSplit, SequentialSplit] | None = None, n_boot: int = 2000, seed: int = 0,
                   min_seeds: int = 5) -> dict[str, Any]:
    """Does ``A − B`` change between the protocols? The interaction ``(A − B under the strictly-later protocol) −
    (A − B under the book's)`` of test ``metric`` over the users both keep, each of the four (arm, protocol) groups
    with its own seeds (those its arm holds under both protocols), by
    :func:`~lessons.evaluation.compare.hierarchical_contrast`. Returns ``{"diff", "lo", "hi", "seeds"}`` (the
    fewest seeds of a group) and ``verdict``: 'larger' (A gains on B once same-second targets are gone), 'smaller',
    'no difference shown', ``'too few seeds (k of min_seeds)'``, or 'not run' (then no numbers)."""
    splits = splits if splits is not None else (load_split(dataset), load_split(dataset, LATER))
    pa, pb = (_arm_matrices(n, *arms[n], splits, metric) if n in arms else None for n in (a, b))
    if pa is None or pb is None:
        return {"seeds": 0, "verdict": "not run"}
    out = hierarchical_contrast([pa[0], pb[0], pa[1], pb[1]], [1.0, -1.0, -1.0, 1.0], n_boot=n_boot, seed=seed,
                                names=[f"{a} later", f"{b} later", f"{a} book", f"{b} book"])
    k = min(out["seeds"])
    word = (verdict(out["lo"], out["hi"], "larger", "smaller", "no difference shown") if k >= min_seeds
            else f"too few seeds ({k} of {min_seeds})")
    return {"diff": out["diff"], "lo": out["lo"], "hi": out["hi"], "seeds": k, "verdict": word}


def model_numbers(pairs: pd.DataFrame, contrast: dict[str, Any] | None = None, prefix: str = "lt_later_model",
                  min_seeds: int = 5) -> dict[str, str]:
    """Glue-ready strings for :func:`model_pairs` (whose table shows each model's numbers): ``<prefix>_seeds``,
    how many of ``min_seeds`` seeds each model holds under both protocols (``'full-gru+seen 5 of 5,
    fused-lstur-gru+seen 3 of 5'``), and, given ``contrast`` (:func:`model_contrast`), ``<prefix>_contrast`` as
    ``'+0.0019 [-0.0024, +0.0061], no difference shown'`` (the verdict alone when it has no numbers)."""
    seeds = pairs.groupby("model", sort=False)["seeds"].max()
    out = {f"{prefix}_seeds": ", ".join(f"{model} {int(k)} of {min_seeds}" for model, k in seeds.items())}
    if contrast is not None:
        out[f"{prefix}_contrast"] = (f"{interval_text(contrast['diff'], contrast['lo'], contrast['hi'])}, "
                                     f"{contrast['verdict']}" if contrast["seeds"] else str(contrast["verdict"]))
    return out


def protocol_numbers(facts: dict[str, Any], pairs: pd.DataFrame, prefix: str = "lt_later") -> dict[str, str]:
    """Glue-ready strings: the facts (``<prefix>_dropped``, ``..._dropped_share``, ``..._users_later``,
    ``..._same_share``) and, per baseline and users, ``<prefix>_<baseline>_<all|same>`` as
    ``'-0.0123 [-0.0150, -0.0097], lower'``."""
    out = {f"{prefix}_dropped": f"{facts['dropped']:,}", f"{prefix}_dropped_share": f"{facts['dropped_share']:.1%}",
           f"{prefix}_users_later": f"{facts['users_later']:,}", f"{prefix}_users": f"{facts['users']:,}",
           f"{prefix}_same_share": f"{facts['same_second_share']:.1%}"}
    for _, r in pairs.iterrows():
        key = f"{prefix}_{r['baseline']}_{'all' if r['users'] == 'all' else 'same'}"
        out[key] = f"{signed(r['later − book'])} [{signed(r['lo'])}, {signed(r['hi'])}], {r['verdict']}"
    return out

