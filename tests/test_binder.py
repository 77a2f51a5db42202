"""Binder: the environment that ``binder/`` describes runs every notebook.

Static checks (always run): every third-party package that a notebook or ``lessons/`` imports is pinned in
``binder/requirements.txt``, and so is every dependency of those (so repo2docker resolves nothing unpinned); each
pin agrees with ``requirements.txt``; ``postBuild`` installs the package and fetches the data the way ``make data``
does (sha256-checked).

The smoke test (marker ``binder``, run by ``make binder-test``, part of ``make test``): ``make binder-env`` builds
``.binder-venv`` from ``binder/`` as repo2docker would, and each notebook is executed there in a fresh kernel.
Without that environment it skips, except under ``CI=true``, where it fails.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
BINDER_PY = ROOT / ".binder-venv" / "bin" / "python"
RUNNER = ROOT / "benchmarks" / "binder_notebooks.py"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# Installed by repo2docker itself (and by every venv): never pinned by the book.
PROVIDED = {"pip", "setuptools", "wheel"}


def norm(name: str) -> str:
    """A distribution name in PEP 503 normal form."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """``{normalised name: version}`` of the ``name==version`` lines of a requirements file."""
    out = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            out[norm(name)] = version.strip()
    return out


def imported_modules(source: str) -> set[str]:
    """Top-level module names that ``source`` imports (absolute imports only)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def runtime_imports() -> set[str]:
    """Third-party modules imported by the notebooks' code cells and by ``lessons/``."""
    mods: set[str] = set()
    for nb in NOTEBOOKS:
        for cell in json.loads(nb.read_text())["cells"]:
            if cell["cell_type"] == "code":
                lines = "".join(cell["source"]).splitlines()
                code = "\n".join(ln for ln in lines if not ln.lstrip().startswith(("%", "!")))
                mods |= imported_modules(code)
    for py in (ROOT / "lessons").rglob("*.py"):
        mods |= imported_modules(py.read_text())
    return {m for m in mods if m not in sys.stdlib_module_names and m not in {"lessons", "__future__"}}


def test_every_runtime_import_is_pinned_for_binder() -> None:
    binder = pins(BINDER / "requirements.txt")
    dists = md.packages_distributions()
    missing = {}
    for module in sorted(runtime_imports()):
        if module == "keras":  # only inside the article's listing, which the book parses but never runs
            continue
        owners = {norm(d) for d in dists.get(module, [])}
        assert owners, f"module {module!r} is imported but no installed distribution provides it"
        if not owners & binder.keys():
            missing[module] = sorted(owners)
    assert not missing, f"imported at run time but not in binder/requirements.txt: {missing}"


def test_binder_pins_are_closed_under_dependencies() -> None:
    """pip on Binder must have nothing left to choose: every dependency of a pinned package is pinned too."""
    binder = pins(BINDER / "requirements.txt")
    unpinned = {}
    for name in binder:
        for spec in md.distribution(name).requires or []:
            req = Requirement(spec)
            if req.marker and not req.marker.evaluate({"extra": ""}):
                continue
            if norm(req.name) not in binder and norm(req.name) not in PROVIDED:
                unpinned.setdefault(norm(req.name), []).append(name)
    assert not unpinned, f"dependencies missing from binder/requirements.txt (needed by): {unpinned}"


def test_binder_pins_agree_with_requirements() -> None:
    book = pins(ROOT / "requirements.txt")
    text = (BINDER / "requirements.txt").read_text()
    for name, version in pins(BINDER / "requirements.txt").items():
        assert name in book, f"binder pins {name}, which requirements.txt does not"
        assert version.split("+")[0] == book[name], f"binder pins {name}=={version}, requirements.txt {book[name]}"
    assert "torch==2.13.0+cpu" in text and "download.pytorch.org/whl/cpu" in text, "Binder needs the CPU-only torch"


def test_binder_runtime_and_post_build_match_the_book() -> None:
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    post = (BINDER / "postBuild").read_text()
    fetch = re.search(r"^data: .*\n\t\$\(PY\) (-m \S+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert f"python {fetch}" in post, "postBuild must fetch the data with the Makefile's (sha256-checked) command"
    assert "pip install --no-deps" in post and "-e ." in post


@pytest.mark.binder
@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_in_the_binder_environment(notebook: Path) -> None:
    if not BINDER_PY.exists():
        reason = "no .binder-venv: run `make binder-env` first"
        if IN_CI:
            pytest.fail(reason + " (CI=true: the Binder smoke test may not be skipped)")
        pytest.skip(reason)
    out = subprocess.run([str(BINDER_PY), str(RUNNER), "--child", str(notebook)], capture_output=True, text=True,
                         cwd=ROOT, check=False, timeout=1800)
    assert out.returncode == 0, out.stderr[-2000:]
    record = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{record['notebook']}: {record['seconds']} s, kernel peak {record['peak_kernel_mib']} MiB")
    assert record["ok"], f"{notebook.name} fails in the Binder environment: {record['error']}"


def test_the_repository_url_lives_in_one_place() -> None:
    """``repository.url`` in _config.yml is the only place the book's repository address is written."""
    import yaml

    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")
    slug = "/".join(url.split("/")[-2:])
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    others = [f for f in tracked if f != "_config.yml" and (ROOT / f).is_file()
              and slug in (ROOT / f).read_text(errors="ignore")]
    assert not others, f"{slug} is written outside _config.yml: {others}"


@pytest.mark.browser
@pytest.mark.slow
def test_every_notebook_page_launches_itself_in_jupyterlab_on_binder() -> None:
    """The built pages' Binder buttons open the page's own notebook in JupyterLab, from the configured repository."""
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    build = ROOT / "_build" / "html"
    if not (build / "index.html").exists():
        reason = "no built book: run `make book` first"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    owner_repo = config["repository"]["url"].rstrip("/").split("github.com/")[1]
    branch = config["repository"]["branch"]
    for nb in NOTEBOOKS:
        html = (build / "notebooks" / f"{nb.stem}.html").read_text()
        links = set(re.findall(r'href="(https://mybinder\.org/[^"]+)"', html))
        expected = f"https://mybinder.org/v2/gh/{owner_repo}/{branch}?urlpath=lab/tree/notebooks/{nb.name}"
        assert links == {expected}, f"{nb.stem}: Binder links {links}, expected {expected}"
