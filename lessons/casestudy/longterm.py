"""When does long-term interest help? The controlled evidence, from the committed results, in small tables.

Three settings, from the one where the answer is known to the one where it matters:

1. the simulator (:mod:`lessons.data.simulate`), where every held-out event carries its true source (long-term
   taste, a short burst, or a repeat): :func:`simulator_table` and :func:`simulator_pairs`;
2. MovieLens-1M, split by how much time a user's history spans (:mod:`lessons.evaluation.strata`);
3. the grocery sample, where people buy the same things again (:mod:`lessons.baselines.nextbasket`).

Every comparison of two models is paired over users and seed-aware
(:func:`lessons.evaluation.compare.hierarchical_bootstrap`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lessons.baselines.nextbasket import compare_on_baskets, expand_records, results_table
from lessons.casestudy.numbers import SIM_EPOCHS, SIM_MODELS, SIM_SOURCES
from lessons.data.simulate import simulate
from lessons.evaluation.compare import interval_text, paired_groups, rank_matrix, run_label, verdict
from lessons.evaluation.metrics import per_user_metric
from lessons.evaluation.results import RESULTS_DIR, read_results, results_file, run_identity

PRESETS: tuple[str, ...] = ("news", "music")


def simulator_ranks(preset: str, results_dir: Path = RESULTS_DIR) -> dict[str, np.ndarray]:
    """``{model: (n_seeds, n_users)}`` test ranks of the simulator campaign on ``preset`` (its one plan)."""
    return rank_matrix(f"sim-{preset}", list(SIM_MODELS), results_dir, epochs=SIM_EPOCHS)


def simulator_sources(preset: str, results_dir: Path = RESULTS_DIR) -> np.ndarray:
    """``(n_users,)`` true source code (index into :data:`SIM_SOURCES`) of each user's test event on ``preset``,
    rebuilt with ``simulate(preset, seed=0)``: the data every committed simulator record was trained on.
    ``ValueError`` if a record of the campaign says otherwise (another data seed, user or item count), since the
    sources would then not belong to its ranks."""
    sim = simulate(preset, seed=0)
    want = {"protocol": f"sim-seed{sim.seed}", "n_users": sim.n_users, "n_items": sim.n_items}
    for r in read_results(f"sim-{preset}", results_dir):
        if r["config"].get("epochs") != SIM_EPOCHS:
            continue
        got = {k: r.get(k) for k in want}
        if got != want:
            path = results_file(f"sim-{preset}", results_dir)
            raise ValueError(f"{path}: a {r['config'].get('model')} run of seed {r.get('seed')} was trained on "
                             f"{got}, but the sources are rebuilt from {want}")
    return sim.target_source("test")


def simulator_stops(presets: Sequence[str] = PRESETS, results_dir: Path = RESULTS_DIR) -> str:
    """How the simulator runs that :func:`simulator_ranks` uses ended, in a clause true in each case, e.g.
    ``'every one of the 36 runs ended by early stopping (34) or at its last epoch (2), none by its 10-minute cap
    (the longest trained for 514 s)'``; otherwise it counts every way the runs ended (``stopped_by``) and names the
    runs the clock cut."""
    tagged = [(preset, r) for preset in presets for r in read_results(f"sim-{preset}", results_dir)
              if "test_ranks" in r and run_label(r) in SIM_MODELS and r["config"].get("epochs") == SIM_EPOCHS]
    runs = [r for _, r in tagged]
    if not runs:
        return "no run is committed yet"
    ends = [str(r.get("stopped_by") or "an unrecorded reason") for r in runs]
    caps = sorted({f"{r['config'].get('max_minutes'):g}" for r in runs if r["config"].get("max_minutes")})
    cap = f"its {' or '.join(caps)}-minute cap" if caps else "a time cap"
    longest = f"the longest trained for {max(r['train_seconds'] for r in runs):.0f} s"
    if set(ends) <= {"patience", "epochs"}:
        return (f"every one of the {len(runs)} runs ended by early stopping ({ends.count('patience')}) or at its "
                f"last epoch ({ends.count('epochs')}), none by {cap} ({longest})")
    counts = ", ".join(f"{ends.count(e)} by {e}" for e in sorted(set(ends)))
    cut = [f"{preset} {run_label(r)} seed {r['seed']}" for preset, r in tagged if r.get("stopped_by") == "max_minutes"]
    named = f"; the clock cut {', '.join(cut)}" if cut else ""
    return f"the {len(runs)} runs ended {counts} ({longest}{named})"


def simulator_table(presets: Sequence[str] = PRESETS, metric: str = "hr@10",
                    results_dir: Path = RESULTS_DIR) -> pd.DataFrame:
    """Test ``metric`` per preset, model and true source of the held-out event (mean over seeds and users).

    Columns: ``preset, model, seeds``, one column per source of :data:`SIM_SOURCES` (blank where a preset has no
    such event) and ``all``; :func:`source_counts` says how many users each cell averages. Models without runs are
    left out; an empty frame if nothing is committed.
    """
    rows = []
    for preset in presets:
        source = simulator_sources(preset, results_dir)
        for model, ranks in simulator_ranks(preset, results_dir).items():
            values = np.mean([per_user_metric(r, metric) for r in ranks], axis=0)  # (n_users,)
            row: dict[str, Any] = {"preset": preset, "model": model, "seeds": len(ranks)}
            for code, name in enumerate(SIM_SOURCES):
                row[name] = float(values[source == code].mean()) if (source == code).any() else np.nan
            row["all"] = float(values.mean())
            rows.append(row)
    return pd.DataFrame(rows)


def source_counts(presets: Sequence[str] = PRESETS) -> str:
    """How many test users each true source has per preset, e.g. ``'news: 385 long-term taste, 599 burst, 16
    repeat; music: ...'``."""
    parts = []
    for preset in presets:
        source = simulate(preset, seed=0).target_source("test")
        counts = ", ".join(f"{int((source == c).sum())} {name}" for c, name in enumerate(SIM_SOURCES))
        parts.append(f"{preset}: {counts}")
    return "; ".join(parts)


