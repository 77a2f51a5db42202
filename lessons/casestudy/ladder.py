"""GRU4Rec reproduced under the book's conditions, then one change at a time: the like-for-like ladder (issue 17).

Four arms under ONE plan (``benchmarks/run_like_for_like.sh``), each the one before with one change:

====  ===================  =====  ==========  ===============================================
arm   model                width  seen bias   what it adds
====  ===================  =====  ==========  ===============================================
A     ``full-gru``         64     no          the GRU4Rec-like row (RecBole's item width)
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

from lessons.evaluation.compare import (
    best_on_validation,
    hierarchical_bootstrap,
    paired_runs,
    per_user_runs,
    shared_seeds,
    signed,
    verdict,
)
from lessons.evaluation.metrics import per_user_metric

__all__ = ["Arm", "ARMS", "DROPOUT_GRID", "LADDER_EPOCHS", "MIN_SEEDS", "arm_runs", "ladder_records", "ladder_table",
           "ladder_numbers", "ladder_view", "seed_points", "step_sentence", "steps_view", "tuning_table",
           "versus_baseline"]

LADDER_EPOCHS = 9  #: the plan's planned epochs (``run_like_for_like.sh``)
MIN_SEEDS = 5  #: shared seeds a step needs before it gets a verdict (the plan trains seeds 0-4 of every arm)
DROPOUT_GRID = (0.0, 0.1, 0.2, 0.3)  #: the dropout trials of every arm (``run_like_for_like.sh tune``)


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
    """The records of ``arm`` under the plan of ``epochs`` planned epochs, in seed order; ``ValueError`` if one
    seed appears twice with the same dropout."""
    runs = [r for r in records if r.get("config", {}).get("model") == arm.model
            and r["config"].get("dim") == arm.dim and bool(r["config"].get("seen_bias")) == arm.seen_bias
            and r["config"].get("epochs") == epochs]
    keys = [(r["seed"], r["config"].get("dropout")) for r in runs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"arm {arm.name} holds (seed, dropout) {sorted(keys)}: one run per seed and setting (a "
                         "duplicate would count twice)")
    return sorted(runs, key=lambda r: r["seed"])


def ladder_records(runs: list[dict[str, Any]], trials: list[dict[str, Any]], epochs: int = LADDER_EPOCHS,
                   grid: tuple[float, ...] = DROPOUT_GRID) -> list[dict[str, Any]]:
    """The ladder's runs: for every arm whose dropout trials (``trials``, seed 0) cover the whole ``grid``, the
    validation-best trial as its seed 0 and the runs of ``runs`` (seeds >= 1) with that trial's dropout. An arm
    whose grid is incomplete is left out (its choice is not made yet), and so is any run of another dropout, such
    as a seed trained before the grid was widened."""
    out = []
    for arm in ARMS:
        arm_trials = [t for t in arm_runs(trials, arm, epochs) if t["seed"] == 0]
        if not set(grid) <= {t["config"]["dropout"] for t in arm_trials}:
            continue
        best = best_on_validation(arm_trials)
        others = [r for r in runs if r["seed"] != 0 and r["config"]["dropout"] == best["config"]["dropout"]]
        out += [best, *arm_runs(others, arm, epochs)]
    return out


def ladder_table(records: list[dict[str, Any]], metric: str = "ndcg@10", epochs: int = LADDER_EPOCHS,
                 n_boot: int = 2000, min_seeds: int = MIN_SEEDS) -> pd.DataFrame:
    """One row per arm with runs: ``arm, adds, seeds, dropout, parameters, s/epoch``, mean test ``hr@10``,
    ``ndcg@10``, ``mrr@10``, the same under the hard seen-mask (``masked hr@10``, ``masked ndcg@10``), and
    ``step`` (this arm − the arm before it, test ``metric``, paired over users and seed-aware) with ``lo``, ``hi``,
    ``paired seeds``, ``verdict`` and the same step under the mask (``masked step``); ``note`` says why an arm
    after the first has no step. ``mask gain``, ``mask lo``, ``mask hi``: masked minus plain ``metric`` of the
    same runs, with a seed-aware interval over the per-user differences.

    A step compares the two arms on the seeds they share only (equal seeds in every comparison); with fewer than
    ``min_seeds`` shared seeds its ``verdict`` is ``"too few seeds"`` (its interval would hold too little of the
    spread between training runs to mean much). Raises ``ValueError`` when two seeds of one arm were trained with
    different dropout (one arm, one setting)."""
    rows, previous, before = [], None, None
    for arm in ARMS:
        runs = arm_runs(records, arm, epochs)
        if not runs:
            previous, before = None, arm.name
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
            row[f"masked {m}"] = float(per_user_runs(runs, m, "test_ranks_masked").mean()) if masked else np.nan
        if masked:
            with_mask, plain = per_user_runs(runs, metric, "test_ranks_masked"), per_user_runs(runs, metric)
            if with_mask.shape != plain.shape:
                raise ValueError(f"arm {arm.name}: test_ranks_masked must rank the same test users as test_ranks, got "
                                 f"{with_mask.shape[1]} and {plain.shape[1]} users")
            gain = with_mask - plain
            g = hierarchical_bootstrap(gain, np.zeros((1, gain.shape[1])), n_boot=n_boot)
            row.update({"mask gain": g["diff"], "mask lo": g["lo"], "mask hi": g["hi"]})
        step = paired_runs(runs, previous, metric, n_boot=n_boot) if previous is not None else None
        if arm is not ARMS[0] and step is None:
            row["note"] = (f"no shared seeds with arm {ARMS[ARMS.index(arm) - 1].name}" if previous is not None
                           else f"no runs of arm {before} to compare with")
        if step is not None:
            word = verdict(step["lo"], step["hi"], "helps", "hurts", "no difference shown")
            row.update({"paired seeds": step["seeds"], "step": step["diff"], "lo": step["lo"], "hi": step["hi"],
                        "verdict": word if step["seeds"] >= min_seeds else "too few seeds"})
            a, b = shared_seeds(runs, previous)
            if all("test_ranks_masked" in r for r in a + b):
                row["masked step"] = paired_runs(a, b, metric, "test_ranks_masked", n_boot=n_boot)["diff"]
        rows.append(row)
        previous = runs
    return pd.DataFrame(rows)


def ladder_view(table: pd.DataFrame, reference: dict[str, float], name: str = "RecBole GRU4Rec") -> pd.DataFrame:
    """The arms as the chapter shows them, as text (metrics to 4 decimals, "—" where a column does not apply),
    indexed by arm: seeds, parameters, seconds per epoch, test HR@10, NDCG@10, MRR@10 and NDCG@10 under the hard
    seen-mask, with the published ``reference`` row (``{"hr@10", "ndcg@10", "mrr@10", "parameters"}``) last under
    ``name`` (one run, not trained here). The steps between arms: :func:`steps_view`."""
    def num(x: float, fmt: str = ".4f") -> str:
        return "—" if x is None or pd.isna(x) else format(x, fmt)

    rows = [{"arm": r["arm"], "seeds": str(int(r["seeds"])), "parameters": num(r["parameters"], ",.0f"),
             "s/epoch": num(r["s/epoch"], ".0f"), "HR@10": num(r["hr@10"]), "NDCG@10": num(r["ndcg@10"]),
             "MRR@10": num(r["mrr@10"]), "NDCG@10, seen masked": num(r["masked ndcg@10"])}
            for _, r in table.iterrows()]
    rows.append({"arm": name, "seeds": "1", "parameters": num(reference["parameters"], ",.0f"), "s/epoch": "—",
                 "HR@10": num(reference["hr@10"]), "NDCG@10": num(reference["ndcg@10"]),
                 "MRR@10": num(reference["mrr@10"]), "NDCG@10, seen masked": "—"})
    return pd.DataFrame(rows).set_index("arm")


def steps_view(table: pd.DataFrame) -> pd.DataFrame:
    """The ladder's steps as text, one row per arm after the first: ``step`` (e.g. ``"A → B: + width 128"``),
    ``paired seeds``, ``difference`` (test NDCG@10, this arm − the one before), ``95% interval``, ``verdict``; an
    arm without a step says why in ``verdict``."""
    names = [a.name for a in ARMS]
    rows = []
    for _, r in table.iterrows():
        if r["arm"] == names[0]:
            continue
        has = pd.notna(r.get("step"))
        rows.append({"step": f"{names[names.index(r['arm']) - 1]} → {r['arm']}: {r['adds']}",
                     "paired seeds": str(int(r["paired seeds"])) if has else "0",
                     "difference": signed(r["step"]) if has else "—",
                     "95% interval": f"[{signed(r['lo'])}, {signed(r['hi'])}]" if has else "—",
                     "verdict": r["verdict"] if has else str(r.get("note", "no step"))})
    return pd.DataFrame(rows, columns=["step", "paired seeds", "difference", "95% interval", "verdict"]).set_index(
        "step")


def versus_baseline(records: list[dict[str, Any]], baselines: list[dict[str, Any]], arm: str = "A",
                    metric: str = "ndcg@10", epochs: int = LADDER_EPOCHS, n_boot: int = 2000) -> dict[str, Any]:
    """``arm`` against the strongest simple baseline, chosen on VALIDATION ``metric``, as ranked and under the hard
    seen-mask. ``baselines``: baseline records with per-user ``test_ranks`` (``lessons.baselines.tuning.
    load_results``; those with ``mask_seen`` are the masked ones, tuned with the mask). Each comparison pairs the
    arm's runs (seed-aware) with the deterministic baseline over the same test users: the arm's plain ranks against
    the plain baseline, its masked ranks against the masked one. Returns ``{"plain": {...}, "masked": {...}}`` (a
    key is missing when that baseline or those ranks are), each with ``name``, the baseline's test ``value``,
    ``diff`` (arm − baseline), ``lo``, ``hi`` and ``verdict``
    ('ahead of', 'behind', 'not distinguishable from'; 'too few seeds' below :data:`MIN_SEEDS` runs)."""
    runs = arm_runs(records, next(a for a in ARMS if a.name == arm), epochs)
    if not runs:
        raise ValueError(f"records must hold runs of arm {arm}, got none")
    out: dict[str, Any] = {}
    for label, masked, key in (("plain", False, "test_ranks"), ("masked", True, "test_ranks_masked")):
        pool = [b for b in baselines if bool(b.get("mask_seen")) == masked and "test_ranks" in b]
        if not pool or not all(key in r for r in runs):
            continue
        best = best_on_validation(pool, metric)
        base = per_user_metric(np.asarray(best["test_ranks"]), metric)[None, :]
        res = hierarchical_bootstrap(per_user_runs(runs, metric, key), base, n_boot=n_boot)
        word = verdict(res["lo"], res["hi"], "ahead of", "behind", "not distinguishable from")
        out[label] = {"name": best["baseline"], "value": float(base.mean()), "diff": res["diff"], "lo": res["lo"],
                      "hi": res["hi"], "verdict": word if len(runs) >= MIN_SEEDS else "too few seeds"}
    return out


def seed_points(records: list[dict[str, Any]], epochs: int = LADDER_EPOCHS) -> pd.DataFrame:
    """One row per run of the ladder: ``arm, adds, seed, ndcg@10, masked ndcg@10`` (test; the masked value from
    ``test_ranks_masked`` as in :func:`ladder_table`, ``NaN`` when the run recorded none), in arm then seed order:
    what :func:`lessons.pictures.casestudy_plots.ladder_figure` draws."""
    def masked(r: dict[str, Any]) -> float:
        return float(per_user_metric(np.asarray(r["test_ranks_masked"]), "ndcg@10").mean()) \
            if "test_ranks_masked" in r else np.nan

    rows = [{"arm": arm.name, "adds": arm.adds, "seed": r["seed"], "ndcg@10": r["test"]["ndcg@10"],
             "masked ndcg@10": masked(r)} for arm in ARMS for r in arm_runs(records, arm, epochs)]
    return pd.DataFrame(rows, columns=["arm", "adds", "seed", "ndcg@10", "masked ndcg@10"])


def tuning_table(records: list[dict[str, Any]], epochs: int = LADDER_EPOCHS,
                 grid: tuple[float, ...] = DROPOUT_GRID) -> pd.DataFrame:
    """The dropout trials (seed 0) of each arm: one row per arm, one column per dropout, VALIDATION NDCG@10;
    ``chosen`` is the validation-best dropout as text (what ``run_like_for_like.sh`` passes to the other seeds), or
    ``"pending"`` while the arm's trials do not yet cover ``grid``."""
    rows = []
    for arm in ARMS:
        for r in arm_runs(records, arm, epochs):
            rows.append({"arm": arm.name, "dropout": r["config"]["dropout"], "valid": r["valid"]["ndcg@10"]})
    if not rows:
        return pd.DataFrame(columns=["arm", "chosen"])
    wide = pd.DataFrame(rows).pivot_table(index="arm", columns="dropout", values="valid", aggfunc="first")
    complete = wide.reindex(columns=list(grid)).notna().all(axis=1)
    wide["chosen"] = [f"{best:g}" if done else "pending" for best, done in zip(wide.idxmax(axis=1), complete,
                                                                            strict=True)]
    return wide


