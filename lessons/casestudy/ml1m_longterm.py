"""Giving MovieLens-1M's long-term half its best chance: the whole history and a regularised user vector.

The ladder (:mod:`lessons.casestudy.ladder`) adds a long-term half last (arm D, ``fused-lstur-gru``). Before the
book concludes that the half does not pay on MovieLens, two campaigns of ``benchmarks/run_ml1m_longterm.sh`` give
it its best chance, under the ladder's plan (width 128, seen-item bias, nine epochs, one thread):

* ``user-reg``: arm D with its user embedding regularised, trials of :data:`USER_REG_GRID` on seed 0 chosen on
  VALIDATION (the unregularised setting is arm D's own seed 0), then seeds 1-4 of the chosen setting;
* ``history``: ``fused-gate-gru`` and ``long``, whose attention reads the input window or the user's whole
  history, seeds 0-4 with arm C's dropout.

``benchmarks/run_strictly_later.sh models`` trains arms C and D again, seeds 0-4 with their own dropout, under the
strictly-later protocol (:mod:`lessons.evaluation.strictly_later`); their labels end in :data:`LATER_LABEL`.

:func:`longterm_runs` gathers the runs by label, :func:`question_table` answers each of :data:`QUESTIONS` as a
paired, seed-aware test difference on the seeds both sides hold
(:func:`lessons.evaluation.compare.paired_runs`), with a verdict only from :data:`~lessons.casestudy.ladder.MIN_SEEDS`
shared seeds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from lessons.casestudy.ladder import ARMS, LADDER_EPOCHS, MIN_SEEDS, arm_runs, ladder_records
from lessons.casestudy.longterm import USER_REG_GRID, setting_label, user_reg_setting, user_reg_trials
from lessons.data.split import SequentialSplit, load_split
from lessons.evaluation import strictly_later
from lessons.evaluation.compare import paired_runs, run_label, signed, verdict
from lessons.evaluation.results import RESULTS_DIR, read_results
from lessons.evaluation.strata import run_strata

__all__ = ["USER_REG_GRID", "NO_REGULARISATION", "LATER_LABEL", "ARM_C", "ARM_D", "QUESTIONS", "FINAL_VERDICTS",
           "later_arms", "ladder_strata", "user_reg_records", "longterm_runs", "user_reg_view", "question_table",
           "question_view", "longterm_numbers"]

#: What a ladder arm's label gains when it ran under the strictly-later protocol.
LATER_LABEL = " (strictly later)"
#: The :func:`run_label` names of the ladder's arms C (the GRU with the seen-item bias) and D (C + the long-term half).
ARM_C, ARM_D = "full-gru+seen", "fused-lstur-gru+seen"

#: ``key: (question, A, B)``: what each comparison of test NDCG@10 (A − B) asks, by :func:`run_label` names.
QUESTIONS: dict[str, tuple[str, str, str]] = {
    "lstur": ("does the long-term half help beside the GRU?", ARM_D, ARM_C),
    "lstur_reg": ("does a regularised user vector help?", ARM_D + "+user-reg", ARM_D),
    "gate_history": ("does the attention gain from the whole history?", "fused-gate-gru+history+seen",
                     "fused-gate-gru+seen"),
    "long_history": ("does the attention gain from the whole history?", "long+history+seen", "long+seen"),
    "gate_vs_gru": ("does a whole-history attention beside the GRU beat the GRU alone?",
                    "fused-gate-gru+history+seen", ARM_C),
    "lstur_later": ("does the long-term half help once no held-out rating shares a second with the input?",
                    ARM_D + LATER_LABEL, ARM_C + LATER_LABEL),
}


NO_REGULARISATION = setting_label(0.0, 0.0)


def _on_plan(record: dict[str, Any], dropout: float | None) -> bool:
    """Is ``record`` a run of the ladder's plan (nine epochs, width 128, seen-item bias) with ``dropout``?"""
    c = record["config"]
    return (dropout is not None and c.get("epochs") == LADDER_EPOCHS and c.get("dim") == 128
            and bool(c.get("seen_bias")) and c.get("dropout") == dropout)


