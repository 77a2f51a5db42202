"""Print every glued value of a built book as JSON (name -> text), to diff two builds.

    python benchmarks/glue_values.py > /tmp/before.json     # after `make book`
    python benchmarks/glue_values.py --build other/_build > /tmp/after.json
    diff /tmp/before.json /tmp/after.json

Reads the ``*.glue.json`` files that myst-nb leaves beside the executed notebooks in ``_build/jupyter_execute``.
Figures and other rich values are reported by their MIME types only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def glue_values(build: Path) -> dict[str, str]:
    """``{"page:name": text}`` for every glued output under ``build/jupyter_execute`` (myst-nb's ``*.glue.json``)."""
    values: dict[str, str] = {}
    root = build / "jupyter_execute"
    for path in sorted(root.rglob("*.glue.json")):
        page = str(path.relative_to(root)).removesuffix(".glue.json")
        for name, out in json.loads(path.read_text(encoding="utf-8")).items():
            data = out.get("data", {})
            text = data.get("text/markdown") or (data.get("text/plain") if len(data) == 1 else None)
            values[f"{page}:{name}"] = ("".join(text) if isinstance(text, list) else text) if text \
                else "<" + ", ".join(sorted(data)) + ">"
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=Path("_build"), help="the build folder (default _build)")
    args = parser.parse_args()
    print(json.dumps(glue_values(args.build), indent=1, sort_keys=True, ensure_ascii=False))


if __name__ == "__main__":
    main()
