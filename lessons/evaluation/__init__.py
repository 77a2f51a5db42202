"""Part III evaluation: the metric formulas, the results store, fair comparisons.

:mod:`~lessons.evaluation.metrics` holds THE metric formulas (full ranking with pessimistic ties, HR/NDCG/MRR@K,
bootstrap intervals, the article's binary metrics) and the one :func:`~lessons.evaluation.metrics.evaluate`
(ranks -> metrics) used by the baselines and the case-study models alike;
:mod:`~lessons.evaluation.results` the JSON-lines results store and the provenance every record carries;
:mod:`~lessons.evaluation.compare` paired and grouped comparisons and choosing a headline on validation.
"""

from lessons.evaluation.metrics import KS, METRICS, evaluate, per_user_metric, target_ranks

__all__ = ["KS", "METRICS", "evaluate", "per_user_metric", "target_ranks"]