def _user_reg_choice(trials: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The seed-0 trial of the setting :func:`~lessons.casestudy.longterm.user_reg_trials` chooses (one rule for the
    table and the runs), once every setting of :data:`USER_REG_GRID` is in, else ``None``."""
    seed0 = [t for t in trials if t["seed"] == 0 and user_reg_setting(t) in USER_REG_GRID]
    if not seed0:
        return None
    chosen = str(user_reg_trials(seed0)["chosen"].iloc[0])
    return next((t for t in seed0 if setting_label(*user_reg_setting(t)) == chosen), None)


def _ladder_arms(results_dir: Path) -> dict[str, list[dict[str, Any]]]:
    ladder = ladder_records(read_results("ml-1m-like-for-like", results_dir),
                            read_results("ml-1m-like-for-like-tuning", results_dir))
    return {ARM_C: arm_runs(ladder, ARMS[2]), ARM_D: arm_runs(ladder, ARMS[3])}


def _dropout(runs: list[dict[str, Any]]) -> float | None:
    return runs[0]["config"]["dropout"] if runs else None


def user_reg_records(results_dir: Path = RESULTS_DIR) -> list[dict[str, Any]]:
    """The committed ``user-reg-tune`` trials that belong to the comparison: seed 0, the ladder's plan, arm D's
    chosen dropout (none while arm D's grid is incomplete); a trial of another dropout is left out."""
    d = _dropout(_ladder_arms(results_dir)[ARM_D])
    return [t for t in read_results("ml-1m-user-reg-tuning", results_dir) if t["seed"] == 0 and _on_plan(t, d)]


def longterm_runs(results_dir: Path = RESULTS_DIR) -> dict[str, list[dict[str, Any]]]:
    """Every committed run of the comparisons, ``{label: runs in seed order}``: arms C and D of the ladder
    (``full-gru+seen``, ``fused-lstur-gru+seen``); the ``history`` campaign by :func:`run_label`, only runs of the
    ladder's plan with arm C's chosen dropout (the campaign borrows it); and, once its trials are complete and
    validation chose a regularised setting, ``fused-lstur-gru+seen+user-reg`` (the chosen trial as seed 0, then
    the seeds of that setting and arm D's dropout); and arms C and D under the strictly-later protocol (their label
    and :data:`LATER_LABEL`, each with its arm's dropout). Runs of any other setting are left out."""
    out = _ladder_arms(results_dir)
    c_dropout = _dropout(out[ARM_C])
    arm_dropout = {arm: _dropout(runs) for arm, runs in out.items()}
    for r in read_results("ml-1m-later", results_dir):
        arm = run_label(r)
        if arm in arm_dropout and r.get("protocol") == strictly_later.LATER and _on_plan(r, arm_dropout[arm]):
            out.setdefault(arm + LATER_LABEL, []).append(r)
    for r in read_results("ml-1m-history", results_dir):
        if _on_plan(r, c_dropout) and r["config"]["model"] in ("fused-gate-gru", "long"):
            out.setdefault(run_label(r), []).append(r)
    best = _user_reg_choice(user_reg_records(results_dir))
    if best is not None and any(user_reg_setting(best)):
        setting, dropout = user_reg_setting(best), best["config"]["dropout"]
        same = [r for r in read_results("ml-1m-user-reg", results_dir)
                if r["seed"] != 0 and user_reg_setting(r) == setting and _on_plan(r, dropout)]
        out[run_label(best)] = [best, *same]
    return {label: sorted(runs, key=lambda r: r["seed"]) for label, runs in out.items() if runs}


def later_arms(runs: dict[str, list[dict[str, Any]]]) -> dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """``{arm: (runs under the book's protocol, runs under the strictly-later one)}`` for arms C and D, from
    :func:`longterm_runs` (the input of :func:`lessons.evaluation.strictly_later.model_pairs`)."""
    return {arm: (runs.get(arm, []), runs.get(arm + LATER_LABEL, []))
            for arm in (ARM_C, ARM_D)}


def ladder_strata(runs: dict[str, list[dict[str, Any]]], split: SequentialSplit | None = None,
                  n_boot: int = 2000) -> pd.DataFrame:
    """The strata by time (:func:`lessons.evaluation.strata.run_strata`) of arm D (A) against arm C (B), every seed
    of each from :func:`longterm_runs`, on ``split`` (by default ML-1M under the book's protocol)."""
    return run_strata(runs.get(ARM_D, []), runs.get(ARM_C, []), split or load_split("ml-1m"), n_boot=n_boot)


def user_reg_view(trials: list[dict[str, Any]] | None = None, results_dir: Path = RESULTS_DIR) -> pd.DataFrame:
    """The ``user-reg-tune`` trials (by default :func:`user_reg_records` of ``results_dir``): VALIDATION NDCG@10
    (seed 0) per ``(user_dropout, user_l2)`` setting (columns ``mask p, L2 l``) and ``chosen``, the
    validation-best setting (the one :func:`longterm_runs` uses), or ``'pending (k of 6 trials)'`` while the grid
    is incomplete (``'not run'``, and no setting column, before the first trial)."""
    trials = user_reg_records(results_dir) if trials is None else trials
    seed0 = [t for t in trials if t["seed"] == 0 and user_reg_setting(t) in USER_REG_GRID]
    if not seed0:
        return pd.DataFrame({"chosen": ["not run"]}, index=pd.Index(["fused-lstur-gru"], name="design"))
    return user_reg_trials(seed0)  # in grid order; 'pending (k of 6 trials)' until the grid is complete


def question_table(runs: dict[str, list[dict[str, Any]]], user_reg: pd.DataFrame | None = None,
                   metric: str = "ndcg@10", n_boot: int = 2000, min_seeds: int = MIN_SEEDS) -> pd.DataFrame:
    """One row per :data:`QUESTIONS` entry: ``key, question, A, B, seeds`` (shared), ``A − B`` of test ``metric``
    with ``lo``, ``hi`` (paired over users, seed-aware) and ``verdict``: 'helps', 'hurts' or 'no difference shown'
    from ``min_seeds`` shared seeds; ``'too few seeds (k of min_seeds)'`` below; ``'not run'`` when a side has no
    runs or they share no seed. When ``user_reg`` (:func:`user_reg_view`) shows that validation chose no
    regularisation (:data:`NO_REGULARISATION`), the regularised row says so instead of 'not run'."""
    chosen = str(user_reg["chosen"].iloc[0]) if user_reg is not None else None
    rows = []
    for key, (question, a, b) in QUESTIONS.items():
        row: dict[str, Any] = {"key": key, "question": question, "A": a, "B": b, "seeds": 0}
        res = paired_runs(runs[a], runs[b], metric, n_boot=n_boot) if a in runs and b in runs else None
        if res is None:
            chose_none = key == "lstur_reg" and chosen == NO_REGULARISATION
            row["verdict"] = "validation chose no regularisation" if chose_none else "not run"
        else:
            word = verdict(res["lo"], res["hi"], "helps", "hurts", "no difference shown")
            row.update({"seeds": res["seeds"], "A − B": res["diff"], "lo": res["lo"], "hi": res["hi"],
                        "verdict": word if res["seeds"] >= min_seeds else f"too few seeds ({res['seeds']} of "
                                                                          f"{min_seeds})"})
        rows.append(row)
    return pd.DataFrame(rows)


def question_view(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`question_table` to read: ``comparison`` (A − B), ``seeds``, ``difference [95 % interval]`` and
    ``verdict``, indexed by question (a repeated question is left blank)."""
    diff = [f"{signed(r['A − B'])} [{signed(r['lo'])}, {signed(r['hi'])}]" if r["seeds"] else ""
            for _, r in table.iterrows()]
    question = table["question"].where(table["question"] != table["question"].shift(), "")
    return pd.DataFrame({"comparison": (table["A"] + " − " + table["B"]).to_numpy(), "seeds": table["seeds"].to_numpy(),
                         "difference [95 % interval]": diff, "verdict": table["verdict"].to_numpy()},
                        index=pd.Index(question.to_numpy(), name="question"))


def _trials_sentence(trials: pd.DataFrame) -> str:
    """One sentence on the state of the regularisation trials, true in each state: not run, pending, chose none,
    chose a setting."""
    chosen = str(trials["chosen"].iloc[0])
    scores = trials.drop(columns="chosen").iloc[0].dropna().astype(float)
    span = f"{scores.min():.4f} to {scores.max():.4f}" if len(scores) else ""
    if chosen == "not run":
        return "No trial of the user-vector settings has run yet, so the second row has nothing to compare."
    if chosen.startswith("pending"):
        return (f"Of the six user-vector settings, {len(scores)} have run so far (validation NDCG@10 from {span}); "
                "no setting is chosen until all six are in.")
    if chosen == NO_REGULARISATION:
        return (f"Validation chose no regularisation among the six settings (validation NDCG@10 from {span}), so "
                "arm D as it stands is the chosen model and the second row has nothing to compare.")
    return (f"Validation chose {chosen} among the six settings (validation NDCG@10 from {span}). One seed's "
            "validation score made that choice, and the chosen trial is that seed's run, which favours it "
            "slightly (as seed 0 of every ladder arm is favoured); the second row, over five seeds, is what says "
            "whether the choice mattered.")


FINAL_VERDICTS = ("helps", "hurts", "no difference shown", "validation chose no regularisation")


def _unsettled_sentence(table: pd.DataFrame) -> str:
    """What :func:`question_table` leaves open, in a sentence true in each state: the comparisons whose row has no
    final verdict yet (not run, or too few seeds), or that every row has one (from how many seeds at the least)."""
    open_rows = table[~table["verdict"].isin(FINAL_VERDICTS)]
    if open_rows.empty:
        ran = table.loc[table["seeds"] > 0, "seeds"]
        least = f"from {int(ran.min())} seeds or more" if len(ran) else "without runs"
        return f"none of the {len(table)} comparisons; each has its verdict ({least} where it needed runs)."
    names = "; ".join(f"{r['A']} − {r['B']} ({r['verdict']})" for _, r in open_rows.iterrows())
    return (f"{len(open_rows)} of the {len(table)} comparisons still lack a verdict: {names}. Until they are in, "
            "the MovieLens finding about the long-term half speaks only for the rows that carry one.")


def longterm_numbers(table: pd.DataFrame, trials: pd.DataFrame, prefix: str = "ml_lt") -> dict[str, str]:
    """Glue-ready strings: ``<prefix>_<key>`` for each question (``'+0.0012 [-0.0050, +0.0071], no difference
    shown'``, or its verdict alone when it has no difference), ``<prefix>_reg_chosen`` (the setting validation
    chose, or the pending note), ``<prefix>_reg_sentence``, a sentence on the state of the trials
    (:func:`user_reg_view`) that is true in each state, and ``<prefix>_unsettled``, the comparisons still open."""
    out = {f"{prefix}_unsettled": _unsettled_sentence(table)}
    for _, r in table.iterrows():
        out[f"{prefix}_{r['key']}"] = (f"{signed(r['A − B'])} [{signed(r['lo'])}, {signed(r['hi'])}], {r['verdict']}"
                                       if r["seeds"] else r["verdict"])
    out[f"{prefix}_reg_chosen"] = str(trials["chosen"].iloc[0])
    out[f"{prefix}_reg_sentence"] = _trials_sentence(trials)
    return out
