"""The strictly-later protocol against the book's: how much of a MovieLens score rests on same-second targets?

Under the book's protocol (RecBole's, :mod:`lessons.data.protocol`) a user's test rating often carries the same
second as the validation rating, and the input may hold other ratings of that second: which of them came "last"
is file order, not time. The ``recbole-later`` protocol drops every rating that shares the second of a held-out
one, so each target is strictly later than all a model reads. The test targets are the same ratings under both
protocols (each user's last in file order); what changes is the input before them and the training data.

:func:`protocol_facts` says what the variant drops; :func:`protocol_pairs` compares each baseline's per-user test
metric under the two protocols over the users both keep, for all of them and for those whose test rating shared
its second under the book's protocol (paired over users; a tuned baseline is deterministic, so users are the only
source of spread).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lessons.data.split import SequentialSplit, load_split
from lessons.evaluation.compare import hierarchical_bootstrap, signed, verdict
from lessons.evaluation.metrics import per_user_metric
from lessons.evaluation.results import RESULTS_DIR, read_results
from lessons.evaluation.strata import user_time_strata

__all__ = ["LATER", "protocol_facts", "protocol_pairs", "protocol_numbers"]

LATER = "recbole-later"


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
    where = {u: k for k, u in enumerate(book.user_labels)}
    idx_book = np.array([where[u] for u in later.user_labels if u in where])  # book row of each common user
    idx_later = np.array([k for k, u in enumerate(later.user_labels) if u in where])
    same = user_time_strata(book)["same_second"].to_numpy()[idx_book]
    rows = []
    for name in names:
        a = per_user_metric(ranks_later[name][idx_later], metric)
        b = per_user_metric(ranks_book[name][idx_book], metric)
        for users, mask in (("all", np.ones(len(a), dtype=bool)), ("same second", same)):
            out = hierarchical_bootstrap(a[mask][None, :], b[mask][None, :], n_boot=n_boot, seed=seed)
            rows.append({"baseline": name, "users": users, "n_users": int(mask.sum()), "book": float(b[mask].mean()),
                         "later": float(a[mask].mean()), "later − book": out["diff"], "lo": out["lo"],
                         "hi": out["hi"], "verdict": verdict(out["lo"], out["hi"], "higher", "lower",
                                                             "no difference shown")})
    return pd.DataFrame(rows)


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

