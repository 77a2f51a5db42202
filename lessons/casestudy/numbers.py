"""The tables and numbers of the models chapter (``notebooks/models_short_long_fused.ipynb``), from ``results/``.

:func:`chapter_tables` computes every table the chapter shows once; :func:`key_numbers` turns them into the
numbers its prose glues (``cs_*`` names), so the notebook shows tables and glues ``key_numbers(tables)`` in one
loop. Every headline is chosen on VALIDATION (:func:`lessons.evaluation.compare.headline_row`); runs of one model
under different plans (epochs, time cap) are never averaged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lessons.casestudy.report import load_baselines, load_runs, seen_bias_table, summarize_runs, versus_leaderboard
from lessons.data.simulate import simulate
from lessons.data.split import load_split
from lessons.evaluation.compare import (
    best_on_validation,
    group_table,
    headline_row,
    matching_records,
    paired_difference,
    paired_groups,
    rank_matrix,
    tercile_names,
    verdict,
)
from lessons.evaluation.results import read_records, results_file

#: The five designs, in the chapter's order (GRU cells; ``long`` has none).
DESIGNS: tuple[str, ...] = ("short-gru", "full-gru", "long", "fused-lstur-gru", "fused-gate-gru")
#: The simulator campaign (benchmarks/run_simulator.sh): its plan and its models, in the table's order.
SIM_EPOCHS = 30
SIM_MODELS: tuple[str, ...] = ("short-gru", "full-gru", "full-gru+seen", "long", "fused-lstur-gru", "fused-gate-gru")
SIM_PLANS = {"sim-news": SIM_EPOCHS, "sim-music": SIM_EPOCHS}
#: The three ML-1M campaigns (label -> results file name) compared in the chapter.
CAMPAIGNS: dict[str, str] = {"first pass": "ml-1m-first-pass", "two at a time": "ml-1m-pairs",
                             "this table": "ml-1m"}
SIM_SOURCES: tuple[str, ...] = ("long-term taste", "burst", "repeat")

__all__ = ["DESIGNS", "CAMPAIGNS", "campaign_runs", "campaign_table", "chapter_tables",
           "key_numbers"]


def campaign_runs() -> pd.DataFrame:
    """The runs of the three ML-1M campaigns (:func:`lessons.casestudy.report.load_runs` rows with a
    ``campaign`` column and ``seconds per epoch``), campaigns in :data:`CAMPAIGNS` order."""
    runs_all = pd.concat([load_runs(f).assign(campaign=c) for c, f in CAMPAIGNS.items()], ignore_index=True)
    runs_all["seconds per epoch"] = 60 * runs_all["train_minutes"] / runs_all["epochs_run"]
    return runs_all


def campaign_table(runs_all: pd.DataFrame) -> pd.DataFrame:
    """One row per (campaign, model, planned epochs) of :func:`campaign_runs`: seeds, width, epochs run, seconds
    per epoch, mean test HR@10 and NDCG@10, and ``clock_cut``: how many of the seeds the wall-clock cap stopped
    (not exactly reproducible; rerunning ML-1M campaigns takes hours, so they are marked, not rerun)."""
    return runs_all.groupby(["campaign", "model", "planned_epochs"], sort=False).agg(
        seeds=("seed", "size"), clock_cut=("clock_cut", "sum"), dim=("dim", "first"), epochs_run=("epochs_run", "mean"),
        seconds_per_epoch=("seconds per epoch", "mean"), hr10=("test_hr@10", "mean"), ndcg10=("test_ndcg@10", "mean"))


def leaderboard_table(best: pd.Series, width: int = 128, best_any: pd.Series | None = None) -> pd.DataFrame:
    """Our headline row (and the best row on test, if another) next to RecBole's published rows, with what was
    NOT held equal as columns: seen-item bias, width, parameters, training plan, runs averaged.

    best, best_any: :func:`summarize_runs` rows. RecBole's rows: :data:`lessons.casestudy.report.RECBOLE_ML1M`."""
    from lessons.casestudy.report import RECBOLE_ML1M

    def ours(row: pd.Series, label: str) -> dict[str, Any]:
        return {"row": f"{row['model']} ({label})", "HR@10": row["test_hr@10_mean"],
                "NDCG@10": row["test_ndcg@10_mean"], "MRR@10": row["test_mrr@10_mean"],
                "seen-item bias": "learned β" if row["model"].endswith("+seen") else "none", "width": width,
                "parameters": f"{row['n_parameters']:,.0f}",
                "training": f"{row['planned_epochs']:.0f} epochs, ≤ {row['budget_minutes']:.0f} min",
                "runs averaged": int(row["seeds"])}

    rows = [ours(best, "headline, chosen on validation")]
    if best_any is not None and best_any["model"] != best["model"]:
        rows.append(ours(best_any, "best on test"))
    for name, m in RECBOLE_ML1M.items():
        rows.append({"row": f"RecBole {name}", "HR@10": m["hr@10"], "NDCG@10": m["ndcg@10"], "MRR@10": m["mrr@10"],
                     "seen-item bias": "repeat/explore switch" if name.startswith("RepeatNet") else "none",
                     "width": 64, "parameters": f"{m['parameters']:,}",
                     "training": "≤ 500 epochs, early stopping", "runs averaged": 1})
    return pd.DataFrame(rows)