def step_sentence(row: pd.Series | dict[str, Any], metric: str = "NDCG@10") -> str:
    """One ladder step in words, its reading tied to its verdict, e.g. ``"+0.0240 NDCG@10 [+0.0180, +0.0300] over
    5 paired seeds: it helps under this plan"``. ``row``: a :func:`ladder_table` row with a step."""
    k = int(row["paired seeds"])
    head = f"{signed(row['step'])} {metric} [{signed(row['lo'])}, {signed(row['hi'])}] over {k} paired seed"
    head += "s" if k != 1 else ""
    reading = {"helps": "it helps under this plan",
               "hurts": "it hurts under this plan",
               "no difference shown": "no difference shown: these runs cannot tell whether it matters",
               "too few seeds": f"too few seeds for a verdict ({MIN_SEEDS} are planned; the interval holds little of "
                                "the spread between training runs)"}[row["verdict"]]
    return f"{head}: {reading}"


def _step_or_why(t: pd.DataFrame, arm: str) -> str:
    """The step of ``arm`` in words, or why there is none (no runs of it, or of the arm before, or no shared seed)."""
    if arm not in t.index:
        return f"no runs of arm {arm} in the ladder yet (its dropout trials are not all in, or it has no runs)"
    row = t.loc[arm]
    return step_sentence(row) if pd.notna(row.get("step")) else str(row.get("note", "no step"))


