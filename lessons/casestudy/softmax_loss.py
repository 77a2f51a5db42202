"""The full-softmax cross-entropy over all items, fused and in chunks: the cost centre of training, made cheap.

Training scores every position against all ``n`` items: ``logits = head @ W.T + b`` is ``(N, n)`` (about 3,200
rows x 3,123 items = 40 MB per ML-1M batch in float32). ``F.cross_entropy`` then walks that matrix several times
(log-softmax forward, its gradient, the two gradient matmuls), each time from main memory.

:func:`full_softmax_cross_entropy` gives the same loss and the same gradients (the softmax stays over ALL items;
nothing is sampled) but works on ``chunk_rows`` rows at a time, so each slab of logits stays in cache, and it is
*fused*: the loss is the last operation of the graph and its upstream gradient is a scalar, so the forward pass
already computes ``softmax - onehot`` for the slab and turns it into the three gradients (head, W, b) at once; the
logits are never stored and never recomputed. Backward only multiplies the stored gradients by that scalar.

``precision="bf16"`` runs the two big matmuls of every slab in bfloat16 (inputs rounded to bf16, products
accumulated in float32 by oneDNN) and everything else (log-sum-exp, softmax, the loss, the gradients' sums) in
float32. It pays only on CPUs with bf16 matrix units (AVX512-BF16 or AMX); :func:`resolve_precision` picks it for
``"auto"`` only there and says ``"fp32"`` elsewhere, so a result records the precision it really used.
"""

from __future__ import annotations

from typing import Any

import torch

from lessons.checks import check_choice, check_size

PRECISIONS: tuple[str, ...] = ("auto", "fp32", "bf16")


def cpu_has_bf16_units() -> bool:
    """True when this CPU multiplies bf16 matrices in hardware (AVX512-BF16 or AMX tiles), as torch sees it."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in checks)


def resolve_precision(precision: str) -> str:
    """``"auto"`` -> ``"bf16"`` on a CPU with bf16 matrix units, else ``"fp32"``; ``"fp32"``/``"bf16"`` as given
    (``"bf16"`` is honoured anywhere: emulated, slow, but useful to test the numerics)."""
    check_choice("precision", precision, PRECISIONS)
    if precision == "auto":
        return "bf16" if cpu_has_bf16_units() else "fp32"
    return precision


def unique_seen(seen: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``seen: (N, S)`` item ids + 1 (0 = padding) -> ``(cols, keep)``, both ``(N, S)``: 0-based columns (padding
    clamped to 0) and a bool mask, True once per distinct real item of a row (an item read twice counts once)."""
    ids = seen.sort(dim=1).values
    keep = ids > 0
    keep[:, 1:] &= ids[:, 1:] != ids[:, :-1]
    return (ids - 1).clamp(min=0), keep


def _slab_logits(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, bf16: bool) -> torch.Tensor:
    """``h: (r, d)``, ``weight: (n, d)`` (already bf16 when ``bf16``), ``bias: (n,)`` -> float32 logits ``(r, n)``."""
    if bf16:
        return torch.mm(h.to(torch.bfloat16), weight.t()).float().add_(bias)
    return torch.addmm(bias, h, weight.t())


class _FusedSoftmaxCE(torch.autograd.Function):
    """Mean cross-entropy over all items with gradients computed in the forward pass (see the module docstring)."""

    @staticmethod
    def forward(ctx: Any, head: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, target: torch.Tensor,
                seen: torch.Tensor | None, beta: torch.Tensor | None, chunk_rows: int, bf16: bool) -> torch.Tensor:
        n_rows = head.shape[0]
        want = ctx.needs_input_grad
        w_mm = weight.to(torch.bfloat16) if bf16 else weight
        g_head = torch.empty_like(head) if want[0] else None
        g_weight = torch.zeros_like(weight) if want[1] else None
        g_bias = torch.zeros_like(bias) if want[2] else None
        g_beta = torch.zeros((), dtype=head.dtype) if beta is not None and want[5] else None
        cols, keep = unique_seen(seen) if beta is not None else (None, None)
        keep = keep.to(head.dtype) if keep is not None else None
        total = torch.zeros((), dtype=torch.float64)
        for lo in range(0, n_rows, chunk_rows):
            sl = slice(lo, lo + chunk_rows)
            h, t = head[sl], target[sl]
            logits = _slab_logits(h, w_mm, bias, bf16)  # (r, n)
            if beta is not None:
                logits.scatter_add_(1, cols[sl], beta * keep[sl])
            logp = torch.log_softmax(logits, dim=1)  # (r, n), one fused pass
            rows = torch.arange(h.shape[0])
            total -= logp[rows, t].sum(dtype=torch.float64)
            if not (want[0] or want[1] or want[2] or g_beta is not None):
                continue
            grad = logp.exp_()  # softmax, in place: d(row loss) / d(logits) = softmax - onehot
            grad[rows, t] -= 1.0
            if g_beta is not None:
                g_beta += (grad.gather(1, cols[sl]) * keep[sl]).sum() / n_rows
            g_mm = grad.to(torch.bfloat16) if bf16 else grad
            if g_head is not None:  # the 1 / n_rows of the mean is applied to the small (r, d) and (n, d) products
                g_head[sl] = torch.mm(g_mm, w_mm).float().div_(n_rows) if bf16 else torch.mm(grad, weight).div_(n_rows)
            if g_weight is not None:
                if bf16:
                    g_weight += torch.mm(g_mm.t(), h.to(torch.bfloat16)).float().div_(n_rows)
                else:
                    g_weight.addmm_(grad.t(), h, alpha=1.0 / n_rows)
            if g_bias is not None:
                g_bias += grad.sum(0).div_(n_rows)
        ctx.grads = (g_head, g_weight, g_bias, g_beta)
        return (total / n_rows).to(head.dtype)

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor) -> tuple:
        g_head, g_weight, g_bias, g_beta = (None if g is None else g * grad_out for g in ctx.grads)
        return g_head, g_weight, g_bias, None, None, g_beta, None, None


