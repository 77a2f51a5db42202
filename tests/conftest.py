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


@pytest.fixture
def toy_split():
    """A small synthetic leave-one-out split (10 users, 15 items, seed 1): :func:`lessons.data.make_toy_split`."""
    from lessons.data import make_toy_split

    return make_toy_split(n_users=10, n_items=15, seed=1)