def ladder_numbers(table: pd.DataFrame, reference: dict[str, float],
                   records: list[dict[str, Any]] | None = None, versus: dict[str, Any] | None = None) -> dict[str, str]:
    """The ladder's numbers as text for a chapter to glue. ``table``: :func:`ladder_table`; ``reference``: the
    published GRU4Rec row (``{"hr@10", "ndcg@10", "mrr@10", "parameters"}``, e.g.
    ``report.RECBOLE_ML1M["GRU4Rec"]``); ``records``: the runs behind ``table``; ``versus``:
    :func:`versus_baseline`. Keys:

    - ``l4l_seeds`` (seeds per arm), ``l4l_a_ndcg``, ``l4l_a_mrr``, ``l4l_ref_ndcg``, ``l4l_ref_mrr``,
      ``l4l_a_params``, ``l4l_ref_params``;
    - ``l4l_a_vs_ref``: ``"0.0453 below"`` or ``"... above"`` (arm A's mean against the published row);
    - ``l4l_step_B`` .. ``l4l_step_D``: each step's :func:`step_sentence`, or why there is none;
    - ``l4l_mask_gain``: masked minus plain NDCG@10 per arm, with its seed-aware interval;
    - ``l4l_a_best_epochs``: the best validation epoch of each of arm A's runs, e.g. ``"8, 9 (of 9 planned)"``;
    - ``l4l_base_plain``, ``l4l_base_masked``: e.g. ``"arm A is behind sknn (NDCG@10 0.1175; A minus sknn:
      -0.0172 [-0.0230, -0.0110])"``, or ``"not run"``.
    """
    if table.empty or "A" not in set(table["arm"]):
        raise ValueError(f"table must hold arm A (the GRU4Rec-like row), got arms {list(table.get('arm', []))}")
    t = table.set_index("arm")
    a = t.loc["A"]
    gap = a["ndcg@10"] - reference["ndcg@10"]
    gains = [f"{arm} {signed(row['mask gain'])} [{signed(row['mask lo'])}, {signed(row['mask hi'])}]"
             for arm, row in t.iterrows() if pd.notna(row.get("mask gain"))]
    best_epochs = [str(r["best_epoch"]) for r in arm_runs(records or [], ARMS[0])]
    base = {}
    for label in ("plain", "masked"):
        v = (versus or {}).get(label)
        word = {"too few seeds": "not yet comparable, with too few seeds, to"}.get(v["verdict"], v["verdict"]) \
            if v else ""
        base[f"l4l_base_{label}"] = (f"arm A is {word} {v['name']} (NDCG@10 {v['value']:.4f}; A minus "
                                     f"{v['name']}: {signed(v['diff'])} [{signed(v['lo'])}, {signed(v['hi'])}])"
                                     ) if v else "not run"
    return {
        **base,
        "l4l_a_best_epochs": f"{', '.join(best_epochs)} (of {LADDER_EPOCHS} planned)" if best_epochs else "unknown",
        "l4l_seeds": ", ".join(f"{arm} {int(row['seeds'])}" for arm, row in t.iterrows()),
        "l4l_a_ndcg": f"{a['ndcg@10']:.4f}", "l4l_a_mrr": f"{a['mrr@10']:.4f}",
        "l4l_ref_ndcg": f"{reference['ndcg@10']:.4f}", "l4l_ref_mrr": f"{reference['mrr@10']:.4f}",
        "l4l_a_vs_ref": f"{abs(gap):.4f} {'below' if gap < 0 else 'above'}",
        "l4l_a_params": f"{a['parameters']:,.0f}" if pd.notna(a["parameters"]) else "unknown",
        "l4l_ref_params": f"{reference['parameters']:,.0f}",
        **{f"l4l_step_{arm.name}": _step_or_why(t, arm.name) for arm in ARMS[1:]},
        "l4l_mask_gain": ", ".join(gains) if gains else "not recorded",
    }
