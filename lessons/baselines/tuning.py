"""Tuning the baselines on validation, one test evaluation, and the results file it writes.

Command line (tunes on validation, evaluates on test once, writes ``results/baselines-<dataset>.jsonl``)::

    nice python -m lessons.baselines run --dataset ml-1m
"""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lessons.baselines.base import Baseline, check_split, per_user_ranks
from lessons.baselines.models import BASELINES, BPRMF, GRIDS, SequentialKNN
from lessons.checks import check_number
from lessons.data.split import SequentialSplit, load_split
from lessons.evaluation.metrics import evaluate
from lessons.evaluation.results import append_record, check_writable, provenance, read_records, results_file

__all__ = ["SELECT_BY", "tune", "run", "results_path", "load_results"]

#: Model selection criterion on validation.
SELECT_BY = "ndcg@10"


def _grid_points(grid: dict[str, list]) -> list[dict[str, Any]]:
    keys = list(grid)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*(grid[k] for k in keys))]


def tune(name: str, split: SequentialSplit, grid: dict[str, list] | None = None, seed: int = 0,
         log: Callable[[str], Any] | None = None, return_model: bool = False, mask_seen: bool = False) -> tuple:
    """Grid search of baseline ``name`` on the *validation* stage by :data:`SELECT_BY` (NDCG@10), with the hard
    seen-mask when ``mask_seen`` (the mask is part of the model, so it is tuned with it).

    Returns ``(best_params, trials)`` where each trial is ``{"params": .., "valid": {metric: value}}``, and
    with ``return_model`` also the best model, fitted for ``"valid"``: ``(best_params, trials, model)``.
    For BPR the ``epochs`` list is read as checkpoints of one training run per (factors, reg).
    """
    if name not in BASELINES:
        raise ValueError(f"name must be one of {list(BASELINES)}, got {name!r}")
    grid = GRIDS[name] if grid is None else grid
    trials: list[dict[str, Any]] = []
    best_model: list[Baseline] = []

    def record(params: dict[str, Any], model: Baseline) -> None:
        res = evaluate(per_user_ranks(model, split, "valid", mask_seen=mask_seen))
        if not trials or res[SELECT_BY] > max(t["valid"][SELECT_BY] for t in trials):
            snapshot = copy.copy(model)  # BPR's P_, Q_ are new arrays each epoch; kNN's decay is a float
            if isinstance(snapshot, BPRMF):
                snapshot.epochs = params["epochs"]
            best_model[:] = [snapshot]
        trials.append({"params": params, "valid": {k: v for k, v in res.items() if k != "n_users"}})
        if log:
            log(f"  {name} {params} valid {SELECT_BY}={res[SELECT_BY]:.4f}")

    if name == "bpr":
        checkpoints = sorted(grid.get("epochs", [20]))
        base = {k: v for k, v in grid.items() if k != "epochs"}
        for point in _grid_points(base):
            model = BPRMF(**point, epochs=max(checkpoints), seed=seed)
            model.fitted_stage = "valid"
            for epoch in model.train_epochs(split, split.history("valid")):
                if epoch in checkpoints:
                    record({**model.params(), "epochs": epoch}, model)
    elif name == "sknn" and "decay" in grid:
        # the similarity matrix does not depend on the decay: fit once per (window, neighbours, ...)
        base = {k: v for k, v in grid.items() if k != "decay"}
        for point in _grid_points(base):
            model = SequentialKNN(**point).fit(split, "valid")
            for decay in grid["decay"]:
                model.decay = float(SequentialKNN(decay=decay).decay)  # validated
                record({**point, "decay": model.decay}, model)
    else:
        for point in _grid_points(grid):
            model = BASELINES[name](**point)
            model.fit(split, "valid")
            record({**point}, model)
    if not trials:
        raise ValueError(f"grid for {name} produced no trial: {grid!r}")
    best = max(trials, key=lambda t: t["valid"][SELECT_BY])
    if return_model:
        return dict(best["params"]), trials, best_model[0]
    return dict(best["params"]), trials