def pairs_against_reference(dataset: str, summary: pd.DataFrame, metric: str = "ndcg@10") -> pd.DataFrame:
    """Every model of ``summary`` (:func:`summarize_runs` rows) against a reference chosen without test numbers:
    among the models with the most seeds, the best mean VALIDATION ``metric``. Paired and seed-aware
    (:func:`paired_difference`). Columns: ``reference, model, seeds``, both test means, ``reference − model``,
    ``lo, hi``, ``verdict`` (the reference is 'ahead' of, 'behind' or 'not distinguishable' from the model)."""
    most = summary[summary["seeds"] == summary["seeds"].max()]
    ref = most.sort_values(f"valid_{metric}_mean", ascending=False).iloc[0]["model"]
    rows = []
    for _, row in summary.iterrows():
        if row["model"] == ref:
            continue
        pair = paired_difference(dataset, ref, row["model"], metric)
        rows.append({"reference": ref, "model": row["model"], "seeds": f"{pair['seeds A']} vs {pair['seeds B']}",
                     f"test {metric} (reference)": pair[f"{metric} A"], f"test {metric} (model)": pair[f"{metric} B"],
                     "reference − model": pair["A − B"], "lo": pair["95% CI low"], "hi": pair["95% CI high"],
                     "verdict": verdict(pair["95% CI low"], pair["95% CI high"], "ahead", "behind",
                                        "not distinguishable")})
    return pd.DataFrame(rows)


