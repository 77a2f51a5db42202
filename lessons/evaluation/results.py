"""The results store: JSON-lines files under ``results/``, and the provenance every record carries.

Every JSON record under ``results/`` carries :func:`provenance` (which code, which packages, which machine, when)
so a reader can see where a number in the book came from and rerun it. Records are written only by the
repository's CLIs, through one writer (:func:`check_writable` before the work, :func:`append_record` after it) and
read by the chapters (:func:`read_records`, :func:`results_file`).

The store defends itself: files are append-only (a newer run of the same :func:`run_identity` supersedes the
older one when read; nothing is ever rewritten), every line is strict JSON (no NaN, no infinity), a torn line
is reported with ``file:line`` and skipped, and a failed append leaves the file as it was.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
import platform
import resource
import subprocess
import warnings
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


class ResultsWarning(UserWarning):
    """A line of a results file was skipped (torn by a crash or a full disk, or not a JSON record)."""


#: The fields that say which run a record is: data, model, configuration (seed and plan included).
#: Config options added after runs were committed, with the value that reproduces what those runs did: a config
#: holding that value has the identity of an older record without the option (so a rerun supersedes the old run
#: instead of counting as another seed). ``precision="fp32"``: the loss in float32, as before the fused loss.
LATER_DEFAULTS: dict[str, Any] = {"long_scope": "window", "precision": "fp32", "user_dropout": 0.0, "user_l2": 0.0}

IDENTITY_FIELDS: tuple[str, ...] = ("dataset", "protocol", "model", "baseline", "cell", "config", "grid", "seed",
                                    "max_len", "mask_seen")


def run_identity(record: dict[str, Any]) -> str:
    """A 16-hex-digit hash of what makes a run that run: :data:`IDENTITY_FIELDS` (config + seed + plan), not
    when, where or how fast it ran. Config entries that are ``None``, or equal to their :data:`LATER_DEFAULTS`
    value, are left out, so adding an option does not change the identity of older records; likewise
    ``mask_seen`` counts only when true (a baseline run with the hard seen-mask is another run than the same
    baseline without it)."""
    ident = {k: record[k] for k in IDENTITY_FIELDS if k in record}
    if not ident.get("mask_seen"):
        ident.pop("mask_seen", None)
    if isinstance(ident.get("config"), dict):
        ident["config"] = {k: v for k, v in ident["config"].items()
                           if v is not None and LATER_DEFAULTS.get(k, object()) != v}
    return hashlib.sha256(json.dumps(jsonable(ident), sort_keys=True).encode()).hexdigest()[:16]


def _non_finite(value: Any, where: str = "record") -> str | None:
    """The path of the first NaN or infinity inside ``value`` (e.g. ``record['config']['lr']``), or None."""
    if isinstance(value, dict):
        for k, v in value.items():
            found = _non_finite(v, f"{where}[{k!r}]")
            if found:
                return found
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            found = _non_finite(v, f"{where}[{i}]")
            if found:
                return found
    elif isinstance(value, float) and not math.isfinite(value):
        return f"{where} = {value!r}"
    return None


def record_line(record: dict[str, Any]) -> str:
    """``record`` as one line of strict JSON (sorted keys, newline included); ``ValueError`` naming the field
    if it holds a NaN or an infinity (which JSON cannot hold) or if ``record`` is not a dict."""
    if not isinstance(record, dict):
        raise ValueError(f"record must be a dict, got {type(record).__name__}")
    record = jsonable(record)
    bad = _non_finite(record)
    if bad:
        raise ValueError(f"record must hold finite numbers only (strict JSON), got {bad}")
    return json.dumps(record, sort_keys=True, allow_nan=False) + "\n"


def check_writable(path: Path, what: str = "out") -> Path:
    """Make sure results can be appended to ``path`` BEFORE any work starts; return it.

    Creates missing parent folders; raises ``ValueError`` naming ``what`` if the folder or the file cannot be
    written (read-only, a directory, no permission). Never changes an existing file.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise IsADirectoryError(21, "is a directory")
        if path.exists():
            with path.open("ab"):
                pass
        else:
            with path.open("xb"):
                pass
            path.unlink()
    except OSError as err:
        raise ValueError(f"{what} must be a writable file, got {str(path)!r} ({err.strerror or err})") from err
    return path


