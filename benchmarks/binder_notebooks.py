"""Execute the notebooks in the Binder environment, one kernel each; print seconds and peak kernel memory.

Run it with the Python of the environment under test (``make binder-env`` builds ``.binder-venv`` from
``binder/`` exactly as repo2docker would):

    .binder-venv/bin/python benchmarks/binder_notebooks.py                 # every notebook, one line each
    .binder-venv/bin/python benchmarks/binder_notebooks.py --one-core      # Binder-sized: pinned to one CPU
    .binder-venv/bin/python benchmarks/binder_notebooks.py notebooks/worked_example.ipynb

Each notebook runs in a fresh child process whose kernel is a child of it, so the peak resident memory
(``ru_maxrss`` of the children) is the kernel's own. The kernel is checked to be this environment's Python
(a kernelspec from elsewhere on the machine would make the check meaningless), and the book's build-only
plotly renderer is switched off, as it is on Binder. Exit status 1 if any notebook fails.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINDER_MEMORY_MIB = 2048
BINDER_SECONDS = 30


def run_one(path: Path, timeout: int) -> dict[str, object]:
    """Execute one notebook in this process's environment; return its record (never raises on notebook errors)."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    guard = ("import sys\n"
             f"assert sys.prefix == {sys.prefix!r}, f'kernel runs {{sys.executable}}, not the Binder environment'")
    nb.cells.insert(0, nbformat.v4.new_code_cell(guard))
    os.environ.pop("LESSONS_PLOTLY_RENDERER", None)
    start = time.perf_counter()
    error = ""
    try:
        nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}).execute()
    except Exception as err:  # noqa: BLE001 - the record carries the error for the caller
        error = f"{type(err).__name__}: {str(err).strip().splitlines()[-1] if str(err).strip() else ''}"
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"notebook": path.name, "ok": not error, "seconds": round(seconds, 1),
            "peak_kernel_mib": round(peak_mib), "error": error}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    parser.add_argument("--one-core", action="store_true", help="pin each run to one CPU, as on Binder")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if args.child:
        print(json.dumps(run_one(paths[0].resolve(), args.timeout)))
        return 0
    env = dict(os.environ, OMP_NUM_THREADS="1") if args.one_core else dict(os.environ)
    failed = 0
    print(f"{'notebook':36s} {'s':>6s} {'MiB':>6s}  (Binder: ~{BINDER_SECONDS} s, {BINDER_MEMORY_MIB} MiB)")
    for path in paths:
        cmd = [sys.executable, __file__, "--child", "--timeout", str(args.timeout), str(path)]
        if args.one_core:
            cmd = ["taskset", "-c", "0", *cmd]
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        try:
            rec = json.loads(out.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            rec = {"notebook": path.name, "ok": False, "seconds": float("nan"), "peak_kernel_mib": 0,
                   "error": out.stderr.strip()[-500:]}
        flag = "" if rec["ok"] else f"  FAILED: {rec['error']}"
        over = [w for w, bad in (("time", rec["seconds"] > BINDER_SECONDS),
                                 ("memory", rec["peak_kernel_mib"] > BINDER_MEMORY_MIB)) if bad]
        print(f"{rec['notebook']:36s} {rec['seconds']:6.1f} {rec['peak_kernel_mib']:6d}"
              f"{'  over Binder ' + ' and '.join(over) if over else ''}{flag}", flush=True)
        failed += not rec["ok"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
