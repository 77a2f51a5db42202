"""Fixtures shared by several test files (one definition each)."""

from __future__ import annotations

import pytest


@pytest.fixture
def toy_split():
    """A small synthetic leave-one-out split (10 users, 15 items, seed 1): :func:`lessons.data.make_toy_split`."""
    from lessons.data import make_toy_split

    return make_toy_split(n_users=10, n_items=15, seed=1)