def full_softmax_cross_entropy(
    head: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    target: torch.Tensor,
    seen: torch.Tensor | None = None,
    beta: torch.Tensor | None = None,
    chunk_rows: int = 512,
    precision: str = "fp32",
) -> torch.Tensor:
    """Mean over rows of ``-log softmax(head @ weight.T + bias + beta * seen_indicator)[target]``.

    head: ``(N, d)`` float32; weight: ``(n, d)``; bias: ``(n,)``; target: ``(N,)`` int64 in ``0..n-1``;
    seen: ``(N, S)`` int64 item ids + 1 (0 = padding) of the items each row has read, with ``beta`` a 0-d tensor
    (the learned seen-item bias, added once per distinct seen item), or both None. Returns a 0-d tensor.
    Equal to ``F.cross_entropy(F.linear(head, weight, bias) [+ beta at seen], target)`` up to float rounding, and so
    are its gradients (tests/test_softmax_loss.py); ``precision`` is ``"fp32"``, ``"bf16"`` or ``"auto"``.
    """
    if head.dim() != 2 or weight.dim() != 2 or head.shape[1] != weight.shape[1]:
        raise ValueError(f"head must be (N, d) and weight (n, d) with the same d, got {tuple(head.shape)} and "
                         f"{tuple(weight.shape)}")
    if bias.shape != (weight.shape[0],):
        raise ValueError(f"bias must have shape ({weight.shape[0]},), got {tuple(bias.shape)}")
    if target.shape != (head.shape[0],) or target.dtype != torch.int64:
        raise ValueError(f"target must be int64 of shape ({head.shape[0]},), got {target.dtype} {tuple(target.shape)}")
    if head.shape[0] == 0:
        raise ValueError("head must have at least one row, got 0")
    if target.numel() and (int(target.min()) < 0 or int(target.max()) >= weight.shape[0]):
        raise ValueError(f"target must lie in 0..{weight.shape[0] - 1}, got {int(target.min())}..{int(target.max())}")
    if (seen is None) != (beta is None):
        raise ValueError("seen and beta must be given together (a model with a seen-item bias) or not at all")
    if seen is not None and (seen.dim() != 2 or seen.shape[0] != head.shape[0]):
        raise ValueError(f"seen must have shape ({head.shape[0]}, S), got {tuple(seen.shape)}")
    check_size("chunk_rows", chunk_rows)
    bf16 = resolve_precision(precision) == "bf16"
    return _FusedSoftmaxCE.apply(head, weight, bias, target, seen, beta, chunk_rows, bf16)


def dense_seen_indicator(seen: torch.Tensor, n_items: int) -> torch.Tensor:
    """The seen-item indicator written out in full: ``seen: (rows, S)`` ids + 1 (0 = padding) -> ``(rows, n_items)``
    float, 1 where the item was read. The reference that :meth:`lessons.casestudy.models.InterestModel.logits`
    avoids building (it adds beta at the seen columns only); tests and ``benchmarks/seen_bias_speed.py`` compare
    the two."""
    if seen.dim() != 2:
        raise ValueError(f"seen must have shape (rows, S), got {tuple(seen.shape)}")
    hit = torch.zeros(seen.shape[0], n_items + 1, device=seen.device)
    return hit.scatter_(1, seen, 1.0)[:, 1:]  # column 0 collects the padding and is dropped


__all__ = ["PRECISIONS", "cpu_has_bf16_units", "resolve_precision", "unique_seen", "full_softmax_cross_entropy",
           "dense_seen_indicator"]