def results_path(dataset: str) -> Path:
    """``results/baselines-<dataset>.jsonl`` in the repository."""
    return results_file(f"baselines-{dataset}")


def load_results(dataset: str, masked: bool = False) -> list[dict[str, Any]]:
    """The records written by ``python -m lessons.baselines run --dataset <dataset>``: the book's protocol (no
    mask), or with ``masked`` those run with the hard seen-mask (``--mask-seen``; labelled ``<name>+mask``)."""
    return [r for r in read_records(results_path(dataset)) if bool(r.get("mask_seen", False)) == masked]


def run(dataset: str, names: Sequence[str] = tuple(BASELINES), seed: int = 0, out: Path | None = None,
        split: SequentialSplit | None = None, grids: dict[str, dict[str, list]] | None = None,
        log: Callable[[str], Any] = print, mask_seen: bool = False, protocol: str = "recbole") -> list[dict[str, Any]]:
    """Tune every baseline in ``names`` on validation, refit on train + validation with the chosen
    hyper-parameters, evaluate once on test, and append one JSON line per baseline to ``out`` (default
    :func:`results_path`) as soon as it is done. Nothing is ever rewritten: a rerun of the same baseline, grid
    and seed supersedes the older record when the file is read (:func:`~lessons.evaluation.results.read_records`),
    and the other baselines' records stay. ``out`` is checked writable and the arguments valid before any data
    load. ``mask_seen``: tune and evaluate with the hard seen-mask (records carry ``"mask_seen": true`` and the
    label ``<name>+mask``). ``protocol``: the MovieLens filtering of :func:`lessons.data.split.load_split` (ignored
    when ``split`` is given). Returns the records."""
    check_number("seed", seed, low=0, integer=True)
    for name in names:
        if name not in BASELINES:
            raise ValueError(f"names must be among {list(BASELINES)}, got {name!r}")
    out = check_writable(results_path(dataset) if out is None else Path(out))
    split = load_split(dataset, protocol) if split is None else check_split(split)
    grids = GRIDS if grids is None else grids
    records = []
    for name in names:
        log(f"[{dataset}] tuning {name}")
        t0 = time.perf_counter()
        best, trials, valid_model = tune(name, split, grids.get(name, {}), seed=seed, log=log,
                                         return_model=True, mask_seen=mask_seen)
        tune_seconds = time.perf_counter() - t0
        kwargs = {**best, "seed": seed} if name == "bpr" else best
        # the tuned model itself on validation; refit on train + validation for test
        valid = evaluate(per_user_ranks(valid_model, split, "valid", mask_seen=mask_seen), ci=True, seed=seed)
        test_model = BASELINES[name](**kwargs).fit(split, "test")
        test_ranks = per_user_ranks(test_model, split, "test", mask_seen=mask_seen)
        test = evaluate(test_ranks, ci=True, seed=seed)
        log(f"[{dataset}] {name} {best}: valid ndcg@10={valid['ndcg@10']:.4f} test hr@10={test['hr@10']:.4f} "
            f"ndcg@10={test['ndcg@10']:.4f} (fit {test_model.fit_seconds:.1f}s)")
        records.append({
            "dataset": split.dataset, "protocol": split.protocol, "baseline": name, "mask_seen": mask_seen,
            "label": f"{name}+mask" if mask_seen else name, "test_ranks": test_ranks.astype(int).tolist(),
            "n_users": split.n_users, "n_items": split.n_items, "max_len": split.max_len,
            "params": test_model.params(), "grid": grids.get(name, {}), "select_by": f"valid {SELECT_BY}",
            "trials": trials, "valid": valid, "test": test,
            "test_fit": "refit on train + validation items with the chosen hyper-parameters",
            "fit_seconds": test_model.fit_seconds, "tune_seconds": tune_seconds, "seed": seed,
            "bootstrap": {"n_boot": 1000, "level": 0.95, "unit": "user"},
            "command": f"python -m lessons.baselines run --dataset {dataset}" + (" --mask-seen" if mask_seen else "")
            + ("" if split.protocol == "recbole" else f" --protocol {split.protocol}"),
            **provenance(),
        })
        append_record(out, records[-1])
    return records
