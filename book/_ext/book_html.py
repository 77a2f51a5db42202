"""Small fixes to the HTML that Jupyter Book 1 writes, so the built book runs with no console errors.

- sphinx-thebe registers its inline configuration script twice under Sphinx 7.4, and the second
  ``const THEBE_JS_URL`` declaration throws a SyntaxError in every page. Identical inline scripts are
  dropped here, keeping the first.
- plotly.js is served from ``_static/offline``, loaded only on pages with a plotly figure
  (see ``lessons/pictures/plotly_book.py``) or an in-page cell panel.
- Pages with an in-page GRU/LSTM panel (``lessons/rnn/page_cell.py``) get ``_static/longshort.js``, which computes
  the steps in the browser and draws them with plotly.js.
- The ipywidgets embedder's fonts are copied to where it looks for them (beside the pages that use widgets).
- Pages with widgets get ``_static/widgets-mathjax-shim.js``: the embedder calls MathJax 2's ``Hub.Queue``,
  which MathJax 3 lacks.
- The colour mode defaults to light (sphinx-book-theme leaves it empty, which logs a console error).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

# Fonts of the ipywidgets embedder (webpack assets named by content hash).
_FONT_SUFFIXES = (".woff", ".woff2", ".ttf", ".eot", ".svg")


def _dedupe_scripts(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    kept = []
    for script in scripts:
        body = str(getattr(script, "attributes", {}).get("body", ""))
        # An inline script is registered once with filename None and once with "": same script.
        key = ("<inline>", body) if body else (str(getattr(script, "filename", script)), "")
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept
    # plotly.js only on pages that have a plotly figure, and before require.js (myst-nb's widget loader,
    # priority 500): loaded after it, plotly's UMD bundle would register as an anonymous AMD module
    # instead of defining window.Plotly.
    body = context.get("body", "")
    has_panel = 'class="longshort-panel' in body
    if "Plotly.newPlot" in body or has_panel:
        app.add_js_file("offline/plotly.min.js", priority=200)
    if has_panel:
        app.add_js_file("longshort.js", priority=210)
    if any(str(getattr(js, "filename", "")).endswith("offline/embed-amd.js") for js in scripts):
        app.add_js_file("widgets-mathjax-shim.js", priority=450)
    # sphinx-book-theme declares no default colour mode, so pydata-sphinx-theme's loader logs
    # "Got invalid theme mode" on a reader's first visit; give it the theme's own default.
    if not context.get("default_mode"):
        context["default_mode"] = "light"


def _copy_widget_fonts(app: Any, exception: Exception | None) -> None:
    """The embedder loads its fonts from ``<page folder>/@jupyter-widgets/html-manager/dist/`` (it derives the
    path from its AMD module name, resolved against the page). Put a copy there for every folder that has a
    page with widgets, so no request fails."""
    if exception is not None or app.builder.format != "html":
        return
    source = Path(app.outdir) / "_static" / "offline"
    fonts = [f for f in source.glob("*") if f.suffix in _FONT_SUFFIXES and f.is_file()]
    folders = {page.parent for page in Path(app.outdir).rglob("*.html")
               if "_static" not in page.parts and "offline/embed-amd.js" in page.read_text(encoding="utf-8")}
    for folder in sorted(folders):
        target = folder / "@jupyter-widgets" / "html-manager" / "dist"
        target.mkdir(parents=True, exist_ok=True)
        for font in fonts:
            shutil.copy2(font, target / font.name)


def setup(app: Any) -> dict[str, Any]:
    app.connect("build-finished", _copy_widget_fonts)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