def chapter_tables() -> dict[str, Any]:
    """Every table the models chapter shows, computed once: ML-1M runs, summary and headline row, the campaigns,
    user groups and the paired headline comparison, the ML-100k ablation and groups, the simulator groups and the
    seen-item bias table."""
    t: dict[str, Any] = {"runs_1m": load_runs("ml-1m")}
    t["summary_1m"] = summarize_runs(t["runs_1m"])
    t["best"] = headline_row(t["summary_1m"])  # fused rows with the most seeds, best on VALIDATION
    t["top"], t["top_plan"] = t["best"]["model"], int(t["best"]["planned_epochs"])
    t["vs_recbole"] = leaderboard_table(t["best"], best_any=t["summary_1m"].iloc[0])
    t["runs_all"] = campaign_runs()
    t["by_campaign"] = campaign_table(t["runs_all"])
    t["groups1m"], t["names1m"] = tercile_names(load_split("ml-1m"))
    seen_designs = [f"{m}+seen" for m in DESIGNS]
    t["groups_1m"] = group_table(rank_matrix("ml-1m-pairs", seen_designs), t["groups1m"], t["names1m"])
    t["headline"] = [t["top"], "full-gru+seen"]
    t["pair_top"] = paired_difference("ml-1m", *t["headline"], epochs=t["top_plan"])
    t["groups_top"] = group_table(rank_matrix("ml-1m", t["headline"], epochs=t["top_plan"]), t["groups1m"],
                                  t["names1m"])
    runs_100k = load_runs("ml-100k")
    t["runs_100k"] = runs_100k[~runs_100k["model"].str.endswith("+seen")]  # the five designs as they are
    t["summary_100k"] = summarize_runs(t["runs_100k"])
    t["groups100k"], names = tercile_names(load_split("ml-100k"))
    t["groups_100k"] = group_table(rank_matrix("ml-100k", list(DESIGNS)), t["groups100k"], names)
    t["pairs_100k"] = pairs_against_reference("ml-100k", t["summary_100k"])
    t["seen_table"] = seen_bias_table(["ml-1m-pairs", "ml-100k", "sim-news", "sim-music"], plans=SIM_PLANS)
    return t


def _headline_numbers(t: dict[str, Any]) -> dict[str, Any]:
    """The ML-1M headline: the fused row chosen on validation, the best row on test, the leaderboard."""
    runs_1m, summary_1m, best, top, top_plan = (t[k] for k in ("runs_1m", "summary_1m", "best", "top", "top_plan"))
    hr, ndcg = best["test_hr@10_mean"], best["test_ndcg@10_mean"]
    out: dict[str, Any] = {
        "cs_1m_top": top, "cs_1m_top_plan": {9: "nine", 12: "twelve"}.get(top_plan, str(top_plan)),
        "cs_1m_top_seeds": int(best["seeds"]), "cs_1m_top_hr": f"{hr:.4f} ± {best['test_hr@10_sd']:.4f}",
        "cs_1m_top_ndcg": f"{ndcg:.4f} ± {best['test_ndcg@10_sd']:.4f}",
        "cs_1m_top_minutes": f"{best['train_minutes']:.1f}", "cs_1m_top_epochs": f"{best['epochs_run']:.3g}",
        "cs_1m_runs": len(runs_1m)}
    best_any = summary_1m.iloc[0]  # summarize_runs sorts by mean test NDCG@10
    out.update({"cs_1m_best_any": best_any["model"], "cs_1m_best_any_ndcg": f"{best_any['test_ndcg@10_mean']:.4f}",
                "cs_1m_best_any_hr": f"{best_any['test_hr@10_mean']:.4f}",
                "cs_1m_best_any_plan": f"{best_any['planned_epochs']:.0f}"})
    vs_any = versus_leaderboard(best_any["test_hr@10_mean"], best_any["test_ndcg@10_mean"]).set_index("row")
    rn = vs_any.loc["RepeatNet (best row)"]
    out["cs_1m_best_any_vs"] = f"{rn['ΔHR@10']:+.4f} in HR@10 and {rn['ΔNDCG@10']:+.4f} in NDCG@10"
    out["cs_1m_best_any_seeds"] = int(best_any["seeds"])
    out["cs_1m_max_rss"] = f"{runs_1m['peak_rss_mb'].max():.0f}"
    vs = versus_leaderboard(hr, ndcg).set_index("row")
    for key, row in (("gru4rec", "GRU4Rec"), ("sasrec", "SASRec"), ("best", "RepeatNet (best row)")):
        out[f"cs_1m_d_{key}_hr"] = f"{vs.loc[row, 'ΔHR@10']:+.4f}"
        out[f"cs_1m_d_{key}_ndcg"] = f"{vs.loc[row, 'ΔNDCG@10']:+.4f}"
    reached = vs.loc["GRU4Rec", "ΔHR@10"] >= 0 and vs.loc["GRU4Rec", "ΔNDCG@10"] >= 0
    out["cs_1m_target"] = "reaches" if reached else "does not reach"
    top_runs = runs_1m[(runs_1m["model"] == top) & (runs_1m["planned_epochs"] == top_plan)]
    for m in ("hr", "ndcg"):  # half-width of one run's 95 % interval over test users
        out[f"cs_1m_ci_{m}"] = f"{((top_runs[f'test_{m}@10_hi'] - top_runs[f'test_{m}@10_lo']) / 2).mean():.4f}"
    # is the gap to GRU4Rec's row inside one run's interval over users? (the prose reads this word)
    ci_hr = float(((top_runs["test_hr@10_hi"] - top_runs["test_hr@10_lo"]) / 2).mean())
    out["cs_1m_margin_word"] = "smaller than" if abs(vs.loc["GRU4Rec", "ΔHR@10"]) < ci_hr else "larger than"
    base_1m = load_baselines("ml-1m").set_index("model")
    bb = base_1m["test_hr@10"].idxmax()
    out.update({"cs_1m_base_name": bb, "cs_1m_base_hr": f"{base_1m.loc[bb, 'test_hr@10']:.4f}",
                "cs_1m_base_gain": f"{hr / base_1m.loc[bb, 'test_hr@10'] - 1:+.0%}"})
    return out