def simulator_pairs(presets: Sequence[str] = PRESETS, reference: str = "full-gru",
                    models: Sequence[str] = ("fused-lstur-gru", "fused-gate-gru", "long", "full-gru+seen"),
                    metric: str = "hr@10", results_dir: Path = RESULTS_DIR) -> pd.DataFrame:
    """Each of ``models`` against ``reference`` (the same GRU without a long-term half), per preset and true
    source, paired and seed-aware. Columns: ``preset, model, source, users, model − reference, lo, hi, verdict``
    ('helps', 'hurts' or 'no difference shown')."""
    rows = []
    for preset in presets:
        ranks = simulator_ranks(preset, results_dir)
        if reference not in ranks:
            continue
        source = simulator_sources(preset, results_dir)
        for model in models:
            if model not in ranks:
                continue
            table = paired_groups(ranks[model], ranks[reference], source, list(SIM_SOURCES), metric=metric)
            for _, r in table.iterrows():
                rows.append({"preset": preset, "model": model, "source": r["group"], "users": r["n_users"],
                             "model − reference": r["A − B"], "lo": r["lo"], "hi": r["hi"],
                             "verdict": verdict(r["lo"], r["hi"], "helps", "hurts", "no difference shown")})
    return pd.DataFrame(rows)


def pairs_wide(pairs: pd.DataFrame) -> pd.DataFrame:
    """:func:`simulator_pairs` one row per (model, source), one column per preset, each cell
    ``'+0.012 [+0.004, +0.020] helps'``: the same numbers, laid out to read across presets."""
    cell = pairs.assign(text=[f"{interval_text(d, lo, hi, 3)} {v}" for d, lo, hi, v in
                              zip(pairs["model − reference"], pairs["lo"], pairs["hi"], pairs["verdict"], strict=True)])
    return cell.pivot_table(index=["model", "source"], columns="preset", values="text", aggfunc="first", sort=False)


def pair_numbers(pairs: pd.DataFrame, prefix: str = "lt_sim") -> dict[str, str]:
    """Glue-ready strings for every row of :func:`simulator_pairs`: ``<prefix>_<preset>_<model>_<source>`` ->
    ``'+0.012 [+0.004, +0.020], helps'`` (model and source names with ``-``, ``+`` and spaces as ``_``)."""
    out = {}
    for _, r in pairs.iterrows():
        key = f"{prefix}_{r['preset']}_{r['model']}_{r['source']}"
        for ch in "-+ ":
            key = key.replace(ch, "_")
        out[key] = f"{interval_text(r['model − reference'], r['lo'], r['hi'], 3)}, {r['verdict']}"
    return out


