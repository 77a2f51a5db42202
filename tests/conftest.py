"""Fixtures shared by several test files (one definition each)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from lessons.paths import REPO_ROOT

ROOT = REPO_ROOT


def toc_pages() -> list[str]:
    """Every page of ``_toc.yml`` as a path without suffix: the root, then each part's chapters and their
    sections (at any depth) in reading order."""
    book = yaml.safe_load((ROOT / "_toc.yml").read_text())

    def walk(entries: list[dict[str, Any]]) -> Iterator[str]:
        for entry in entries:
            if "file" in entry:
                yield entry["file"]
            for key in ("chapters", "sections"):
                yield from walk(entry.get(key, []))

    return [book["root"], *walk(book.get("parts", []))]


@pytest.fixture(scope="session")
def toc() -> list[str]:
    """The book's table of contents: :func:`toc_pages`."""
    return toc_pages()


@pytest.fixture
def torch_single_thread() -> Iterator[Any]:
    """``torch`` with one intra-op thread (the house rule for torch tests: reproducible, and fair to a shared
    machine); the previous thread count is restored afterwards. Use with
    ``pytestmark = pytest.mark.usefixtures("torch_single_thread")`` or as an argument that yields ``torch``."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def clear_error():
    """``clear_error(call, words)``: ``call()`` raises a ValueError whose message contains every one of ``words``
    (the argument's name, what was expected, what was given). Returns the message."""

    def check(call: Any, words: list[str]) -> str:
        with pytest.raises(ValueError) as info:
            call()
        message = str(info.value)
        missing = [w for w in words if w not in message]
        assert not missing, f"the error {message!r} does not mention {missing}"
        return message

    return check


@pytest.fixture(scope="session")
def torch_pair():
    """``torch_pair(kind, input_size, hidden_size, seed) -> (layer, cell)``: a float64 ``torch.nn.GRU`` or ``LSTM``
    (``kind`` "gru" or "lstm") with weights drawn uniformly from [-1.5, 1.5] (far from torch's small defaults,
    so that saturation is exercised), and the ``GRUCell``/``LSTMCell`` holding the very same weights."""

    def make(kind: str, input_size: int, hidden_size: int, seed: int) -> tuple[Any, Any]:
        import torch

        layer_type, cell_type = {"gru": (torch.nn.GRU, torch.nn.GRUCell),
                                 "lstm": (torch.nn.LSTM, torch.nn.LSTMCell)}[kind]
        torch.manual_seed(seed)
        layer = layer_type(input_size, hidden_size, dtype=torch.float64)
        cell = cell_type(input_size, hidden_size, dtype=torch.float64)
        with torch.no_grad():
            for p in layer.parameters():
                p.uniform_(-1.5, 1.5)
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(cell, name).copy_(getattr(layer, name + "_l0"))
        return layer, cell

    return make


@pytest.fixture
def toy_split():
    """A small synthetic leave-one-out split (10 users, 15 items, seed 1): :func:`lessons.data.make_toy_split`."""
    from lessons.data import make_toy_split

    return make_toy_split(n_users=10, n_items=15, seed=1)
