"""plotly.js in the HTML book: the official "cartesian" bundle (1.5 MB instead of the full 4.8 MB), at exactly the
version the Python plotly package was written for, and enough for every trace the book draws.

The Makefile's ``assets`` recipe copies ``node_modules/plotly.js-cartesian-dist-min/plotly-cartesian.min.js`` to
``book/_static/offline/plotly.min.js``; ``book/_ext/book_html.py`` loads it on pages with a plotly figure or an
in-page cell panel (``book/_static/longshort.js``).
"""

from __future__ import annotations

import json
import re

import plotly.graph_objects as go
import plotly.offline
import pytest
from plotly.basedatatypes import BaseTraceType

from lessons.paths import REPO_ROOT

PACKAGE = "plotly.js-cartesian-dist-min"
# The trace modules of the cartesian bundle, as its README lists them (plotly.js 4.1.1).
CARTESIAN = {"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour", "image", "pie",
             "scatter", "scatterternary", "violin"}

_GO_TRACE = re.compile(r"\bgo\.([A-Z]\w*)\(")
_ADD_TRACE = re.compile(r"\.add_([a-z0-9]+)\(")
_JS_TYPE = re.compile(r"""\btype:\s*["']([a-z0-9]+)["']""")


def trace_types(python: str = "", javascript: str = "") -> set[str]:
    """plotly trace types named in Python source (``go.Scatter(``, ``fig.add_bar(``) and in JavaScript
    (``type: "heatmap"``)."""
    found = set()
    for name in _GO_TRACE.findall(python):
        cls = getattr(go, name, None)
        if isinstance(cls, type) and issubclass(cls, BaseTraceType) and cls is not BaseTraceType:
            found.add(cls().type)
    classes = (getattr(go, name) for name in dir(go) if name[:1].isupper())
    traces = {cls().type for cls in classes
              if isinstance(cls, type) and issubclass(cls, BaseTraceType) and cls is not BaseTraceType}
    found |= {name for name in _ADD_TRACE.findall(python) if name in traces}
    found |= set(_JS_TYPE.findall(javascript))
    return found


def _book_trace_types() -> set[str]:
    python = "\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "lessons").rglob("*.py")))
    notebooks = "\n".join("".join(cell["source"]) for nb in sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
                          for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]
                          if cell["cell_type"] == "code")
    javascript = "\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "book" / "_static").glob("*.js")))
    return trace_types(python + "\n" + notebooks, javascript)


def test_the_scan_finds_traces_and_ignores_the_rest() -> None:
    assert trace_types("fig = go.Figure(go.Scatter(y=y)); fig.add_bar(x=x); go.Frame(data=[go.Heatmap(z=z)])") \
        == {"scatter", "bar", "heatmap"}
    assert trace_types("go.Scatter3d(x=x)\nfig.add_annotation(x=1)\nfig.add_trace(t)") == {"scatter3d"}
    assert trace_types(javascript='Plotly.react(el, [{type: "bar"}, {type: "heatmap"}], {xaxis: {type: "log"}})') \
        >= {"bar", "heatmap"}


def test_every_trace_the_book_draws_is_in_the_cartesian_bundle() -> None:
    used = _book_trace_types()
    assert {"scatter", "bar", "heatmap"} <= used, f"the scan lost the book's own traces: {sorted(used)}"
    assert used - {"log", "linear", "category", "date"} <= CARTESIAN, (
        f"traces outside {PACKAGE}: {sorted(used - CARTESIAN)}; use a larger bundle in package.json and the Makefile")


def test_the_bundle_is_pinned_at_the_version_python_plotly_ships() -> None:
    want = plotly.offline.get_plotlyjs_version()
    package = json.loads((REPO_ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((REPO_ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert package["dependencies"][PACKAGE] == want, f"package.json pins {PACKAGE} at an exact version, {want}"
    assert lock["packages"][""]["dependencies"][PACKAGE] == want
    assert lock["packages"][f"node_modules/{PACKAGE}"]["version"] == want


def test_the_vendored_file_is_that_bundle() -> None:
    vendored = REPO_ROOT / "book" / "_static" / "offline" / "plotly.min.js"
    if not vendored.exists():
        pytest.skip("book/_static/offline is filled by `make assets`")
    head = vendored.read_bytes()[:200].decode("utf-8", "replace")
    assert f"plotly.js (cartesian - minified) v{plotly.offline.get_plotlyjs_version()}" in head, head
