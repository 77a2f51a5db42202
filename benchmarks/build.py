"""Build benchmark: clean-build time (every notebook executed), cached-rebuild time, venv size, page sizes.

    python benchmarks/build.py            # or: make bench
    python benchmarks/build.py --weights [_build/html]   # page weights of an existing build only

Targets (issue "Foundation"): clean build with execution <= 5 minutes on the 2-core machine; cached rebuild
(the HTML rebuilt from scratch, notebooks taken from the execution cache) <= 30 s; every page <= 8 MB transferred
uncompressed on a cold load: the page plus every script, stylesheet and image it references (:func:`page_weight`;
fonts requested by stylesheets are not counted).
The clean build deletes ``_build`` and ``.jupyter_cache``: the cache is rebuilt by the run itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent


def tree_bytes(path: Path) -> int:
    """Total size of the regular files under ``path`` (symlinks not followed)."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


_REFS = re.compile(r"""<(?:script|img|link)\b[^>]*?\b(?:src|href)=["']([^"'#]+)["'][^>]*>""", re.IGNORECASE)
PAGE_BUDGET_MB = 8.0


def page_weight(page: Path) -> int:
    """Bytes a cold load of ``page`` transfers uncompressed: the HTML plus every local script, stylesheet, icon and
    image it references (each counted once; links to other pages are not followed)."""
    text = page.read_text(encoding="utf-8")
    files = {page}
    for ref in _REFS.findall(text):
        url = urlparse(ref)
        if url.scheme or url.netloc or not url.path:
            continue
        target = (page.parent / unquote(url.path)).resolve()
        if target.is_file() and target.suffix != ".html":
            files.add(target)
    return sum(f.stat().st_size for f in files)


def page_weights(html: Path) -> dict[str, float]:
    """MB per page of the built book, heaviest first."""
    pages = [p for p in html.rglob("*.html") if "_static" not in p.parts and "@jupyter-widgets" not in p.parts]
    weights = {str(p.relative_to(html)): round(page_weight(p) / 2**20, 2) for p in pages}
    return dict(sorted(weights.items(), key=lambda kv: -kv[1]))


def timed_build() -> float:
    """Seconds taken by one ``jupyter-book build`` exactly as ``make book`` runs it."""
    env = dict(os.environ, LESSONS_PLOTLY_RENDERER="book")
    start = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "jupyter-book"), "build", ".", "-W", "--keep-going",
                    "--builder", "html", "-q"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    if "--weights" in sys.argv:
        args = [a for a in sys.argv[1:] if a != "--weights"]
        weights = page_weights(Path(args[0]) if args else ROOT / "_build" / "html")
        over = {k: v for k, v in weights.items() if v > PAGE_BUDGET_MB}
        print(json.dumps({"page_weight_mb": weights, "over_budget": over}, indent=2))
        return 0
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
        "heaviest_page_loads_mb": dict(list(page_weights(html).items())[:5]),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
