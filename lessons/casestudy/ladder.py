"""GRU4Rec reproduced under the book's conditions, then one change at a time: the like-for-like ladder (issue 17).

Four arms under ONE plan (``benchmarks/run_like_for_like.sh``), each the one before with one change:

====  ===================  =====  ==========  ===============================================
arm   model                width  seen bias   what it adds
====  ===================  =====  ==========  ===============================================
A     ``full-gru``         64     no          the GRU4Rec-like row (RecBole's width, no tricks)
B     ``full-gru``         128    no          + width
C     ``full-gru``         128    yes         + the seen-item bias beta
D     ``fused-lstur-gru``  128    yes         + the long-term half
====  ===================  =====  ==========  ===============================================

:func:`ladder_table` gives each arm's mean test metrics over seeds (and under the hard seen-mask, computed from the
same checkpoints), its cost, and the paired, seed-aware difference from the arm before it
(:func:`lessons.evaluation.compare.hierarchical_bootstrap`); :func:`tuning_table` shows the dropout trials that
chose each arm's setting on validation.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from lessons.evaluation.compare import hierarchical_bootstrap, verdict
from lessons.evaluation.metrics import per_user_metric

__all__ = ["Arm", "ARMS", "LADDER_EPOCHS", "arm_runs", "ladder_table", "tuning_table"]

LADDER_EPOCHS = 9  #: the plan's planned epochs (``run_like_for_like.sh``)


class Arm(NamedTuple):
    name: str
    model: str
    dim: int
    seen_bias: bool
    adds: str


ARMS: tuple[Arm, ...] = (
    Arm("A", "full-gru", 64, False, "GRU4Rec-like"),
    Arm("B", "full-gru", 128, False, "+ width 128"),
    Arm("C", "full-gru", 128, True, "+ seen-item bias"),
    Arm("D", "fused-lstur-gru", 128, True, "+ long-term half"),
)


def arm_runs(records: list[dict[str, Any]], arm: Arm, epochs: int = LADDER_EPOCHS) -> list[dict[str, Any]]:
    """The records of ``arm`` under the plan of ``epochs`` planned epochs, one per seed, in seed order."""
    runs = [r for r in records if r.get("config", {}).get("model") == arm.model
            and r["config"].get("dim") == arm.dim and bool(r["config"].get("seen_bias")) == arm.seen_bias
            and r["config"].get("epochs") == epochs]
    return sorted(runs, key=lambda r: r["seed"])


def _per_user(runs: list[dict[str, Any]], key: str, metric: str) -> np.ndarray:
    """``(n_seeds, n_users)`` per-user ``metric`` from each run's ranks under ``key`` (``test_ranks`` or
    ``test_ranks_masked``)."""
    return np.stack([per_user_metric(np.asarray(r[key]), metric) for r in runs])


def ladder_table(records: list[dict[str, Any]], metric: str = "ndcg@10", epochs: int = LADDER_EPOCHS,
                 n_boot: int = 2000) -> pd.DataFrame:
    """One row per arm with runs: ``arm, adds, seeds, dropout, parameters, s/epoch``, mean test ``hr@10``,
    ``ndcg@10``, ``mrr@10``, the same under the hard seen-mask (``masked hr@10``, ``masked ndcg@10``), and
    ``step`` (this arm − the arm before it, test ``metric``, paired over users and seed-aware) with ``lo``, ``hi``,
    ``verdict`` and the same step under the mask (``masked step``). Raises ``ValueError`` when two seeds of one arm
    were trained with different dropout (one arm, one setting)."""
    rows, previous = [], None
    for arm in ARMS:
        runs = arm_runs(records, arm, epochs)
        if not runs:
            previous = None
            continue
        dropouts = {r["config"]["dropout"] for r in runs}
        if len(dropouts) > 1:
            raise ValueError(f"arm {arm.name} mixes dropout values {sorted(dropouts)}: one arm, one setting")
        row: dict[str, Any] = {"arm": arm.name, "adds": arm.adds, "seeds": len(runs), "dropout": dropouts.pop(),
                               "parameters": runs[0].get("n_parameters"),
                               "s/epoch": float(np.mean([r["train_seconds"] / r["epochs_run"] for r in runs]))}
        for m in ("hr@10", "ndcg@10", "mrr@10"):
            row[m] = float(np.mean([r["test"][m] for r in runs]))
        masked = all("test_ranks_masked" in r for r in runs)
        for m in ("hr@10", "ndcg@10"):
            row[f"masked {m}"] = float(_per_user(runs, "test_ranks_masked", m).mean()) if masked else np.nan
        if previous is not None:
            for key, label in (("test_ranks", "step"), ("test_ranks_masked", "masked step")):
                if key == "test_ranks_masked" and not (masked and all(key in r for r in previous)):
                    continue
                out = hierarchical_bootstrap(_per_user(runs, key, metric), _per_user(previous, key, metric),
                                             n_boot=n_boot)
                row[label] = out["diff"]
                if label == "step":
                    row.update({"lo": out["lo"], "hi": out["hi"],
                                "verdict": verdict(out["lo"], out["hi"], "helps", "hurts", "no difference shown")})
        rows.append(row)
        previous = runs
    return pd.DataFrame(rows)


def tuning_table(records: list[dict[str, Any]], epochs: int = LADDER_EPOCHS) -> pd.DataFrame:
    """The dropout trials (seed 0) of each arm: one row per arm, one column per dropout, VALIDATION NDCG@10;
    ``chosen`` is the validation-best dropout (what ``run_like_for_like.sh`` passes to the other seeds)."""
    rows = []
    for arm in ARMS:
        for r in arm_runs(records, arm, epochs):
            rows.append({"arm": arm.name, "dropout": r["config"]["dropout"], "valid": r["valid"]["ndcg@10"]})
    if not rows:
        return pd.DataFrame(columns=["arm", "chosen"])
    wide = pd.DataFrame(rows).pivot_table(index="arm", columns="dropout", values="valid", aggfunc="first")
    wide["chosen"] = wide.idxmax(axis=1)
    return wide
