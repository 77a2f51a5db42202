"""Fixtures shared by several test files (one definition each)."""

from __future__ import annotations
