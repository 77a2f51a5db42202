"""Case study II: short-term, long-term and fused GRU/LSTM recommenders in torch, trained on CPU.

Modules: :mod:`~lessons.casestudy.models` (the five kinds of :class:`InterestModel`, checkpoints),
:mod:`~lessons.casestudy.inputs` (training windows, encoded histories, scores and ranks of a split's stage),
:mod:`~lessons.casestudy.train` (:class:`TrainConfig`, training with early stopping, one results record),
:mod:`~lessons.casestudy.binary` (the article's yes/no experiment), :mod:`~lessons.casestudy.explain` (reading a
trained model), :mod:`~lessons.casestudy.report` (the chapter tables) and :mod:`~lessons.casestudy.chapter`
(the numbers the chapters glue).

``python -m lessons.casestudy train --dataset ml-1m --model fused-gate-gru --seed 0`` trains one model and
appends one JSON record to ``results/<dataset>.jsonl``; ``python -m lessons.casestudy table --dataset ml-1m``
prints the comparison table.
"""

from lessons.casestudy.inputs import make_windows, score_histories, stage_ranks
from lessons.casestudy.models import (
    CELLS,
    MODEL_KINDS,
    InterestModel,
    ModelConfig,
    load_checkpoint,
    model_name,
    parse_model_name,
    save_checkpoint,
)
from lessons.casestudy.train import TrainConfig, fit, run

__all__ = [
    "CELLS",
    "MODEL_KINDS",
    "InterestModel",
    "ModelConfig",
    "model_name",
    "parse_model_name",
    "save_checkpoint",
    "load_checkpoint",
    "TrainConfig",
    "stage_ranks",
    "fit",
    "make_windows",
    "run",
    "score_histories",
]
