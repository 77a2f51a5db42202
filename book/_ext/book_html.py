"""Small fixes to the HTML that Jupyter Book 1 writes, so the built book runs with no console errors.

- sphinx-thebe registers its inline configuration script twice under Sphinx 7.4, and the second
  ``const THEBE_JS_URL`` declaration throws a SyntaxError in every page. Identical inline scripts are
  dropped here, keeping the first.
"""

from __future__ import annotations

from typing import Any


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
    if "Plotly.newPlot" in context.get("body", ""):
        app.add_js_file("offline/plotly.min.js", priority=200)
    # sphinx-book-theme declares no default colour mode, so pydata-sphinx-theme's loader logs
    # "Got invalid theme mode" on a reader's first visit; give it the theme's own default.
    if not context.get("default_mode"):
        context["default_mode"] = "light"


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
