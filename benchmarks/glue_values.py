"""Print every glued value of a built book as JSON (name -> text), to diff two builds.

    python benchmarks/glue_values.py > /tmp/before.json     # after `make book`
    python benchmarks/glue_values.py --build other/_build > /tmp/after.json
    diff /tmp/before.json /tmp/after.json

Reads the executed notebooks that Jupyter Book leaves in ``_build/jupyter_execute``; a glued value is an output
whose metadata carries ``scrapbook.name`` (myst-nb's ``glue``). Figures are reported by their MIME types only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def glue_values(build: Path) -> dict[str, str]:
    """``{"notebook:name": text}`` for every glued output under ``build/jupyter_execute``."""
    values: dict[str, str] = {}
    for nb_path in sorted((build / "jupyter_execute").rglob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            for out in cell.get("outputs", []):
                name = out.get("metadata", {}).get("scrapbook", {}).get("name")
                if name is None:
                    continue
                data = out.get("data", {})
                text = data.get("text/plain")
                values[f"{nb_path.stem}:{name}"] = "".join(text) if text and len(data) == 1 else \
                    "<" + ", ".join(sorted(data)) + ">"
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=Path("_build"), help="the build folder (default _build)")
    args = parser.parse_args()
    print(json.dumps(glue_values(args.build), indent=1, sort_keys=True, ensure_ascii=False))


if __name__ == "__main__":
    main()