def append_record(path: Path, record: dict[str, Any]) -> bool:
    """Append ``record`` as one strict-JSON line to the results file ``path``; return False if the file
    already holds this exact record (same :func:`run_identity`, same content), True if it was written.

    The file is only ever appended to, under an exclusive lock. A torn last line (a crash or a full disk
    mid-write) is left where it is and the new record starts on a fresh line; if the write itself fails
    (e.g. the disk is full), the file is cut back to its previous size, so no half record remains, and
    ``OSError`` says so. A record with a NaN or an infinity raises ``ValueError`` before anything is written.
    """
    path = Path(path)
    line = record_line(record)
    new = json.loads(line)
    ident = run_identity(new)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        if size and any(run_identity(r) == ident and r == new for r in _parse(path, warn=False)):
            return False
        data = (b"\n" if size and os.pread(fd, 1, size - 1) != b"\n" else b"") + line.encode("utf-8")
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except OSError as err:
            os.ftruncate(fd, size)
            raise OSError(err.errno, f"could not append a record to {path} ({err.strerror}); the file was cut "
                                     f"back to its previous {size} bytes, no record was lost") from err
        return True
    finally:
        os.close(fd)  # closing releases the lock


def _parse(path: Path, warn: bool = True) -> list[dict[str, Any]]:
    """Every JSON-object line of ``path`` in file order; other lines are skipped (with a
    :class:`ResultsWarning` naming ``file:line`` when ``warn``)."""
    records = []
    for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
            if not isinstance(record, dict):
                raise ValueError(f"a JSON {type(record).__name__}, not an object")
        except (ValueError, UnicodeDecodeError) as err:
            if warn:
                warnings.warn(f"{path}:{number}: skipped a line that is not a complete JSON record ({err}); "
                              "it is probably the torn end of an interrupted write", ResultsWarning, stacklevel=3)
            continue
        records.append(record)
    return records


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not strict JSON")


def read_records(path: Path, dedupe: bool = True) -> list[dict[str, Any]]:
    """The records of a JSON-lines results file, in the order they were written.

    Lines that are not a complete JSON record (a torn last line, ``NaN``) are skipped with a
    :class:`ResultsWarning` naming ``file:line``; every other record stays readable. With ``dedupe``, a record
    whose :func:`run_identity` appears again later is superseded by the later one (a run repeated, a ``pick``
    repeated), so no run is counted twice.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no results at {path}; they are written by the CLI named in the chapter")
    records = _parse(path)
    if not dedupe:
        return records
    last = {run_identity(r): i for i, r in enumerate(records)}
    return [r for i, r in enumerate(records) if last[run_identity(r)] == i]


def write_records(path: Path, records: list[dict[str, Any]]) -> None:
    """Write a NEW JSON-lines file ``path`` holding ``records`` atomically (a temporary file, then a rename).

    Raises ``ValueError`` if ``path`` exists: results files are never rewritten (use :func:`append_record`).
    """
    path = Path(path)
    if path.exists():
        raise ValueError(f"path must not exist yet (results are appended, never rewritten), got {str(path)!r}")
    text = "".join(record_line(r) for r in records)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def results_file(name: str, results_dir: Path = RESULTS_DIR) -> Path:
    """``results/<name>.jsonl`` (e.g. ``results_file("baselines-ml-1m")``)."""
    return Path(results_dir) / f"{name}.jsonl"


def read_results(name: str, results_dir: Path = RESULTS_DIR) -> list[dict[str, Any]]:
    """The records of ``results/<name>.jsonl`` (:func:`read_records`, deduplicated), or ``[]`` when the campaign
    that writes the file has not run yet: a chapter shows "not run" rather than fail."""
    path = results_file(name, results_dir)
    return read_records(path) if path.exists() else []


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


__all__ = ["RESULTS_DIR", "IDENTITY_FIELDS", "ResultsWarning", "git_commit", "package_versions", "provenance",
           "run_identity", "record_line", "check_writable", "append_record", "read_records", "write_records",
           "results_file", "read_results", "peak_rss_mb", "jsonable"]