def _campaign_numbers(t: dict[str, Any]) -> dict[str, Any]:
    """Pace and results across the campaigns, the dropout tuning, nine against twelve epochs."""
    runs_1m, summary_1m, top, top_plan = (t[k] for k in ("runs_1m", "summary_1m", "top", "top_plan"))
    bc = t["by_campaign"].sort_index()
    first = t["runs_all"][t["runs_all"]["campaign"] == "first pass"]
    out: dict[str, Any] = {"cs_1m_first_best_hr": f"{first['test_hr@10'].max():.4f}",
                           "cs_1m_targets": f"{int(runs_1m['n_train_targets'].iloc[0]):,}"}
    pairs_top = bc.loc[("two at a time", top)].iloc[0]  # one plan (six epochs) in that campaign
    pace = bc.loc[("this table", top, top_plan), "seconds_per_epoch"]
    out.update({"cs_1m_pace_pairs": f"{pairs_top['seconds_per_epoch']:.0f}", "cs_1m_pace_solo": f"{pace:.0f}",
                "cs_1m_pairs_top_ndcg": f"{pairs_top['ndcg10']:.4f}"})
    tuning = matching_records(read_records(results_file("ml-1m-tuning")), threads=2,
                              model="fused-gate-gru")  # this table's settings, not the earlier campaign's
    out["cs_1m_tuning"] = ", ".join(f"{r['config']['dropout']:g} → {r['valid']['ndcg@10']:.4f}" for r in tuning)
    out["cs_1m_dropout"] = f"{best_on_validation(tuning)['config']['dropout']:g}"
    # nine against twelve epochs for the top design: the decision (seed 0, validation), then all seeds
    plans = summary_1m[summary_1m["model"] == top].set_index("planned_epochs").sort_index()
    for key, col in (("valid", "valid_ndcg@10_mean"), ("ndcg", "test_ndcg@10_mean"), ("hr", "test_hr@10_mean")):
        out[f"cs_1m_longer_{key}"] = " → ".join(f"{v:.4f}" for v in plans[col])
    seed0 = runs_1m[(runs_1m["model"] == top) & (runs_1m["seed"] == 0)].set_index("planned_epochs").sort_index()
    out["cs_1m_sixteen"] = f"{16 * pace / 60:.0f}"
    out["cs_1m_pace_nine"] = f"{bc.loc[('this table', top, 9), 'seconds_per_epoch']:.0f}"
    top_runs = runs_1m[(runs_1m["model"] == top) & (runs_1m["planned_epochs"] == top_plan)]
    early = top_runs[top_runs["epochs_run"] < top_plan].iloc[0]  # the run that early stopping ended
    out["cs_1m_early"] = (f"seed {early['seed']} peaked at epoch {early['best_epoch']} and was stopped at "
                          f"{early['epochs_run']}")
    out["cs_1m_longer_seed0"] = " → ".join(f"{v:.4f}" for v in seed0["valid_ndcg@10"])
    return out


