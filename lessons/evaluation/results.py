"""The results store: JSON-lines files under ``results/``, and the provenance every record carries.

Every JSON record under ``results/`` carries :func:`provenance` (which code, which packages, which machine, when)
so a reader can see where a number in the book came from and rerun it. Records are written only by the
repository's CLIs (:func:`append_record`, :func:`write_records`) and read by the chapters (:func:`read_records`,
:func:`results_file`).
"""

from __future__ import annotations

import json
import platform
import resource
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from lessons.paths import REPO_ROOT, RESULTS_DIR

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


def write_records(path: Path, records: list[dict[str, Any]]) -> None:
    """Replace the JSON-lines file ``path`` with ``records`` (one JSON object per line)."""
    path.unlink(missing_ok=True)
    for record in records:
        append_record(path, record)


def results_file(name: str, results_dir: Path = RESULTS_DIR) -> Path:
    """``results/<name>.jsonl`` (e.g. ``results_file("baselines-ml-1m")``)."""
    return Path(results_dir) / f"{name}.jsonl"


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def jsonable(value: Any) -> Any:
    """Plain JSON types from numpy scalars/arrays, tuples and nested dicts."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list | np.ndarray):
        return [jsonable(v) for v in value]
    if isinstance(value, np.integer | int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, np.floating | float):
        return float(value)
    return value


__all__ = ["RESULTS_DIR", "git_commit", "package_versions", "provenance", "append_record", "read_records",
           "write_records", "results_file", "peak_rss_mb", "jsonable"]
