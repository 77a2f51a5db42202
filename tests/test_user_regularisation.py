"""The user embedding's two regularisers: LSTUR's random mask (``user_dropout``) and an L2 penalty on the batch's
user vectors (``user_l2``)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lessons.casestudy.inputs import make_windows
from lessons.casestudy.models import InterestModel, ModelConfig
from lessons.casestudy.train import TrainConfig, build_model, run, train_epoch


def _model(kind: str = "fused-lstur", p: float = 0.5) -> InterestModel:
    torch.manual_seed(0)
    return InterestModel(ModelConfig(kind=kind, cell="gru", n_items=7, n_users=400, dim=6, dropout=0.0,
                                     user_dropout=p))


def test_the_mask_zeroes_whole_user_vectors_at_the_given_rate_in_training_only() -> None:
    model = _model(p=0.3)
    users = torch.arange(400)
    full = model.user_emb(users)
    torch.manual_seed(1)
    masked = model.user_vector(users)
    zero = (masked == 0).all(dim=1)
    kept = ~zero
    torch.testing.assert_close(masked[kept], full[kept])  # kept rows are not rescaled
    assert 0.22 < zero.float().mean().item() < 0.38  # 400 draws at p = 0.3
    model.eval()
    torch.testing.assert_close(model.user_vector(users), full)


def test_a_masked_user_starts_the_lstur_gru_from_the_zero_vector_state() -> None:
    """With every vector masked, LSTUR's initial state is tanh(init_h(0)) = tanh(bias) for every user."""
    model = _model(p=0.999999)
    items = torch.tensor([[1, 2, 3], [4, 5, 0]])
    torch.manual_seed(0)
    h0 = torch.tanh(model.init_h(model.user_vector(torch.tensor([0, 1]))))
    torch.testing.assert_close(h0[0], h0[1])
    torch.testing.assert_close(h0[0], torch.tanh(model.init_h.bias))
    assert model(items, torch.tensor([0, 1])).shape == (2, 3, 6)


@pytest.mark.parametrize("kind", ["long", "fused-gate"])
def test_without_its_user_vector_the_long_attention_is_a_plain_mean(kind: str) -> None:
    """A zero query scores every item alike: the long vector becomes the running mean of the items read."""
    model = _model(kind, p=0.999999)
    items = torch.tensor([[1, 2, 3, 4]])
    torch.manual_seed(0)
    long, _ = model.long_vector(items, torch.tensor([5]))
    v = model.item_emb(items)
    mean = torch.cumsum(v, 1) / torch.arange(1, 5).view(1, 4, 1)
    torch.testing.assert_close(long, mean)


def test_the_penalty_adds_exactly_user_l2_times_the_mean_squared_norm(toy_split) -> None:
    """One step with user_l2 = lam moves the weights as the cross-entropy plus lam * mean ||e_u||^2 would."""
    windows = make_windows(toy_split.train, toy_split.train_times, 4, 2)
    lam = 0.7
    grads = []
    for l2 in (0.0, lam):
        config = TrainConfig(model="fused-lstur-gru", dim=5, dropout=0.0, max_len=4, stride=2, threads=1)
        model = build_model(config, toy_split.n_items, toy_split.n_users)
        opt = torch.optim.SGD(model.parameters(), lr=1.0)
        before = model.user_emb.weight.detach().clone()
        train_epoch(model, windows, opt, len(windows), np.random.default_rng(0), user_l2=l2)
        grads.append(before - model.user_emb.weight.detach())  # SGD with lr 1: the step is the gradient
    users = np.asarray(windows.users)
    counts = np.bincount(users, minlength=toy_split.n_users)
    expected = lam * 2 * torch.from_numpy(counts / len(users)).float()[:, None] * before  # d/de of lam*mean||e||^2
    torch.testing.assert_close(grads[1] - grads[0], expected, atol=1e-5, rtol=1e-4)


def test_the_options_are_recorded_and_refused_where_they_mean_nothing(toy_split) -> None:
    _, record = run(toy_split, TrainConfig(model="long", user_dropout=0.5, user_l2=0.01, epochs=1, dim=8,
                                           batch_size=8, max_len=4, stride=2, threads=1))
    assert record["config"]["user_dropout"] == 0.5 and record["config"]["user_l2"] == 0.01
    assert np.isfinite(record["history"][0]["loss"])
    with pytest.raises(ValueError, match="user_l2 and user_dropout apply to models with a user embedding"):
        TrainConfig(model="full-gru", user_l2=0.01)
    with pytest.raises(ValueError, match="user_dropout must be < 1"):
        TrainConfig(model="long", user_dropout=1.0)
    with pytest.raises(ValueError, match="user_l2 must be >= 0"):
        TrainConfig(model="long", user_l2=-0.1)
    with pytest.raises(ValueError, match="user_dropout must be in .0, 1. and only for the kinds with a user embedding"):
        ModelConfig(kind="short", cell="gru", n_items=5, n_users=2, user_dropout=0.2)
