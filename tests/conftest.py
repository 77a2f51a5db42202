"""Fixtures shared by several test files (one definition each)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def toc_pages() -> list[str]:
    """Every page of ``_toc.yml`` as a path without suffix, root first, parts and sections in order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            pages.append(chapter["file"])
            pages.extend(section["file"] for section in chapter.get("sections", []))
    return pages


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