# ---------------------------------------------------------------------------------------------- groceries
#: The grocery results files: the baselines and the first two models, the whole-history attention campaign, the
#: user-embedding regularisation campaign (its validation trials in ``instacart-user-reg-tuning``) and the other
#: designs (short-term GRU, LSTM twins).
GROCERY_FILES: tuple[str, ...] = ("instacart", "instacart-history", "instacart-user-reg", "instacart-designs")


def grocery_records(files: Sequence[str] = GROCERY_FILES, results_dir: Path = RESULTS_DIR) -> list[dict[str, Any]]:
    """Every committed grocery record of ``files`` (missing files skipped), labelled by
    :func:`~lessons.evaluation.compare.run_label`, one record per run identity (a run repeated in two files, e.g.
    a seed of the chosen setting that is also a plain run, counts once)."""
    runs: dict[str, dict[str, Any]] = {}
    for name in files:
        for r in read_results(name, results_dir):
            label = run_label({**r, "model": r["config"]["model"]}) if r.get("kind") == "model" else r["model"]
            runs[run_identity(r)] = {**r, "model": label}
    return list(runs.values())


def grocery_designs(records: list[dict[str, Any]], reference: str = "full-gru+seen",
                    baseline: str = "mix") -> pd.DataFrame:
    """One row per neural design on the grocery sample: ``model, seeds``, mean test NDCG@10 over the basket, its
    repeat and its new items, then the paired, seed-aware difference against ``reference`` (``vs reference``,
    ``lo``, ``hi``, ``verdict``) and, for the design with the whole-history purchase shares added
    (``+top-frequency``), against the ``baseline`` (``+counts vs mix`` with ``lo2``, ``hi2``, ``verdict2``: 'above',
    'below', or 'level' when the interval holds zero)."""
    rows = expand_records(records)
    table = results_table(rows)
    out = []
    for _, r in table[table["kind"] == "model"].iterrows():
        row = {"model": r["model"], "seeds": int(r["seeds"]), "ndcg@10": r["ndcg@10"],
               "repeat": r["ndcg@10_repeat"], "new": r["ndcg@10_new"]}
        if r["model"] != reference:
            c = compare_on_baskets(rows, r["model"], reference)
            row.update({"vs reference": c["diff"], "lo": c["lo"], "hi": c["hi"],
                        "verdict": verdict(c["lo"], c["hi"], "helps", "hurts", "no difference shown")})
        c = compare_on_baskets(rows, r["model"] + "+top-frequency", baseline)
        row.update({"+counts vs mix": c["diff"], "lo2": c["lo"], "hi2": c["hi"],
                    "verdict2": verdict(c["lo"], c["hi"], "above", "below", "level")})
        out.append(row)
    return pd.DataFrame(out)


def grocery_pairs(records: list[dict[str, Any]], pairs: dict[str, tuple[str, str]],
                  prefix: str = "lt_gro") -> dict[str, str]:
    """Glue-ready ``'+0.0012 [-0.0050, +0.0071], no difference shown'`` for each named pair ``key: (A, B)`` of
    grocery labels (test NDCG@10, paired and seed-aware), under ``<prefix>_<key>``; a pair whose runs are not
    committed reads ``'not run'``."""
    rows = expand_records(records)
    labels = {r["model"] for r in rows}
    out = {}
    for key, (a, b) in pairs.items():
        if a not in labels or b not in labels:
            out[f"{prefix}_{key}"] = "not run"
            continue
        c = compare_on_baskets(rows, a, b)
        out[f"{prefix}_{key}"] = (f"{interval_text(c['diff'], c['lo'], c['hi'])}, "
                                  f"{verdict(c['lo'], c['hi'], 'helps', 'hurts', 'no difference shown')}")
    return out


#: ``(user_dropout, user_l2)`` settings the user-vector campaigns try on seed 0 (groceries and ML-1M alike).
USER_REG_GRID: tuple[tuple[float, float], ...] = tuple((p, l2) for p in (0.0, 0.5) for l2 in (0.0, 0.01, 0.1))


def setting_label(user_dropout: float, user_l2: float) -> str:
    """``'mask 0.5, L2 0.01'``: how a ``(user_dropout, user_l2)`` setting is named in tables."""
    return f"mask {user_dropout:g}, L2 {user_l2:g}"


