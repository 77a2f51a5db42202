"""Invariants of the case-study models: shapes, causality, padding, the short window, order-freeness of the
long vector, the gate's convex mix, LSTUR's user-dependent start, the causal attention, clear errors."""

from __future__ import annotations

import math

import pytest
import torch

from lessons.casestudy.models import (
    CELLS,
    MODEL_KINDS,
    InterestModel,
    ModelConfig,
    count_parameters,
    model_name,
    parse_model_name,
)

torch.set_num_threads(1)
N_ITEMS, N_USERS, D = 12, 4, 8


def make(kind: str, cell: str = "gru", short_k: int = 3, seed: int = 0) -> InterestModel:
    torch.manual_seed(seed)
    model = InterestModel(
        ModelConfig(
            kind=kind, cell=cell, n_items=N_ITEMS, n_users=N_USERS, dim=D, dropout=0.0, short_k=short_k
        )
    ).double()
    return model.eval()


def batch(b: int = 3, t: int = 7, seed: int = 1) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    items = torch.randint(1, N_ITEMS + 1, (b, t), generator=g)
    users = torch.randint(0, N_USERS, (b,), generator=g)
    gaps = torch.rand(b, t, generator=g, dtype=torch.float64) * 1e5
    return items, users, gaps


ALL = [(k, c) for k in MODEL_KINDS for c in CELLS]


def test_names_round_trip_and_aliases() -> None:
    for kind, cell in ALL:  # the long-term model has no cell: every spelling of it is ('long', 'gru')
        assert parse_model_name(model_name(kind, cell)) == (kind, "gru" if kind == "long" else cell)
    assert parse_model_name("fused-gru") == ("fused-gate", "gru")
    assert parse_model_name("fused-lstur-lstm") == ("fused-lstur", "lstm")
    assert parse_model_name("long") == ("long", "gru")
    for bad in ("gru", "full-rnn", "medium-gru", "", 3):
        with pytest.raises(ValueError, match="model must look like"):
            parse_model_name(bad)


@pytest.mark.parametrize("kind,cell", ALL)
def test_shapes_and_logits(kind: str, cell: str) -> None:
    model = make(kind, cell)
    items, users, gaps = batch()
    rep = model(items, users, gaps)
    assert rep.shape == (3, 7, D)
    assert model.logits(rep).shape == (3, 7, N_ITEMS)
    assert torch.isfinite(rep).all()


@pytest.mark.parametrize("kind,cell", ALL)
def test_causal_future_items_do_not_change_the_past(kind: str, cell: str) -> None:
    model = make(kind, cell)
    items, users, gaps = batch()
    changed = items.clone()
    changed[:, 5:] = (changed[:, 5:] % N_ITEMS) + 1  # different future items
    a, b = model(items, users, gaps), model(changed, users, gaps)
    torch.testing.assert_close(a[:, :5], b[:, :5])
    assert not torch.allclose(a[:, 5:], b[:, 5:])


@pytest.mark.parametrize("kind,cell", ALL)
def test_right_padding_is_invisible(kind: str, cell: str) -> None:
    model = make(kind, cell)
    items, users, gaps = batch(b=2, t=6)
    padded = torch.cat([items, torch.zeros(2, 4, dtype=items.dtype)], dim=1)
    gaps_p = torch.cat([gaps, torch.zeros(2, 4, dtype=gaps.dtype)], dim=1)
    torch.testing.assert_close(model(padded, users, gaps_p)[:, :6], model(items, users, gaps))


@pytest.mark.parametrize("cell", CELLS)
def test_short_model_reads_only_the_last_k_items(cell: str) -> None:
    model = make("short", cell, short_k=3)
    items, users, gaps = batch(b=2, t=8)
    changed = items.clone()
    changed[:, 2] = (changed[:, 2] % N_ITEMS) + 1  # position 2 is outside the window of positions >= 5
    a, b = model(items), model(changed)
    torch.testing.assert_close(a[:, 5:], b[:, 5:])
    assert not torch.allclose(a[:, 2:5], b[:, 2:5])
    # the window at position t equals a fresh run of the cell over items[t-2 .. t]
    t = 6
    direct, _ = model.rnn(model.item_emb(items[:, t - 2 : t + 1]))
    torch.testing.assert_close(a[:, t], direct[:, -1])


def test_long_vector_ignores_order_and_matches_a_direct_masked_softmax() -> None:
    model = make("long")
    items, users, _ = batch(b=2, t=6)
    perm = items[:, [3, 0, 2, 1, 4, 5]]  # shuffle the first four items
    a, b = model(items, users), model(perm, users)
    torch.testing.assert_close(a[:, 3:], b[:, 3:])
    # direct computation of long_t = e_u + sum_{j<=t} softmax_j(e_u . K v_j / sqrt d) v_j
    e_u = model.user_emb(users)
    v = model.item_emb(items)
    s = (model.att_key(v) @ e_u.unsqueeze(-1)).squeeze(-1) / math.sqrt(D)
    for t in range(6):
        w = torch.softmax(s[:, : t + 1], dim=1)
        expected = e_u + (w.unsqueeze(-1) * v[:, : t + 1]).sum(1)
        torch.testing.assert_close(a[:, t], expected)


