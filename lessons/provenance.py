"""Provenance of a computed result: which code, which packages, which seed, which machine.

Every JSON record under ``results/`` carries :func:`provenance` so a reader can see where a number
in the book came from and rerun it.
"""

from __future__ import annotations

import json
import platform
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from lessons.paths import REPO_ROOT, RESULTS_DIR  # noqa: F401  (RESULTS_DIR re-exported until the move to lessons.evaluation)

_PACKAGES = ("numpy", "pandas", "torch", "scikit-learn")


def git_commit() -> str:
    """The current commit hash (with ``-dirty`` if the tree has uncommitted changes), or 'unknown'."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def package_versions(packages: tuple[str, ...] = _PACKAGES) -> dict[str, str]:
    """Installed versions of the packages that decide a result, plus Python's."""
    versions = {"python": platform.python_version()}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def provenance() -> dict[str, Any]:
    """A dict to merge into every result record: versions, commit, machine, UTC time."""
    return {
        "versions": package_versions(),
        "git_commit": git_commit(),
        "machine": {"platform": platform.platform(), "processor": platform.machine()},
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def append_record(path: Path, record: dict[str, Any]) -> None:
    """Append one record to a JSON-lines results file (one JSON object per line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, sort_keys=True) + "\n")


def read_records(path: Path) -> list[dict[str, Any]]:
    """All records of a JSON-lines results file, in the order they were written."""
    if not path.exists():
        raise FileNotFoundError(f"no results at {path}; they are written by the CLI named in the chapter")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