def _seen_bias_numbers(t: dict[str, Any]) -> dict[str, Any]:
    """What the seen-item bias learned on ML-1M and what it bought, and beta on every data set."""
    seen = seen_bias_table(["ml-1m", "ml-1m-pairs"]).set_index("dataset")
    beta, gain = seen.loc["ml-1m"], seen.loc["ml-1m-pairs"]
    out: dict[str, Any] = {
        "cs_1m_beta_range": f"{beta['beta min']:.2f} and {beta['beta max']:.2f}", "cs_1m_beta_n": int(beta["runs"]),
        "cs_1m_beta_factor": f"{np.exp(beta['beta mean']):.2f}", "cs_1m_seen_gain": f"{abs(gain['gain']):.4f}",
        "cs_1m_seen_verb": "beats" if gain["gain"] > 0 else "trails",
        "cs_1m_seen_ci": f"[{gain['gain lo']:+.4f}, {gain['gain hi']:+.4f}]",
        "cs_1m_seen_rel": f"{gain['gain'] / gain['without bias']:+.0%}"}
    for dataset, row in t["seen_table"].set_index("dataset").iterrows():
        out[f"cs_beta_{dataset.removesuffix('-pairs').replace('-', '_')}"] = f"{row['beta mean']:+.2f}"
    return out


def _group_numbers(t: dict[str, Any]) -> dict[str, Any]:
    """Who wins in each ML-1M length tercile, and the paired headline comparison (overall and per tercile)."""
    words = []
    pairs_ranks = rank_matrix("ml-1m-pairs", [f"{m}+seen" for m in DESIGNS])
    for group, sub in t["groups_1m"].groupby("group", sort=False):
        first, second = sub.sort_values("mean", ascending=False).iloc[:2].to_dict("records")
        g = list(t["names1m"]).index(group)
        sel = t["groups1m"] == g
        diff = paired_groups(pairs_ranks[first["model"]][:, sel], pairs_ranks[second["model"]][:, sel],
                             np.zeros(int(sel.sum()), dtype=int), [group]).iloc[0]
        words.append(f"{group}: {first['model']} ({first['mean']:.4f}) "
                     f"{verdict(diff['lo'], diff['hi'], 'ahead of', 'behind', 'not distinguishable from')} "
                     f"{second['model']} ({second['mean']:.4f}; paired difference {diff['A − B']:+.4f} "
                     f"[{diff['lo']:+.4f}, {diff['hi']:+.4f}])")
    pair, headline, plan = t["pair_top"], t["headline"], t["top_plan"]
    lo, hi = pair["95% CI low"], pair["95% CI high"]
    word = verdict(lo, hi, "measurably better than", "measurably worse than", "not distinguishable from")
    by_row = t["summary_1m"].set_index(["model", "planned_epochs"])
    top_ranks = rank_matrix("ml-1m", headline, epochs=plan)
    side = paired_groups(top_ranks[headline[0]], top_ranks[headline[1]], t["groups1m"], t["names1m"])
    return {
        "cs_1m_groups_summary": "; ".join(words), "cs_1m_lt_diff": f"{pair['A − B']:+.4f}",
        "cs_1m_lt_ci": f"[{lo:+.4f}, {hi:+.4f}]", "cs_1m_lt_verdict": word,
        "cs_1m_lt_params": " to ".join(f"{by_row['n_parameters'][(m, plan)]:,.0f}" for m in headline[::-1]),
        "cs_1m_lt_valid": " against ".join(f"{by_row['valid_ndcg@10_mean'][(m, plan)]:.4f}" for m in headline),
        "cs_1m_lt_groups": "; ".join(f"{r['group']}: {r['A']:.4f} against {r['B']:.4f}, paired difference "
                                     f"{r['A − B']:+.4f} [{r['lo']:+.4f}, {r['hi']:+.4f}]"
                                     for _, r in side.iterrows())}


