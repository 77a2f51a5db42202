"""Reading a trained interest model: the gate over time, the attention over the history, the top-10 as the
recent items change.

:func:`explain_history` runs a model once over one user's history and records, at every step ``t``:
the mean fusion gate ``alpha_t`` (how much the long-term vector weighs), the attention the long-term vector
pays to each item read so far, and the top-k recommendation after reading ``items[:t+1]``.
The figures live in :mod:`lessons.pictures.casestudy_plots`; :func:`explain_widget` wraps them for a live
kernel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from lessons.casestudy.inputs import encode_histories
from lessons.casestudy.models import InterestModel
from lessons.data.split import SequentialSplit


@dataclass
class Explanation:
    """What a model did while reading one history of ``T`` items (``T <= max_len``); step ``t`` (0-based) is
    the state after reading ``items[:t+1]``. (Not to be confused with :class:`lessons.rnn.trace.Trace`, the
    record of one NumPy cell's forward pass.)"""

    user: int
    items: np.ndarray  # (T,) item ids read, oldest first
    labels: list[str]  # (T,) their names
    alpha: np.ndarray | None  # (T,) mean gate (weight of the long-term vector); None if the model has no gate
    attention: (
        np.ndarray | None
    )  # (T, T) row t = attention over items[:t+1] (zeros beyond); None if no pooling
    top_items: np.ndarray  # (T, k) top-k item ids after each step
    top_labels: list[list[str]]  # (T, k)
    top_scores: np.ndarray  # (T, k) their scores (logits)
    model: str

    @property
    def steps(self) -> int:
        return len(self.items)

    def overlap(self) -> np.ndarray:
        """``(T-1,)`` share of the top-k that survives from step t to step t+1 (how much the list moves)."""
        k = self.top_items.shape[1]
        return np.array(
            [len(set(a) & set(b)) / k for a, b in zip(self.top_items[:-1], self.top_items[1:], strict=True)]
        )


def _label(item_labels: Any, i: int) -> str:
    return str(item_labels[i]) if item_labels is not None else f"item {i}"


@torch.no_grad()
def explain_history(
    model: InterestModel,
    items: np.ndarray,
    times: np.ndarray | None,
    user: int,
    k: int = 10,
    item_labels: Any = None,
    max_len: int = 50,
) -> Explanation:
    """Explain ``model`` over one history: ``items: (L,)`` ids (the last ``max_len`` are read), ``times: (L,)``.

    Raises ``ValueError`` for an empty history, unknown item ids or an unknown user id.
    """
    n_items, n_users = model.config.n_items, model.config.n_users
    if not 0 <= int(user) < n_users:
        raise ValueError(f"user must be in [0, {n_users - 1}], got {user}")
    if not 1 <= k <= n_items:
        raise ValueError(f"k must be in [1, {n_items}], got {k}")
    x, g, lengths = encode_histories(
        [np.asarray(items)], None if times is None else [np.asarray(times)], n_items, max_len
    )
    model.eval()
    parts = model(torch.from_numpy(x), torch.tensor([int(user)]), torch.from_numpy(g), return_parts=True)
    xt = torch.from_numpy(x)
    logits = model.logits(parts["rep"][0], model.causal_seen(xt)[0])  # (T, n_items)
    top = torch.topk(logits, k, dim=1)
    read = x[0] - 1
    alpha = parts["alpha"][0].mean(-1).numpy() if "alpha" in parts else None
    attention = None
    if "att_scores" in parts:
        s = parts["att_scores"][0].numpy().astype(np.float64)
        t_len = len(s)
        attention = np.zeros((t_len, t_len))
        for t in range(t_len):
            w = np.exp(s[: t + 1] - s[: t + 1].max())
            attention[t, : t + 1] = w / w.sum()
    top_items = top.indices.numpy()
    return Explanation(
        user=int(user),
        items=read,
        labels=[_label(item_labels, i) for i in read],
        alpha=alpha,
        attention=attention,
        top_items=top_items,
        top_labels=[[_label(item_labels, i) for i in row] for row in top_items],
        top_scores=top.values.numpy(),
        model=model.config.name,
    )


def item_names(split: SequentialSplit, width: int = 32) -> np.ndarray:
    """``(n_items,)`` what a reader calls each item of ``split``: its film title ``"Title (year)"`` shortened to
    ``width`` characters (:func:`lessons.data.movielens.display_title`), or ``"item <id>"`` (the original id)
    where there is no title: a split that is not MovieLens, an item without one, or data not fetched."""
    from lessons.data.movielens import DATASETS, display_title, load_titles

    titles: dict[str, str] = {}
    if split.dataset in DATASETS:
        try:
            titles = load_titles(split.dataset)
        except FileNotFoundError:
            titles = {}
    labels = [str(lab) for lab in split.item_labels]
    return np.array([display_title(titles[lab], width) if lab in titles else f"item {lab}" for lab in labels],
                    dtype=object)


def explain_user(
    model: InterestModel, split: SequentialSplit, user: int, stage: str = "test", k: int = 10
) -> Explanation:
    """:func:`explain_history` on the history a split gives ``user`` for ``stage``, items named by their film
    titles (:func:`item_names`)."""
    if not 0 <= int(user) < split.n_users:
        raise ValueError(f"user must be in [0, {split.n_users - 1}], got {user}")
    items = split.history(stage)[user]
    times = split.history_times(stage)[user]
    return explain_history(
        model, items, times, user, k=k, item_labels=item_names(split), max_len=split.max_len
    )


def explain_widget(explanation: Explanation) -> Any:
    """A :class:`lessons.widgets.LessonWidget` with a slider over the steps of ``explanation``, redrawing
    :func:`lessons.pictures.casestudy_plots.explain_step_figure` (live kernel only)."""
    import ipywidgets as widgets

    from lessons.pictures.casestudy_plots import explain_step_figure
    from lessons.widgets import LessonWidget

    last = explanation.steps - 1
    slider = widgets.IntSlider(value=last, min=0, max=last, description="step t", continuous_update=False)
    return LessonWidget({"t": slider}, compute=lambda t: t, draw=lambda t: explain_step_figure(explanation, t))


@torch.no_grad()
def gate_table(model: InterestModel, split: SequentialSplit, stage: str = "test") -> Any:
    """Every step of every user's (last ``max_len``) history: ``user, step, alpha, gap_hours, length``.

    ``alpha`` is the mean gate at that step (weight of the long-term vector); ``gap_hours`` the time since
    the previous item. Only for ``fused-gate`` models (raises ``ValueError`` otherwise).
    """
    import pandas as pd

    if model.config.kind != "fused-gate":
        raise ValueError(f"model must be a fused-gate model, got {model.config.name!r}")
    items = split.history(stage)
    times = split.history_times(stage)
    x, g, lengths = encode_histories(items, times, model.config.n_items, split.max_len)
    model.eval()
    parts = model(torch.from_numpy(x), torch.arange(split.n_users), torch.from_numpy(g), return_parts=True)
    alpha = parts["alpha"].mean(-1).numpy()
    valid = x > 0
    users, steps = np.nonzero(valid)
    return pd.DataFrame(
        {
            "user": users,
            "step": steps,
            "alpha": alpha[valid],
            "gap_hours": g[valid] / 3600.0,
            "length": np.array([len(h) for h in items])[users],
        }
    )


__all__ = ["Explanation", "explain_history", "explain_user", "item_names", "explain_widget", "gate_table",
           "gate_by_gap", "most_moving_user", "key_numbers"]


#: Time-gap bins (hours) of :func:`gate_by_gap`, with their labels.
GAP_BINS: tuple[float, ...] = (-0.01, 0.01, 1, 24, 24 * 30, np.inf)
GAP_LABELS: tuple[str, ...] = ("same second", "< 1 hour", "1 hour – 1 day", "1 day – 1 month", "> 1 month")


def gate_by_gap(gates: Any) -> Any:
    """Summary of the gate alpha per bin of the time gap before the item (:data:`GAP_BINS`): count, mean and
    quartiles; ``gates`` is a :func:`gate_table`."""
    import pandas as pd

    gap = pd.cut(gates["gap_hours"], list(GAP_BINS), labels=list(GAP_LABELS)).rename("gap")
    return gates.groupby(gap, observed=True)["alpha"].describe()[["count", "mean", "25%", "50%", "75%"]]


def most_moving_user(gates: Any) -> int:
    """The user whose gate alpha spans the widest range over their history (``gates``: a :func:`gate_table`)."""
    spread = gates.groupby("user")["alpha"].agg(lambda a: a.max() - a.min())
    return int(spread.idxmax())


def key_numbers(gates: Any, explanation: Explanation) -> dict[str, Any]:
    """Every number the reading chapter glues (``cs_gate_*``, ``cs_read_*``): the gate's mean and deciles, its
    correlation with the log time gap, its mean after short and long gaps; and for the explained user the number
    of steps, how much of the top-10 survives a step, and how peaked the last attention row is."""
    corr = np.corrcoef(np.log1p(gates["gap_hours"]), gates["alpha"])[0, 1]
    short_gap = gates.loc[gates["gap_hours"] < 1, "alpha"]
    long_gap = gates.loc[gates["gap_hours"] > 24, "alpha"]
    e = explanation
    return {
        "cs_gate_mean": f"{gates['alpha'].mean():.3f}", "cs_gate_q10": f"{gates['alpha'].quantile(0.1):.3f}",
        "cs_gate_q90": f"{gates['alpha'].quantile(0.9):.3f}", "cs_gate_corr": f"{corr:.3f}",
        "cs_gate_direction": "rises" if corr > 0 else "falls", "cs_gate_short_gap": f"{short_gap.mean():.3f}",
        "cs_gate_long_gap": f"{long_gap.mean():.3f}", "cs_gate_short_share": f"{(gates['gap_hours'] < 1).mean():.0%}",
        "cs_read_user": e.user, "cs_read_steps": e.steps, "cs_read_overlap": f"{e.overlap().mean():.2f}",
        "cs_read_att_ratio": f"{e.attention[-1].max() * e.steps:.2f}",
    }
