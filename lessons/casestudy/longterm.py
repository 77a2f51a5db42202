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

from lessons.casestudy.numbers import SIM_EPOCHS, SIM_MODELS, SIM_SOURCES
from lessons.data.simulate import simulate
from lessons.evaluation.compare import paired_groups, rank_matrix, verdict
from lessons.evaluation.metrics import per_user_metric
from lessons.evaluation.results import RESULTS_DIR

PRESETS: tuple[str, ...] = ("news", "music")


def simulator_ranks(preset: str, results_dir: Path = RESULTS_DIR) -> dict[str, np.ndarray]:
    """``{model: (n_seeds, n_users)}`` test ranks of the simulator campaign on ``preset`` (its one plan)."""
    return rank_matrix(f"sim-{preset}", list(SIM_MODELS), results_dir, epochs=SIM_EPOCHS)


def simulator_table(presets: Sequence[str] = PRESETS, metric: str = "hr@10",
                    results_dir: Path = RESULTS_DIR) -> pd.DataFrame:
    """Test ``metric`` per preset, model and true source of the held-out event (mean over seeds and users).

    Columns: ``preset, model, seeds``, one column per source of :data:`SIM_SOURCES` (blank where a preset has no
    such event) and ``all``; :func:`source_counts` says how many users each cell averages. Models without runs are
    left out; an empty frame if nothing is committed.
    """
    rows = []
    for preset in presets:
        source = simulate(preset, seed=0).target_source("test")
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
        source = simulate(preset, seed=0).target_source("test")
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
    cell = pairs.assign(text=[f"{d:+.3f} [{lo:+.3f}, {hi:+.3f}] {v}" for d, lo, hi, v in
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
        out[key] = f"{r['model − reference']:+.3f} [{r['lo']:+.3f}, {r['hi']:+.3f}], {r['verdict']}"
    return out


__all__ = ["PRESETS", "simulator_ranks", "simulator_table", "source_counts", "simulator_pairs", "pairs_wide",
           "pair_numbers"]