def _ml100k_numbers(t: dict[str, Any]) -> dict[str, Any]:
    """The ML-100k ablation of the five designs, its baselines, its length terciles."""
    s, runs_100k = t["summary_100k"].set_index("model"), t["runs_100k"]
    out: dict[str, Any] = {f"cs_100k_{m.replace('-', '_')}": f"{s.loc[m, 'test_ndcg@10_mean']:.4f}"
                           if m in s.index else "n/a" for m in DESIGNS}
    out["cs_100k_best"] = s.index[0]
    seq = s.drop(index=[m for m in s.index if m == "long"])
    out["cs_100k_seq_spread"] = f"{seq['test_ndcg@10_mean'].max() - seq['test_ndcg@10_mean'].min():.4f}"
    r0 = runs_100k[runs_100k["model"] == s.index[0]].iloc[0]
    out["cs_100k_ci_width"] = f"{r0['test_ndcg@10_hi'] - r0['test_ndcg@10_lo']:.4f}"
    base = load_baselines("ml-100k").set_index("model")
    best_base = base["test_hr@10"].idxmax()
    out.update({"cs_100k_base_name": best_base, "cs_100k_base_hr": f"{base.loc[best_base, 'test_hr@10']:.4f}",
                "cs_100k_markov_hr": f"{base.loc['markov1', 'test_hr@10']:.4f}",
                "cs_100k_pop_hr": f"{base.loc['popularity', 'test_hr@10']:.4f}",
                "cs_100k_best_hr": f"{s['test_hr@10_mean'].max():.4f}",
                "cs_100k_long_hr": f"{s.loc['long', 'test_hr@10_mean']:.4f}" if "long" in s.index else "n/a"})
    out["cs_100k_base_verdict"] = "above" if base.loc[best_base, "test_hr@10"] > s["test_hr@10_mean"].max() else "below"
    out["cs_100k_group_size"] = int(np.bincount(t["groups100k"]).min())
    pairs = t["pairs_100k"]
    out["cs_100k_reference"] = pairs["reference"].iloc[0] if len(pairs) else "n/a"
    seq_pairs = pairs[pairs["model"] != "long"]
    out["cs_100k_seq_ahead"] = int((seq_pairs["verdict"] == "ahead").sum())
    out["cs_100k_seq_others"] = len(seq_pairs)
    g_full = t["groups_100k"][t["groups_100k"]["model"] == "full-gru"].set_index("group")["mean"]
    out.update({"cs_100k_g_short": f"{g_full.iloc[0]:.4f}", "cs_100k_g_long": f"{g_full.iloc[-1]:.4f}",
                "cs_100k_g_word": "higher" if g_full.iloc[0] > g_full.iloc[-1] else "lower"})
    return out


def _simulator_numbers(t: dict[str, Any]) -> dict[str, Any]:
    """How many test targets are repeats on each simulated preset (the simulator's evidence itself is in
    :mod:`lessons.casestudy.longterm`)."""
    out: dict[str, Any] = {}
    for preset in ("news", "music"):
        src = simulate(preset, seed=0).target_source("test")
        out[f"cs_repeat_share_{preset}"] = f"{np.mean(src == 2):.0%}"
    return out


def key_numbers(tables: dict[str, Any]) -> dict[str, Any]:
    """Every number the models chapter glues, by glue name, from :func:`chapter_tables`."""
    out: dict[str, Any] = {}
    for part in (_headline_numbers, _campaign_numbers, _seen_bias_numbers, _group_numbers, _ml100k_numbers,
                 _simulator_numbers):
        out.update(part(tables))
    return out