def user_reg_setting(record: dict[str, Any]) -> tuple[float, float]:
    """The ``(user_dropout, user_l2)`` setting a run was trained with (a missing or null value is 0.0, as
    :class:`~lessons.casestudy.train.TrainConfig` defaults)."""
    c = record["config"]
    return float(c.get("user_dropout") or 0.0), float(c.get("user_l2") or 0.0)


def user_reg_trials(records: list[dict[str, Any]],
                    grid: Sequence[tuple[float, float]] = USER_REG_GRID) -> pd.DataFrame:
    """The validation trials of the user-embedding regularisers: one row per design, one column per
    ``(user_dropout, user_l2)`` setting of ``grid`` that ran, values the VALIDATION basket NDCG@10 of the seed-0
    run (other seeds are left out: they are not trials); ``chosen`` names the validation-best setting (the first in
    grid order on a tie) once every setting of ``grid`` has run, and reads ``'pending (k of n trials)'`` before.
    ``ValueError`` if a design holds two seed-0 runs of one setting, or a setting outside ``grid``."""
    rows, seen = [], set()
    for r in records:
        if r["seed"] != 0:
            continue
        c = r["config"]
        design = c["model"] + ("+history" if c.get("long_scope") == "history" else "")
        setting = user_reg_setting(r)
        if setting not in grid:
            raise ValueError(f"{design}: setting {setting_label(*setting)} is not in the grid "
                             f"{[setting_label(*g) for g in grid]}")
        if (design, setting) in seen:
            raise ValueError(f"{design} holds two seed-0 trials of {setting_label(*setting)}; expected one")
        seen.add((design, setting))
        rows.append({"design": design, "setting": setting_label(*setting), "valid": r["valid"]["ndcg@10"]})
    if not rows:
        return pd.DataFrame({"chosen": pd.Series(dtype=object)}, index=pd.Index([], name="design"))
    wide = pd.DataFrame(rows).pivot(index="design", columns="setting", values="valid")
    wide = wide[[setting_label(*g) for g in grid if setting_label(*g) in wide.columns]]  # grid order
    counts = wide.notna().sum(axis=1)
    wide["chosen"] = [wide.loc[d].drop("chosen", errors="ignore").astype(float).idxmax() if counts[d] == len(grid)
                      else f"pending ({counts[d]} of {len(grid)} trials)" for d in wide.index]
    return wide


def grocery_best(records: list[dict[str, Any]], min_seeds: int = 5) -> dict[str, Any]:
    """The grocery headline, chosen on VALIDATION: among the baselines (deterministic) and every model label with at
    least ``min_seeds`` seeds (``+top-frequency`` fusions included), the best mean validation basket NDCG@10.
    Returns ``{"model", "valid", "test"}`` (the test NDCG@10 is reported, never used to choose)."""
    rows = expand_records(records)
    valid, test = results_table(rows, stage="valid"), results_table(rows, stage="test")
    ok = (valid["kind"] == "baseline") | (valid["seeds"] >= min_seeds)
    best = valid[ok].sort_values("ndcg@10", ascending=False, kind="stable").iloc[0]
    test_value = test.loc[test["model"] == best["model"], "ndcg@10"].iloc[0]
    return {"model": best["model"], "valid": float(best["ndcg@10"]), "test": float(test_value)}


def user_reg_numbers(trials: pd.DataFrame, records: list[dict[str, Any]], prefix: str = "lt_gro") -> dict[str, str]:
    """Glue-ready numbers of the user-embedding regularisation: per design (``lstur``: fused-lstur-gru, ``long``:
    long over the whole history) the setting chosen on validation (``<prefix>_<key>_reg_chosen``), the range of the
    validation scores of the settings tried (``<prefix>_<key>_reg_range``) and the paired
    test difference regularised − plain (``<prefix>_<key>_reg``), or a sentence saying that validation chose no
    regularisation (then the plain runs are the chosen model)."""
    out = {}
    for key, design, label in (("lstur", "fused-lstur-gru", "fused-lstur-gru+seen"),
                               ("long", "long+history", "long+history+seen")):
        chosen = trials.loc[design, "chosen"] if design in trials.index else "not run"
        out[f"{prefix}_{key}_reg_chosen"] = "not chosen yet" if chosen.startswith("pending") else chosen
        if design in trials.index:
            scores = trials.loc[design].drop("chosen").dropna().astype(float)
            out[f"{prefix}_{key}_reg_range"] = f"{scores.min():.4f} to {scores.max():.4f}"
        if chosen == setting_label(0, 0):
            out[f"{prefix}_{key}_reg"] = "validation chose no regularisation, so the plain runs are the chosen model"
        elif chosen.startswith("pending"):
            out[f"{prefix}_{key}_reg"] = f"not chosen yet ({chosen.removeprefix('pending (')}"
        else:
            out |= grocery_pairs(records, {f"{key}_reg": (label + "+user-reg", label)}, prefix)
    return out


