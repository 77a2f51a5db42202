"""Torch models of short-term, long-term and fused user interest, each with a GRU or an LSTM.

All models share one shape of computation: a batch of right-padded item sequences goes in, one
*representation* per position comes out, and the score of every item at a position is the dot product of
that representation with the item's embedding (tied input/output embeddings) plus an item bias:

    items: (B, T) int64, 0 = padding, item id i is stored as i + 1
    rep:   (B, T, d)          the user's interest after reading items[:, :t+1]
    logits = out(rep) @ E[1:].T + b      (B, T, n_items)

The five kinds (``kind``):

``short``        a recurrent net over the last ``short_k`` items only (GRU4Rec-style session model);
``full``         a recurrent net over the whole input window (up to 50 previous items);
``long``         no order: a user embedding plus attention pooling over the history read so far;
``fused-lstur``  LSTUR-ini: the user embedding initialises the recurrent state, which then reads the window;
``fused-gate``   SLi-Rec-style: a gate alpha_t (from the state, the long vector and the time gap) mixes
                 long- and short-term vectors at every step: rep_t = alpha_t * long_t + (1 - alpha_t) * h_t.

Right padding keeps outputs at real positions clean: a recurrent net never reads the padding that follows.

Any kind can add a **seen-item bias** (``seen_bias=True``): one learned scalar ``beta`` added to the score of every
item that is already in the input the model has read (``logits_t[i] += beta`` if ``i`` is in ``items[:, :t+1]``).
It is RepeatNet's repeat/explore switch reduced to one number. On MovieLens, where nobody rates a film twice,
``beta`` becomes negative (explore: about -2 on ML-1M); on data with repeats it can turn positive.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from lessons.casestudy.history import LONG_SCOPES, Before, pooled_before, row_max
from lessons.casestudy.softmax_loss import full_softmax_cross_entropy, unique_seen
from lessons.checks import check_choice, check_size

MODEL_KINDS: tuple[str, ...] = ("short", "full", "long", "fused-lstur", "fused-gate")
CELLS: tuple[str, ...] = ("gru", "lstm")
USER_KINDS: tuple[str, ...] = ("long", "fused-lstur", "fused-gate")  #: the kinds with a user embedding
PAD = 0


def parse_model_name(name: str) -> tuple[str, str]:
    """Split a model name such as ``'fused-gate-lstm'`` into ``(kind, cell)``.

    ``'fused-gru'`` / ``'fused-lstm'`` are accepted as short names for the gated fusion.
    ``'long'`` has no recurrent cell; ``'long'``, ``'long-gru'`` and ``'long-lstm'`` are all the same model,
    ``('long', 'gru')``. :func:`canonical_model_name` gives the one spelling that goes into a record.
    """
    if not isinstance(name, str) or "-" not in name and name != "long":
        raise ValueError(
            f"model must look like '<kind>-<cell>' with kind in {MODEL_KINDS} and cell in {CELLS}, got {name!r}"
        )
    if name == "long":
        return "long", "gru"
    kind, _, cell = name.rpartition("-")
    if kind == "fused":
        kind = "fused-gate"
    if kind not in MODEL_KINDS or cell not in CELLS:
        raise ValueError(
            f"model must look like '<kind>-<cell>' with kind in {MODEL_KINDS} and cell in {CELLS}, got {name!r}"
        )
    return (kind, "gru") if kind == "long" else (kind, cell)


def canonical_model_name(name: str) -> str:
    """The one spelling of a model: ``'fused-gru'`` -> ``'fused-gate-gru'``, ``'long-lstm'`` -> ``'long'``
    (the long-term model has no recurrent cell). Raises ``ValueError`` like :func:`parse_model_name`."""
    kind, cell = parse_model_name(name)
    return "long" if kind == "long" else model_name(kind, cell)


def model_name(kind: str, cell: str) -> str:
    """The canonical name, e.g. ``model_name('fused-gate', 'gru') == 'fused-gate-gru'``."""
    if kind not in MODEL_KINDS:
        raise ValueError(f"kind must be one of {MODEL_KINDS}, got {kind!r}")
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")
    return f"{kind}-{cell}"


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of an :class:`InterestModel`."""

    kind: str
    cell: str
    n_items: int
    n_users: int
    dim: int = 64
    dropout: float = 0.3
    short_k: int = 5
    seen_bias: bool = False
    long_scope: str = "window"  # what the long-term attention covers: the window, or the whole history
    user_dropout: float = 0.0  # LSTUR's mask: in training, a row's whole user vector is zeroed with this probability

    def __post_init__(self) -> None:
        model_name(self.kind, self.cell)  # validates kind and cell
        check_choice("long_scope", self.long_scope, LONG_SCOPES)
        for field in ("n_items", "n_users", "dim", "short_k"):
            check_size(field, getattr(self, field))
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")
        if not isinstance(self.seen_bias, bool):
            raise ValueError(f"seen_bias must be a bool, got {self.seen_bias!r}")
        if not 0.0 <= self.user_dropout < 1.0 or (self.user_dropout and self.kind not in USER_KINDS):
            raise ValueError(f"user_dropout must be in [0, 1) and only for the kinds with a user embedding "
                             f"{USER_KINDS}, got {self.user_dropout!r} for kind {self.kind!r}")

    @property
    def name(self) -> str:
        return model_name(self.kind, self.cell)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rnn(cell: str, dim: int) -> nn.Module:
    return (nn.GRU if cell == "gru" else nn.LSTM)(dim, dim, batch_first=True)