def test_attention_pooling_gradients_match_finite_differences() -> None:
    model = make("long")
    items, users, _ = batch(b=1, t=5)
    model.zero_grad()
    model(items, users).pow(2).sum().backward()
    grad = model.att_key.weight.grad.clone()
    eps = 1e-6
    for i, j in ((2, 3), (0, 7), (5, 1)):
        with torch.no_grad():
            base = model.att_key.weight[i, j].item()
            model.att_key.weight[i, j] = base + eps
            fp = model(items, users).pow(2).sum().item()
            model.att_key.weight[i, j] = base - eps
            fm = model(items, users).pow(2).sum().item()
            model.att_key.weight[i, j] = base
        assert abs((fp - fm) / (2 * eps) - grad[i, j].item()) < 1e-6


@pytest.mark.parametrize("cell", CELLS)
def test_gate_is_a_convex_mix_of_long_and_short(cell: str) -> None:
    model = make("fused-gate", cell)
    items, users, gaps = batch()
    parts = model(items, users, gaps, return_parts=True)
    alpha = parts["alpha"]
    assert ((alpha > 0) & (alpha < 1)).all()
    torch.testing.assert_close(parts["rep"], alpha * parts["long"] + (1 - alpha) * parts["h"])
    # the gate reads the time gap
    other = model(items, users, gaps * 0 + 3600.0 * 24 * 365, return_parts=True)["alpha"]
    assert not torch.allclose(alpha, other)


@pytest.mark.parametrize("cell", CELLS)
def test_lstur_starts_from_the_user_and_full_ignores_it(cell: str) -> None:
    items, _, _ = batch(b=1, t=5)
    lstur, full = make("fused-lstur", cell), make("full", cell)
    u0, u1 = torch.tensor([0]), torch.tensor([1])
    assert not torch.allclose(lstur(items, u0), lstur(items, u1))
    torch.testing.assert_close(full(items, u0), full(items, u1))
    # the initial state is tanh(W e_u): with it, nn.GRU/LSTM reproduce the model's states
    e_u = lstur.user_emb(u0)
    h0 = torch.tanh(lstur.init_h(e_u)).unsqueeze(0)
    state = (h0, lstur.init_c(e_u).unsqueeze(0)) if cell == "lstm" else h0
    direct, _ = lstur.rnn(lstur.item_emb(items), state)
    torch.testing.assert_close(lstur(items, u0), direct)


def test_lstm_has_four_thirds_the_recurrent_weights_of_gru() -> None:
    gru, lstm = make("full", "gru"), make("full", "lstm")
    n_rnn = lambda m: sum(p.numel() for p in m.rnn.parameters())  # noqa: E731
    assert n_rnn(gru) == 3 * (2 * D * D + 2 * D)
    assert n_rnn(lstm) == 4 * (2 * D * D + 2 * D)
    assert count_parameters(lstm) - count_parameters(gru) == D * (2 * D + 2)


def test_bad_input_is_refused_clearly() -> None:
    model = make("fused-gate")
    items, users, gaps = batch()
    with pytest.raises(ValueError, match="items must hold ids"):
        model(items + N_ITEMS, users, gaps)
    with pytest.raises(ValueError, match="items must have shape"):
        model(items[0], users, gaps)
    with pytest.raises(ValueError, match="users must have shape"):
        model(items, None, gaps)
    with pytest.raises(ValueError, match="users must be ids"):
        model(items, users + N_USERS, gaps)
    with pytest.raises(ValueError, match="gaps must have the shape"):
        model(items, users, gaps[:, :2])
    with pytest.raises(ValueError, match="dropout"):
        ModelConfig(kind="full", cell="gru", n_items=3, n_users=1, dropout=1.5)
    with pytest.raises(ValueError, match="kind must be one of"):
        ModelConfig(kind="medium", cell="gru", n_items=3, n_users=1)


def test_score_items_equals_the_logits_at_those_items() -> None:
    model = make("full").eval()
    items, users, gaps = batch()
    rep = model(items, users, gaps)[:, -1]  # (B, d)
    cand = torch.tensor([[0, 5, 7], [3, 3, 1], [9, 2, 0]])
    expected = torch.gather(model.logits(rep), 1, cand)
    torch.testing.assert_close(model.score_items(rep, cand), expected)
    with pytest.raises(ValueError, match="rep must be"):
        model.score_items(rep, cand[:2])
