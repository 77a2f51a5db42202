"""The fused, chunked full-softmax cross-entropy: same loss and gradients as F.cross_entropy over the logits."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from lessons.casestudy.models import InterestModel, ModelConfig
from lessons.casestudy.softmax_loss import (
    dense_seen_indicator,
    full_softmax_cross_entropy,
    resolve_precision,
    unique_seen,
)
from lessons.casestudy.train import TrainConfig

pytestmark = pytest.mark.usefixtures("torch_single_thread")


def _problem(n_rows: int = 37, d: int = 8, n: int = 23, seed: int = 0, double: bool = True):
    g = torch.Generator().manual_seed(seed)
    dtype = torch.float64 if double else torch.float32
    head = torch.randn(n_rows, d, generator=g, dtype=dtype, requires_grad=True)
    weight = torch.randn(n, d, generator=g, dtype=dtype).mul(0.5).requires_grad_()
    bias = torch.randn(n, generator=g, dtype=dtype).requires_grad_()
    target = torch.randint(0, n, (n_rows,), generator=g)
    seen = torch.randint(0, n + 1, (n_rows, 6), generator=g)  # ids + 1, 0 = padding, repeats on purpose
    seen[:, 0] = seen[:, 1]  # at least one repeat per row
    beta = torch.tensor(0.7, dtype=dtype, requires_grad=True)
    return head, weight, bias, target, seen, beta


def _grads(loss: torch.Tensor, params: list[torch.Tensor]) -> list[torch.Tensor]:
    return list(torch.autograd.grad(loss, params))


@pytest.mark.parametrize("chunk_rows", [1, 5, 37, 100])
@pytest.mark.parametrize("with_seen", [False, True])
def test_matches_cross_entropy_over_the_logits(chunk_rows: int, with_seen: bool) -> None:
    head, weight, bias, target, seen, beta = _problem()
    params = [head, weight, bias] + ([beta] if with_seen else [])
    logits = F.linear(head, weight, bias)
    if with_seen:
        logits = logits + beta * dense_seen_indicator(seen, weight.shape[0]).to(logits.dtype)
    ref = F.cross_entropy(logits, target)
    ref_grads = _grads(ref, params)
    got = full_softmax_cross_entropy(head, weight, bias, target, seen if with_seen else None,
                                     beta if with_seen else None, chunk_rows=chunk_rows)
    torch.testing.assert_close(got, ref, rtol=1e-12, atol=1e-12)
    for a, b in zip(_grads(got, params), ref_grads, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_gradcheck_against_finite_differences() -> None:
    head, weight, bias, target, seen, beta = _problem(n_rows=7, d=3, n=5)

    def f(h, w, b, bt):
        return full_softmax_cross_entropy(h, w, b, target, seen, bt, chunk_rows=3)

    assert torch.autograd.gradcheck(f, (head, weight, bias, beta))


def test_upstream_gradient_scales_the_stored_gradients() -> None:
    head, weight, bias, target, *_ = _problem()
    (g1,) = torch.autograd.grad(full_softmax_cross_entropy(head, weight, bias, target), [head])
    (g3,) = torch.autograd.grad(3.0 * full_softmax_cross_entropy(head, weight, bias, target), [head])
    torch.testing.assert_close(g3, 3.0 * g1)


def test_bf16_is_close_to_fp32_and_records_what_ran() -> None:
    head, weight, bias, target, seen, beta = _problem(n_rows=64, d=32, n=50, double=False)
    exact = full_softmax_cross_entropy(head, weight, bias, target, seen, beta)
    low = full_softmax_cross_entropy(head, weight, bias, target, seen, beta, precision="bf16")  # 8-bit mantissas
    assert abs(float(low.detach() - exact.detach())) < 0.02 * float(exact.detach())
    assert resolve_precision("fp32") == "fp32" and resolve_precision("bf16") == "bf16"
    assert resolve_precision("auto") in ("fp32", "bf16")
    assert TrainConfig(precision="auto").precision == resolve_precision("auto")  # a record says what really ran


def test_model_loss_equals_cross_entropy_of_model_logits() -> None:
    torch.manual_seed(0)
    model = InterestModel(ModelConfig(kind="full", cell="gru", n_items=30, n_users=4, dim=8, dropout=0.0,
                                      seen_bias=True))
    with torch.no_grad():
        model.seen_weight.fill_(-0.4)
    items = torch.randint(1, 31, (3, 6))
    rep = model(items, torch.zeros(3, dtype=torch.long), torch.zeros(3, 6))
    seen = model.causal_seen(items).reshape(18, 6)
    target = torch.randint(0, 30, (18,))
    ref = F.cross_entropy(model.logits(rep.reshape(18, -1), seen), target)
    got = model.loss(rep.reshape(18, -1), target, seen, chunk_rows=4)
    torch.testing.assert_close(got, ref)
    ref_g = torch.autograd.grad(ref, [model.seen_weight, model.item_emb.weight], retain_graph=True)
    got_g = torch.autograd.grad(got, [model.seen_weight, model.item_emb.weight])
    for a, b in zip(got_g, ref_g, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)


def test_unique_seen_counts_each_item_once() -> None:
    cols, keep = unique_seen(torch.tensor([[3, 0, 3, 1], [0, 0, 0, 0]]))
    assert keep.tolist() == [[False, True, True, False], [False] * 4]
    assert cols[0, 1:3].tolist() == [0, 2]  # items 1 and 3 (ids + 1) -> columns 0 and 2


def test_bad_input_gets_a_clear_error(clear_error) -> None:
    head, weight, bias, target, seen, beta = _problem()
    clear_error(lambda: full_softmax_cross_entropy(head, weight[:, :3], bias, target), ["head", "weight", "(37, 8)"])
    clear_error(lambda: full_softmax_cross_entropy(head, weight, bias[:4], target), ["bias", "(23,)", "(4,)"])
    clear_error(lambda: full_softmax_cross_entropy(head, weight, bias, target + 23), ["target", "0..22"])
    clear_error(lambda: full_softmax_cross_entropy(head, weight, bias, target.float()), ["target", "int64"])
    clear_error(lambda: full_softmax_cross_entropy(head, weight, bias, target, seen, None), ["seen", "beta"])
    clear_error(lambda: full_softmax_cross_entropy(head, weight, bias, target, seen[:5], beta), ["seen", "(37, S)"])
    clear_error(lambda: full_softmax_cross_entropy(head, weight, bias, target, precision="fp16"),
                ["precision", "fp16"])
    clear_error(lambda: full_softmax_cross_entropy(head, weight, bias, target, chunk_rows=0), ["chunk_rows"])
