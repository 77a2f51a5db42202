"""What a campaign cost: time per epoch, time per run, peak memory and precision, read from committed records.

Every training record stores ``train_seconds``, ``epochs_run``, ``peak_rss_mb`` (the process's peak resident
memory) and its ``config`` (``threads``, ``precision``). :func:`run_costs` lays them out per campaign file and run
label, so that a reader can check a budget (say, 15 minutes and 2 GB per run) against what was measured. The times
are those of the machine that ran them, with whatever else ran beside it: printed, never asserted.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from lessons.evaluation.compare import run_label
from lessons.evaluation.results import RESULTS_DIR, read_results, run_identity

__all__ = ["run_costs"]


def run_costs(files: Sequence[str], results_dir: Path = RESULTS_DIR) -> pd.DataFrame:
    """One row per ``(file, run label, width)`` of the committed training records in ``files``
    (``results/<name>.jsonl``; missing files are skipped): ``runs``, ``s/epoch`` (mean of ``train_seconds /
    epochs_run``), ``max minutes`` (the longest run's training time), ``max peak MiB`` (the largest peak RSS),
    ``threads`` and ``precision`` (the distinct values, comma-separated). Records without ``train_seconds`` (the
    baselines) are left out, and so is a run already counted in an earlier file (a chosen trial copied into a
    campaign's seeds file ran once). ``ValueError`` if a record ran zero epochs."""
    rows, seen = [], set()
    for name in files:
        for r in read_results(name, results_dir):
            if "train_seconds" not in r or "config" not in r or run_identity(r) in seen:
                continue
            seen.add(run_identity(r))
            if not r.get("epochs_run"):
                raise ValueError(f"{name}.jsonl: a run of seed {r.get('seed')} has epochs_run "
                                 f"{r.get('epochs_run')!r}; expected at least 1")
            c = r["config"]
            rows.append({"file": name, "run": run_label({**r, "model": c["model"]}), "width": c.get("dim"),
                         "s/epoch": r["train_seconds"] / r["epochs_run"], "minutes": r["train_seconds"] / 60,
                         "peak MiB": r.get("peak_rss_mb", np.nan), "threads": str(c.get("threads")),
                         "precision": str(c.get("precision", "fp32"))})
    if not rows:
        return pd.DataFrame(columns=["file", "run", "width", "runs", "s/epoch", "max minutes", "max peak MiB",
                                     "threads", "precision"])
    frame = pd.DataFrame(rows)
    distinct = lambda s: ", ".join(sorted(set(s)))  # noqa: E731
    return frame.groupby(["file", "run", "width"], sort=False, dropna=False).agg(
        runs=("s/epoch", "size"), **{"s/epoch": ("s/epoch", "mean"), "max minutes": ("minutes", "max"),
                                      "max peak MiB": ("peak MiB", "max")},
        threads=("threads", distinct), precision=("precision", distinct)).reset_index()