#: The named grocery pairs a chapter glues (``A − B`` of test NDCG@10): what each design choice is worth.
GROCERY_PAIRS: dict[str, tuple[str, str]] = {
    "long_window": ("long+seen", "full-gru+seen"),
    "long_history": ("long+history+seen", "long+seen"),
    "gate_history": ("fused-gate-gru+history+seen", "fused-gate-gru+seen"),
    "lstm_full": ("full-lstm+seen", "full-gru+seen"),
    "lstm_lstur": ("fused-lstur-lstm+seen", "full-lstm+seen"),
    "short": ("short-gru+seen", "full-gru+seen"),
}


def grocery_numbers(records: list[dict[str, Any]], trials: pd.DataFrame, prefix: str = "lt_gro",
                    designs: pd.DataFrame | None = None) -> dict[str, str]:
    """Everything the grocery section glues: :data:`GROCERY_PAIRS`, :func:`user_reg_numbers`, the fewest seeds of
    a neural design (``<prefix>_min_seeds``) and the headline chosen on validation (:func:`grocery_best`:
    ``<prefix>_best``, ``<prefix>_best_test``, and ``<prefix>_best_vs_mix``, its paired difference from the mix
    baseline, or a sentence when the headline is the mix itself). ``designs``: :func:`grocery_designs` of
    ``records`` when already computed (it is not recomputed)."""
    out = grocery_pairs(records, GROCERY_PAIRS, prefix) | user_reg_numbers(trials, records, prefix)
    designs = grocery_designs(records) if designs is None else designs
    out[f"{prefix}_min_seeds"] = str(int(designs["seeds"].min()))
    best = grocery_best(records)
    out[f"{prefix}_best"] = best["model"]
    out[f"{prefix}_best_test"] = f"{best['test']:.4f}"
    if best["model"] == "mix":
        out[f"{prefix}_best_vs_mix"] = "the headline is the mix baseline itself"
    else:
        c = compare_on_baskets(expand_records(records), best["model"], "mix")
        word = verdict(c["lo"], c["hi"], "above the mix", "below the mix", "level with the mix (no difference shown)")
        out[f"{prefix}_best_vs_mix"] = f"{interval_text(c['diff'], c['lo'], c['hi'])}, {word}"
    return out


def designs_text(designs: pd.DataFrame, reference: str = "full-gru+seen") -> pd.DataFrame:
    """:func:`grocery_designs` laid out to read on a narrow screen, indexed by model: ``seeds, NDCG@10, repeat,
    new`` and two text columns, ``− <reference>`` and ``+counts − mix``, each ``'+0.043 [+0.031, +0.054] helps'``
    (three decimals: the intervals are wider than the fourth; a bound that would round to zero gets a fourth,
    so it keeps its side of zero)."""
    def cell(d: float, lo: float, hi: float, word: Any) -> str:
        return "" if pd.isna(d) else f"{interval_text(d, lo, hi, 3)} {word}"

    out = designs[["model", "seeds"]].set_index("model")
    for column, name in (("ndcg@10", "NDCG@10"), ("repeat", "repeat"), ("new", "new")):
        out[name] = designs[column].map("{:.4f}".format).to_numpy()
    out[f"− {reference}"] = [cell(*v) for v in designs[["vs reference", "lo", "hi", "verdict"]].to_numpy()]
    out["+counts − mix"] = [cell(*v) for v in designs[["+counts vs mix", "lo2", "hi2", "verdict2"]].to_numpy()]
    return out


__all__ = ["PRESETS", "simulator_sources", "simulator_ranks", "simulator_stops", "simulator_table", "source_counts",
           "simulator_pairs", "pairs_wide", "pair_numbers", "GROCERY_FILES", "grocery_records", "grocery_designs",
           "grocery_pairs", "USER_REG_GRID", "setting_label", "user_reg_setting", "user_reg_trials", "grocery_best",
           "user_reg_numbers", "GROCERY_PAIRS", "grocery_numbers", "designs_text"]