def gap_feature(gaps: torch.Tensor) -> torch.Tensor:
    """Time-gap feature of the gate: ``log1p(gap in hours)``; ``gaps: (B, T)`` seconds -> ``(B, T, 1)``."""
    return torch.log1p(gaps.clamp(min=0.0) / 3600.0).unsqueeze(-1)


class InterestModel(nn.Module):
    """One of the five interest models (see the module docstring) with a GRU or an LSTM cell."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        d = config.dim
        self.item_emb = nn.Embedding(config.n_items + 1, d, padding_idx=PAD)
        nn.init.normal_(self.item_emb.weight, std=1.0 / math.sqrt(d))
        with torch.no_grad():
            self.item_emb.weight[PAD].zero_()
        self.item_bias = nn.Parameter(torch.zeros(config.n_items))
        self.drop = nn.Dropout(config.dropout)
        self.out = nn.Linear(d, d)
        kind = config.kind
        if kind != "long":
            self.rnn = _rnn(config.cell, d)
        if kind in USER_KINDS:
            self.user_emb = nn.Embedding(config.n_users, d)
            nn.init.normal_(self.user_emb.weight, std=1.0 / math.sqrt(d))
        if kind in ("long", "fused-gate"):
            self.att_key = nn.Linear(d, d, bias=False)
        if kind == "fused-lstur":
            self.init_h = nn.Linear(d, d)
            if config.cell == "lstm":
                self.init_c = nn.Linear(d, d)
        if kind == "fused-gate":
            self.gate = nn.Linear(2 * d + 1, d)
        if config.seen_bias:
            self.seen_weight = nn.Parameter(torch.zeros(()))

    # ------------------------------------------------------------------ pieces
    def _check(self, items: torch.Tensor, users: torch.Tensor | None, gaps: torch.Tensor | None) -> None:
        if items.dim() != 2:
            raise ValueError(f"items must have shape (B, T), got {tuple(items.shape)}")
        if items.numel() and (int(items.min()) < 0 or int(items.max()) > self.config.n_items):
            raise ValueError(
                f"items must hold ids in [0, {self.config.n_items}] (0 = padding, item i as i+1), "
                f"got range [{int(items.min())}, {int(items.max())}]"
            )
        if self.config.kind in USER_KINDS:
            if users is None or users.shape != items.shape[:1]:
                raise ValueError(
                    f"users must have shape ({items.shape[0]},) for kind {self.config.kind!r}, "
                    f"got {None if users is None else tuple(users.shape)}"
                )
            if users.numel() and (int(users.min()) < 0 or int(users.max()) >= self.config.n_users):
                raise ValueError(
                    f"users must be ids in [0, {self.config.n_users - 1}], "
                    f"got range [{int(users.min())}, {int(users.max())}]"
                )
        if gaps is not None and gaps.shape != items.shape:
            raise ValueError(
                f"gaps must have the shape of items {tuple(items.shape)}, got {tuple(gaps.shape)}"
            )

    def _recur(self, x: torch.Tensor, users: torch.Tensor | None) -> torch.Tensor:
        """Run the recurrent net over embedded inputs ``x: (B, T, d)`` -> outputs ``(B, T, d)``."""
        state = None
        if self.config.kind == "fused-lstur":
            u = self.user_vector(users)
            h0 = torch.tanh(self.init_h(u)).unsqueeze(0)
            state = (h0, self.init_c(u).unsqueeze(0)) if self.config.cell == "lstm" else h0
        out, _ = self.rnn(x, state)
        return out

    def user_vector(self, users: torch.Tensor) -> torch.Tensor:
        """The user embedding ``(B,) -> (B, d)``; in training each row's whole vector is zeroed with probability
        ``user_dropout`` (LSTUR's random mask, not rescaled), so the model must also work without it."""
        e_u = self.user_emb(users)
        p = self.config.user_dropout
        if self.training and p > 0:
            keep = torch.rand(e_u.shape[0], 1, device=e_u.device) >= p  # (B, 1)
            e_u = e_u * keep.to(e_u.dtype)
        return e_u

    def _short(self, items: torch.Tensor) -> torch.Tensor:
        """At every position t, run the net over items[t-k+1 .. t] only. ``(B, T)`` -> ``(B, T, d)``."""
        b, t = items.shape
        k = self.config.short_k
        pos = torch.arange(t, device=items.device)
        n = torch.clamp(pos + 1, max=k)  # (T,) how many items the window holds
        start = pos - n + 1
        offs = torch.arange(k, device=items.device)
        idx = (start[:, None] + offs[None, :]).clamp(max=t - 1)  # (T, k), right-padded windows
        valid = offs[None, :] < n[:, None]
        win = items[:, idx] * valid  # (B, T, k)
        x = self.drop(self.item_emb(win.reshape(b * t, k)))
        out, _ = self.rnn(x)  # (B*T, k, d)
        last = out[torch.arange(b * t, device=items.device), (n - 1).repeat(b)]
        return last.reshape(b, t, -1)

    def long_vector(
        self, items: torch.Tensor, users: torch.Tensor, before: Before | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Order-free long-term vector at every position and the attention weights behind it.

        ``long_t = e_u + sum_{j<=t} a_tj E[x_j]``, ``a_tj`` proportional to ``exp(e_u . K E[x_j] / sqrt(d))``
        over the items read so far (a causal softmax). With ``long_scope="history"`` and ``before``
        (:class:`lessons.casestudy.history.Before`) the items read before the window are in the sum too.
        Returns ``(long (B, T, d), scores (B, T))`` where ``scores`` are the per-item attention logits of the
        window (masked at padding with ``-inf``).
        """
        e_u = self.user_vector(users)  # (B, d)
        v = self.drop(self.item_emb(items))  # (B, T, d)
        root_d = math.sqrt(self.config.dim)
        s = (self.att_key(v) @ e_u.unsqueeze(-1)).squeeze(-1) / root_d  # (B, T)
        s = s.masked_fill(items == PAD, float("-inf"))
        use_before = self.config.long_scope == "history" and before is not None and before.ids.numel() > 0
        if use_before:
            vb = self.drop(self.item_emb(before.ids))  # (M, d)
            sb = (self.att_key(vb) * e_u[before.owner]).sum(-1) / root_d  # (M,)
        # causal softmax through running sums; subtracting the row max (a constant per row, detached)
        # keeps exp() in range and cancels between numerator and denominator
        s_max = s.max(dim=1).values.detach()
        if use_before:
            s_max = torch.maximum(s_max, row_max(sb.detach(), before.owner, len(s)))
        s_max = s_max.clamp(min=-1e4).unsqueeze(1)  # (B, 1)
        w = torch.exp(s - s_max)  # exp(-inf) = 0 at padding
        num = torch.cumsum(w.unsqueeze(-1) * v, dim=1)
        den = torch.cumsum(w, dim=1).unsqueeze(-1)
        if use_before:  # the running sums start from the totals over the earlier items
            num0, den0 = pooled_before(sb, vb, before.owner, len(s), s_max.squeeze(1))
            num, den = num + num0.unsqueeze(1), den + den0[:, None, None]
        return e_u.unsqueeze(1) + num / den.clamp(min=1e-12), s

    # ------------------------------------------------------------------ forward
    def forward(
        self,
        items: torch.Tensor,
        users: torch.Tensor | None = None,
        gaps: torch.Tensor | None = None,
        return_parts: bool = False,
        before: Before | None = None,
    ) -> Any:
        """Representations at every position.

        items: (B, T) int64 right-padded (0 = pad, item i as i + 1); users: (B,) int64 (needed by long and
        fused kinds); gaps: (B, T) float seconds since the previous item (fused-gate; zeros if None); before:
        the items read before each row's window (:class:`lessons.casestudy.history.Before`), read by the
        long-term attention when ``long_scope="history"``.
        Returns ``rep: (B, T, d)``, or with ``return_parts=True`` a dict with ``rep`` and, when they exist,
        ``h`` (B, T, d), ``long`` (B, T, d), ``alpha`` (B, T, d) and ``att_scores`` (B, T).
        """
        self._check(items, users, gaps)
        kind = self.config.kind
        parts: dict[str, torch.Tensor] = {}
        if kind == "short":
            rep = self._short(items)
            parts["h"] = rep
        elif kind in ("full", "fused-lstur"):
            rep = self._recur(self.drop(self.item_emb(items)), users)
            parts["h"] = rep
        elif kind == "long":
            rep, s = self.long_vector(items, users, before)
            parts["long"], parts["att_scores"] = rep, s
        else:  # fused-gate
            h = self._recur(self.drop(self.item_emb(items)), users)
            long, s = self.long_vector(items, users, before)
            if gaps is None:
                gaps = torch.zeros(items.shape, dtype=h.dtype, device=items.device)
            alpha = torch.sigmoid(self.gate(torch.cat([h, long, gap_feature(gaps.to(h.dtype))], dim=-1)))
            rep = alpha * long + (1.0 - alpha) * h
            parts.update(h=h, long=long, alpha=alpha, att_scores=s)
        parts["rep"] = rep
        return parts if return_parts else rep

    @staticmethod
    def causal_seen(items: torch.Tensor) -> torch.Tensor:
        """What has been read by each position: ``items: (B, T)`` -> ``(B, T, T)``, row ``t`` = ``items[:, :t+1]``
        followed by padding (0). Feed it, indexed like ``rep``, to :meth:`logits` as ``seen``."""
        if items.dim() != 2:
            raise ValueError(f"items must have shape (B, T), got {tuple(items.shape)}")
        t = items.shape[1]
        lower = torch.ones(t, t, dtype=torch.bool, device=items.device).tril()
        return items.unsqueeze(1) * lower

    def score_items(self, rep: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Scores of a few given items only (the same head as :meth:`logits`, without the seen-item bias).

        rep: ``(N, d)`` representations; items: ``(N, m)`` int64 item ids (``0..n_items-1``, not shifted).
        Returns ``(N, m)``: ``out(rep) . E[item] + b[item]``, as :meth:`logits` would give at those columns.
        """
        if rep.dim() != 2 or items.dim() != 2 or items.shape[0] != rep.shape[0]:
            raise ValueError(f"rep must be (N, d) and items (N, m) with the same N, got {tuple(rep.shape)} and "
                             f"{tuple(items.shape)}")
        head = self.out(self.drop(rep))  # (N, d)
        return (head[:, None, :] * self.item_emb(items + 1)).sum(-1) + self.item_bias[items]

    def logits(self, rep: torch.Tensor, seen: torch.Tensor | None = None) -> torch.Tensor:
        """Scores of all items: ``rep: (..., d)`` -> ``(..., n_items)``.

        seen: ``(..., S)`` int64 ids + 1 (0 = padding) of the items already read at each row of ``rep``; required
        when the model has a seen-item bias (see :meth:`causal_seen`), ignored otherwise.
        """
        if self.config.seen_bias:
            if seen is None or seen.shape[:-1] != rep.shape[:-1]:
                raise ValueError(
                    f"seen must have shape {tuple(rep.shape[:-1])} + (S,) for a model with seen_bias, "
                    f"got {None if seen is None else tuple(seen.shape)}"
                )
        # F.linear reads the (n_items, d) table in its own row-major layout, faster on a CPU than
        # ``rep @ E[1:].T + b`` (benchmarks/softmax_speed.py)
        scores = F.linear(self.out(self.drop(rep)), self.item_emb.weight[1:], self.item_bias)
        if not self.config.seen_bias:
            return scores
        # add beta at the (few) seen columns of each row instead of building a dense (rows, n_items) indicator:
        # each distinct read item of a row once (padding and repeats dropped), scatter-added in place
        cols, keep = unique_seen(seen.reshape(-1, seen.shape[-1]))  # (rows, S) each
        scores.view(-1, self.config.n_items).scatter_add_(1, cols, self.seen_weight * keep.to(scores.dtype))
        return scores


    def loss(self, rep: torch.Tensor, target: torch.Tensor, seen: torch.Tensor | None = None,
             precision: str = "fp32", chunk_rows: int = 256) -> torch.Tensor:
        """Mean full-softmax cross-entropy of :meth:`logits` against ``target``, without building the logits.

        rep: ``(N, d)``; target: ``(N,)`` int64 0-based item ids; seen as in :meth:`logits` (``(N, S)``, required
        with a seen-item bias). Same value and gradients as ``F.cross_entropy(self.logits(rep, seen), target)``,
        computed slab by slab (:func:`lessons.casestudy.softmax_loss.full_softmax_cross_entropy`), in ``precision``.
        """
        if self.config.seen_bias and (seen is None or seen.shape[:-1] != rep.shape[:-1]):
            raise ValueError(f"seen must have shape {tuple(rep.shape[:-1])} + (S,) for a model with seen_bias, "
                             f"got {None if seen is None else tuple(seen.shape)}")
        return full_softmax_cross_entropy(
            self.out(self.drop(rep)), self.item_emb.weight[1:], self.item_bias, target,
            seen if self.config.seen_bias else None, self.seen_weight if self.config.seen_bias else None,
            chunk_rows=chunk_rows, precision=precision,
        )


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def save_checkpoint(model: InterestModel, path: str | Path, identity: str | None = None) -> Path:
    """Save config + weights (a few hundred kB for ML-100k at ``dim=64``): the one checkpoint writer.

    ``identity`` (the run identity of :func:`lessons.evaluation.results.run_identity`) is stored with the weights;
    an existing file saved under ANOTHER identity is never overwritten (``ValueError``). The file is written
    atomically (a temporary file, then a rename), so an interrupted save leaves no half checkpoint.
    """
    path = Path(path)
    if identity is not None and path.exists():
        old = torch.load(path, map_location="cpu", weights_only=True).get("run_identity")
        if old != identity:
            raise ValueError(f"path {str(path)!r} holds the weights of another run ({old}), not of {identity}; "
                             "choose another path")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    torch.save({"model_config": model.config.to_dict(), "state_dict": model.state_dict(),
                "run_identity": identity}, tmp)
    tmp.replace(path)
    return path


def load_checkpoint(path: str | Path) -> InterestModel:
    """The model saved by :func:`save_checkpoint` (or ``python -m lessons.casestudy train``), in eval mode."""
    blob = torch.load(Path(path), map_location="cpu", weights_only=True)
    model = InterestModel(ModelConfig(**blob["model_config"]))
    model.load_state_dict(blob["state_dict"])
    return model.eval()


__all__ = ["MODEL_KINDS", "CELLS", "USER_KINDS", "PAD", "parse_model_name", "canonical_model_name", "model_name",
           "ModelConfig", "InterestModel", "gap_feature", "count_parameters", "save_checkpoint", "load_checkpoint"]
