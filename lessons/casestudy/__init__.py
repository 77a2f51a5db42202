"""Case study II: short-term, long-term and fused GRU/LSTM recommenders in torch, trained on CPU.

``python -m lessons.casestudy train --dataset ml-1m --model fused-gate-gru --seed 0`` trains one model and
appends one JSON record to ``results/<dataset>.jsonl``; ``python -m lessons.casestudy table --dataset ml-1m``
prints the comparison table.
"""

from lessons.casestudy.models import CELLS, KINDS, InterestModel, ModelConfig, model_name, parse_model_name
from lessons.casestudy.train import TrainConfig, evaluate, fit, make_windows, run, score_histories

__all__ = [
    "CELLS",
    "KINDS",
    "InterestModel",
    "ModelConfig",
    "model_name",
    "parse_model_name",
    "TrainConfig",
    "evaluate",
    "fit",
    "make_windows",
    "run",
    "score_histories",
]
