"""Strong simple baselines for next-item prediction: popularity (plain and recency-weighted), Markov-1,
sequential item-kNN, BPR-MF and EASE.

Every baseline follows one small interface (:mod:`~lessons.baselines.base`), so the case-study models and the
baselines are scored by exactly the same code on exactly the same :class:`lessons.data.split.SequentialSplit`:
:func:`per_user_ranks` gives the full-ranking ranks, :func:`lessons.evaluation.metrics.evaluate` the metrics.
Modules: :mod:`~lessons.baselines.models` (the models and their grids), :mod:`~lessons.baselines.tuning`
(validation grid search, the test run and its results file), :mod:`~lessons.baselines.analysis` (the chapter's
analyses) and the command line ``python -m lessons.baselines run --dataset ml-1m``.
"""

# Re-exports, packed a few names a line so that the lists stay short.
# isort: off
from lessons.baselines.analysis import default_models, fit_from_record, popular_items_already_seen, recovery_table
from lessons.baselines.analysis import mask_table, results_table, sampled_vs_full, seen_in_top_k
from lessons.baselines.base import Baseline, per_user_ranks
from lessons.baselines.models import BASELINES, BPRMF, EASE, GRIDS, Markov1, Popularity, RecentPopularity
from lessons.baselines.models import SequentialKNN
from lessons.baselines.tuning import SELECT_BY, load_results, results_path, run, tune
# isort: on

__all__ = [
    "Baseline", "Popularity", "RecentPopularity", "Markov1", "SequentialKNN", "BPRMF", "EASE", "BASELINES", "GRIDS",
    "SELECT_BY",
    "per_user_ranks", "tune", "run", "results_path", "load_results", "results_table", "mask_table", "fit_from_record",
    "sampled_vs_full", "popular_items_already_seen", "seen_in_top_k", "default_models", "recovery_table",
]
