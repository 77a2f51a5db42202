"""The build extension's page fixes (book/_ext/book_html.py) and the icon stylesheet (book/_ext/icons_css.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

from lessons.paths import REPO_ROOT

EXT = REPO_ROOT / "book" / "_ext"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_book_ext_{name}", EXT / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _script(filename: str | None, **attributes: str) -> SimpleNamespace:
    return SimpleNamespace(filename=filename, attributes=attributes)


def _scripts() -> list[SimpleNamespace]:
    return [_script("doctools.js"), _script("offline/require.js"), _script("offline/embed-amd.js"),
            _script(None, type="application/vnd.jupyter.widget-state+json", body="{}"), _script("book.js")]


def test_pages_without_a_widget_view_drop_the_embedder() -> None:
    ext = _load("book_html")
    context = {"body": "<p>a note instead of a widget</p>", "script_files": _scripts()}
    ext._drop_unused_widget_js(None, "page", "page.html", context, None)
    assert [s.filename for s in context["script_files"]] == ["doctools.js", "book.js"]


def test_pages_with_a_widget_view_keep_it() -> None:
    ext = _load("book_html")
    body = '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "x"}</script>'
    context = {"body": body, "script_files": _scripts()}
    ext._drop_unused_widget_js(None, "page", "page.html", context, None)
    assert len(context["script_files"]) == 5


def test_icon_script_is_removed_from_built_pages(tmp_path: Path) -> None:
    ext = _load("book_html")
    page = tmp_path / "notebooks" / "p.html"
    page.parent.mkdir()
    page.write_text('<head>\n  <script defer src="../_static/scripts/fontawesome.js?digest=55c26"></script>\n'
                    '<script src="../_static/book.js"></script></head>', encoding="utf-8")
    app = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"))
    ext._drop_icon_script(app, None)
    text = page.read_text(encoding="utf-8")
    assert "fontawesome" not in text and "book.js" in text


def test_icon_stylesheet_is_current_and_has_every_icon_the_theme_uses() -> None:
    icons = _load("icons_css")
    css = icons.css()
    assert (REPO_ROOT / "book" / "_static" / "icons.css").read_text(encoding="utf-8") == css, \
        "book/_static/icons.css is stale: run .venv/bin/python book/_ext/icons_css.py"
    for name in ("magnifying-glass", "bars", "list", "sun", "moon", "circle-half-stroke", "github", "rocket",
                 "download", "expand", "file-pdf", "arrow-up", "angle-left", "angle-right", "outdent"):
        assert f"i.fa-{name} {{" in css, name
    assert len(css) < 40_000


def test_legible_width_keeps_the_smallest_text_at_ten_px() -> None:
    ext = _load("book_html")
    svg = ('<svg width="600pt" viewBox="0 0 600 300"><text style="font-size: 12px">a</text>'
           '<text style="font: 8px sans">b</text></svg>')
    assert ext.legible_width(svg) == 750  # 8 units shown at 10 px: 600 units at 750 px
    assert ext.legible_width('<svg viewBox="0 0 600 300"><path d="M0 0"/></svg>') is None


def test_svg_figures_are_marked_with_their_legible_width(tmp_path: Path) -> None:
    ext = _load("book_html")
    (tmp_path / "_images").mkdir()
    (tmp_path / "_images" / "f.svg").write_text('<svg viewBox="0 0 1128 490"><text style="font-size: 11px">x'
                                                '</text></svg>', encoding="utf-8")
    page = tmp_path / "notebooks" / "p.html"
    page.parent.mkdir()
    page.write_text('<img alt="map" src="../_images/f.svg" /><img src="../_images/g.png" />', encoding="utf-8")
    app = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"))
    ext._mark_legible_width(app, None)
    ext._mark_legible_width(app, None)  # a second pass leaves a marked page alone
    assert page.read_text(encoding="utf-8") == ('<img alt="map" src="../_images/f.svg" data-legible-width="1026"/>'
                                                '<img src="../_images/g.png" />')
