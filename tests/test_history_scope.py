"""The long-term attention over the whole history (long_scope="history"): the same values as one long window."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lessons.casestudy.history import before_histories, before_windows
from lessons.casestudy.inputs import make_windows, score_histories
from lessons.casestudy.models import InterestModel, ModelConfig
from lessons.casestudy.train import TrainConfig, run

pytestmark = pytest.mark.usefixtures("torch_single_thread")


def _model(kind: str, scope: str = "history") -> InterestModel:
    torch.manual_seed(0)
    model = InterestModel(ModelConfig(kind=kind, cell="gru", n_items=20, n_users=3, dim=8, dropout=0.0,
                                      long_scope=scope))
    return model.eval()


@pytest.mark.parametrize("kind", ["long", "fused-gate"])
def test_window_plus_before_equals_one_long_window(kind: str) -> None:
    model = _model(kind)
    seqs = [np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]), np.array([2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5])]
    users = torch.tensor([0, 2])
    whole = torch.from_numpy(np.stack(seqs) + 1)
    with torch.no_grad():
        long_whole, _ = model.long_vector(whole, users)
        before = before_windows(seqs, np.array([0, 1]), np.array([7, 7]))  # users' rows 0, 1: first 7 items
        long_split, _ = model.long_vector(whole[:, 7:], users, before)
        alone, _ = model.long_vector(whole[:, 7:], users)
    torch.testing.assert_close(long_split, long_whole[:, 7:])
    assert not torch.allclose(alone, long_whole[:, 7:])  # the earlier items do change the vector


def test_window_scope_ignores_the_earlier_items() -> None:
    model = _model("long", scope="window")
    x = torch.tensor([[1, 2, 3]])
    before = before_histories([np.arange(10)], max_len=3)
    with torch.no_grad():
        torch.testing.assert_close(model.long_vector(x, torch.tensor([0]), before)[0],
                                   model.long_vector(x, torch.tensor([0]))[0])


def test_scoring_reads_the_whole_history_whatever_the_window() -> None:
    model = _model("long")
    hist = [np.array([3, 1, 4, 1, 5, 9, 2, 6]), np.array([5, 3])]
    short = score_histories(model, hist, None, np.array([0, 1]), max_len=3)
    long = score_histories(model, hist, None, np.array([0, 1]), max_len=100)
    np.testing.assert_allclose(short, long, rtol=1e-5, atol=1e-6)


def test_windows_record_where_they_start() -> None:
    seq = np.arange(30) % 7
    w = make_windows([seq], None, max_len=10, stride=5)
    for r in range(len(w)):
        a = int(w.starts[r])
        n = int((w.items[r] > 0).sum())
        np.testing.assert_array_equal(w.items[r, :n] - 1, seq[a:a + n])
    before = before_windows([seq], w.users, w.starts)
    assert before.ids.numel() == int(w.starts.sum()) and before.n_rows == len(w)


def test_training_with_the_history_scope_runs_and_is_recorded(toy_split) -> None:
    _, record = run(toy_split, TrainConfig(model="fused-gate-gru", long_scope="history", epochs=1, dim=8,
                                           batch_size=8, max_len=4, stride=2, threads=1))
    assert record["config"]["long_scope"] == "history" and np.isfinite(record["history"][0]["loss"])
    with pytest.raises(ValueError, match="long_scope"):
        ModelConfig(kind="long", cell="gru", n_items=5, n_users=2, long_scope="everything")
