"""Build benchmark: clean-build time (every notebook executed), cached-rebuild time, venv size, page sizes.

    python benchmarks/build.py            # or: make bench

Targets (issue "Foundation"): clean build with execution <= 5 minutes on the 2-core machine; cached rebuild
(the HTML rebuilt from scratch, notebooks taken from the execution cache) <= 30 s; every page <= 8 MB.
The clean build deletes ``_build`` and ``.jupyter_cache``: the cache is rebuilt by the run itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tree_bytes(path: Path) -> int:
    """Total size of the regular files under ``path`` (symlinks not followed)."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def timed_build() -> float:
    """Seconds taken by one ``jupyter-book build`` exactly as ``make book`` runs it."""
    env = dict(os.environ, LESSONS_PLOTLY_RENDERER="book")
    start = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "jupyter-book"), "build", ".", "-W", "--keep-going",
                    "--builder", "html", "-q"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    for folder in ("_build", ".jupyter_cache"):
        shutil.rmtree(ROOT / folder, ignore_errors=True)
    clean = timed_build()
    shutil.rmtree(ROOT / "_build")
    cached = timed_build()
    html = ROOT / "_build" / "html"
    pages = sorted(((p.stat().st_size, str(p.relative_to(html))) for p in html.rglob("*.html")
                    if "_static" not in p.parts), reverse=True)
    report = {
        "clean_build_seconds": round(clean, 1),
        "cached_rebuild_seconds": round(cached, 1),
        "venv_mb": round(tree_bytes(ROOT / ".venv") / 2**20),
        "site_mb": round(tree_bytes(html) / 2**20, 1),
        "largest_pages_mb": {name: round(size / 2**20, 2) for size, name in pages[:5]},
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
