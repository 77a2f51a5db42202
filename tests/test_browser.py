"""The built book, as a reader's browser sees it: Debian's headless Chromium driven by Playwright.

Checks every page of the table of contents: it loads, logs no JavaScript error, makes no request that leaves
localhost, and renders its mathematics (no raw ``$$`` left). On the "How to use" page it checks that a plotly
figure with a slider appears and that dragging the plotly slider changes the plot.

As a reader sees the pages (issue 16): at 1400 and at 390 px wide no element of the article is wider than the
viewport outside a scroll container and no raster image is drawn larger than its natural size; at 390 px no SVG
figure is shrunk below the width at which its smallest text is 10 px (it scrolls in its box instead); in dark mode
no plotly figure (cell diagrams and in-page panels included) is a white slab, has dark text or draws a line or bar
in the dark text colour; no static widget can be dragged without its figure changing (the build shows live
widgets as an inert note, and the widget embedder is loaded only where a widget view remains).

Needs ``_build/html`` (``make book``) and ``/usr/bin/chromium``. Where either is missing the tests skip with a
reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DEMO_PAGE = "notebooks/how_to_use"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser check may not be skipped)")
    pytest.skip(reason)


def toc_pages() -> list[str]:
    """Every page of ``_toc.yml`` as a path without suffix, root first."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            pages.append(chapter["file"])
            pages.extend(section["file"] for section in chapter.get("sections", []))
    return pages


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """Serve ``_build/html`` on a free localhost port; yield its base URL."""
    if not (BUILD / "index.html").exists():
        _missing(f"{BUILD} has no built book: run `make book` first")
    handler = functools.partial(_QuietHandler, directory=str(BUILD))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        _missing(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -r requirements.txt)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


class PageVisit:
    """One page load with its console errors and its requests to hosts other than localhost."""

    def __init__(self, browser: object, url: str, width: int = 1280, height: int = 900, dark: bool = False) -> None:
        self.errors: list[str] = []
        self.external: list[str] = []
        self.failed: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           color_scheme="dark" if dark else "light")
        if dark:  # what the theme's switch stores: pydata-sphinx-theme reads it before the first paint
            self.context.add_init_script("localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');")
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url)
                     if urlparse(r.url).hostname in {"127.0.0.1", "localhost"} else None)
        self.page.route("**/*", self._route)
        response = self.page.goto(url, wait_until="load", timeout=90_000)
        self.status = response.status if response else None
        # Let deferred scripts (MathJax, widgets, plotly) run and report; "networkidle" is not used because
        # it can wait forever on a busy two-core machine.
        self.page.wait_for_timeout(1_500)

    def _route(self, route: object) -> None:
        url = route.request.url
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:", "about:")) or host in {"127.0.0.1", "localhost"}:
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("page_path", toc_pages())
def test_page_loads_offline_without_errors(site: str, browser: object, page_path: str) -> None:
    html = BUILD / f"{page_path}.html"
    assert html.exists(), f"{page_path} is in _toc.yml but {html} was not built"
    visit = PageVisit(browser, f"{site}/{page_path}.html")
    try:
        assert visit.status == 200
        assert visit.external == [], f"requests left localhost: {visit.external[:5]}"
        assert visit.failed == [], f"local requests failed: {visit.failed[:5]}"
        assert visit.errors == [], f"JavaScript errors: {visit.errors[:5]}"
        page = visit.page
        if page.locator("div.math, span.math").count() > 0:
            page.wait_for_selector("mjx-container", state="attached", timeout=30_000)
            body = page.inner_text("article")
            assert "$$" not in body, "raw $$ left in the page: MathJax did not render"
            assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
    finally:
        visit.close()


def _plot_ys(page: object) -> list[float]:
    # _fullData holds the decoded arrays (data[0].y may still be plotly's base64 {dtype, bdata} form).
    return page.evaluate("() => Array.from(document.querySelector('.js-plotly-plot')._fullData[0].y)")


def test_plotly_slider_and_widget_work(site: str, browser: object) -> None:
    visit = PageVisit(browser, f"{site}/{DEMO_PAGE}.html")
    try:
        page = visit.page
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
        slider = page.locator(".js-plotly-plot .slider-container").first
        assert slider.count() == 1, "the plotly figure has no slider"
        # The live widget of this page is an inert note in the static book (no slider that moves nothing).
        page.locator(".lessons-static-widget").first.wait_for(state="visible", timeout=20_000)
        assert page.locator(".widget-slider, .jupyter-widgets.widget-hslider").count() == 0

        slider.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        before = _plot_ys(page)
        grip = page.locator(".js-plotly-plot .slider-grip-rect").first
        rail = page.locator(".js-plotly-plot .slider-rail-rect").first
        gbox, rbox = grip.bounding_box(), rail.bounding_box()
        assert gbox and rbox, "slider grip or rail not visible"
        page.mouse.move(gbox["x"] + gbox["width"] / 2, gbox["y"] + gbox["height"] / 2)
        page.mouse.down()
        page.mouse.move(rbox["x"] + 0.95 * rbox["width"], gbox["y"] + gbox["height"] / 2, steps=10)
        page.mouse.up()
        page.wait_for_timeout(300)
        after = _plot_ys(page)
        assert len(after) == len(before)
        change = max(abs(a - b) for a, b in zip(after, before, strict=True))
        assert change > 0.05, "dragging the slider did not change the plot"
        assert visit.errors == [], f"JavaScript errors: {visit.errors[:5]}"
        assert visit.external == [], f"requests left localhost: {visit.external[:5]}"
    finally:
        visit.close()


# ------------------------------------------------------------------------------------------ as a reader sees it
WIDTHS = {"desktop": (1400, 900), "phone": (390, 844)}

_OVERFLOW_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const bad = [];
  for (const el of document.querySelectorAll('.bd-article *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= vw + 1) continue;
    let p = el.parentElement, inside = false;
    while (p && !inside) { inside = scrolls(p) && p.getBoundingClientRect().right <= vw + 1; p = p.parentElement; }
    if (!inside && getComputedStyle(el).visibility !== 'hidden')
      bad.push(`${el.tagName.toLowerCase()}.${String(el.className).slice(0, 40)} right=${Math.round(r.right)}`);
  }
  return {vw, page: document.documentElement.scrollWidth, bad: bad.slice(0, 6)};
}"""

_UPSCALED_JS = """() => Array.from(document.querySelectorAll('.bd-article img')).filter(im => {
  const r = im.getBoundingClientRect();
  return im.complete && im.naturalWidth > 0 && !im.src.endsWith('.svg') && !im.src.startsWith('data:image/svg')
    && r.width > im.naturalWidth + 1;
}).map(im => `${im.src.split('/').pop().slice(0, 40)}: natural ${im.naturalWidth}px drawn `
  + `${Math.round(im.getBoundingClientRect().width)}px`)"""

# The two step-by-step chapters: cell diagrams and in-page panels (longshort.js); on a phone a panel's knob grid may
# scroll, and in dark mode every one of their figures must follow the theme.
_SHRUNK_JS = """() => Array.from(document.querySelectorAll('.bd-article img[data-legible-width]')).filter(im => {
  const need = Math.min(im.naturalWidth, parseFloat(im.dataset.legibleWidth));
  return im.complete && im.naturalWidth > 0 && im.getBoundingClientRect().width < need - 1;
}).map(im => `${im.src.split('/').pop().slice(0, 40)}: drawn ${Math.round(im.getBoundingClientRect().width)}px, `
  + `its smallest text needs ${im.dataset.legibleWidth}px`)"""

GENEROUS = {"notebooks/gru_step_by_step", "notebooks/lstm_step_by_step"}


@pytest.mark.parametrize("size", WIDTHS)
@pytest.mark.parametrize("page_path", toc_pages())
def test_page_fits_the_viewport(site: str, browser: object, page_path: str, size: str) -> None:
    width, height = WIDTHS[size]
    visit = PageVisit(browser, f"{site}/{page_path}.html", width=width, height=height)
    try:
        page = visit.page
        if page.locator(".js-plotly-plot").count():
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
            page.wait_for_timeout(500)  # responsive plotly figures resize after load
        found = page.evaluate(_OVERFLOW_JS)
        if page_path in GENEROUS and size == "phone":
            found["bad"] = [b for b in found["bad"] if "longshort" not in b]
        assert found["bad"] == [], f"wider than the {width}px viewport, outside a scroll container: {found['bad']}"
        assert found["page"] <= found["vw"] + 1, f"the page scrolls sideways ({found['page']} > {found['vw']} px)"
        assert page.evaluate(_UPSCALED_JS) == [], "raster images drawn larger than their natural size"
        if size == "phone":  # SVG figures scroll in their own box rather than shrink their text under 10 px
            assert page.evaluate(_SHRUNK_JS) == [], "figures shrunk below a legible size on a phone"
    finally:
        visit.close()


_DARK_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(div => {
  const svg = div.querySelector('svg.main-svg');
  const bg = svg ? getComputedStyle(svg).backgroundColor : 'none';
  const rects = Array.from(div.querySelectorAll('rect.bg')).map(r => getComputedStyle(r).fill);
  const text = div.querySelector('.xtick text, .ytick text, .gtitle, .legendtext');
  // lines, arrows and bars still drawn in the palette's dark text colour (#333) vanish on a dark page
  const ink = Array.from(div.querySelectorAll('path')).filter(p => {
    const cs = getComputedStyle(p);
    return (cs.stroke === 'rgb(51, 51, 51)' && cs.strokeWidth !== '0px') || cs.fill === 'rgb(51, 51, 51)';
  }).length;
  return {bg, rects, ink, text: text ? getComputedStyle(text).fill : null,
          panel: !!div.closest('.longshort-panel'), title: (div.querySelector('.gtitle') || {}).textContent || ''};
})"""


def _light(colour: str | None) -> bool:
    """True for an opaque colour brighter than mid-grey (``rgb(...)``/``rgba(...)`` as the browser reports it)."""
    if not colour or not colour.startswith("rgb"):
        return False
    parts = [float(v) for v in colour[colour.index("(") + 1:-1].split(",")]
    alpha = parts[3] if len(parts) == 4 else 1.0
    return alpha > 0.5 and sum(parts[:3]) / 3 > 180


PLOTLY_PAGES = [p for p in toc_pages() if (BUILD / f"{p}.html").exists()
                and "Plotly.newPlot" in (BUILD / f"{p}.html").read_text(encoding="utf-8")]


@pytest.mark.parametrize("page_path", PLOTLY_PAGES or ["(no built plotly page)"])
def test_plotly_follows_dark_mode(site: str, browser: object, page_path: str) -> None:
    if not PLOTLY_PAGES:
        _missing(f"{BUILD} has no built page with a plotly figure")
    visit = PageVisit(browser, f"{site}/{page_path}.html", dark=True)
    try:
        page = visit.page
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
        if page.locator(".longshort-panel").count():  # the in-page panels draw once their script has run
            page.wait_for_function("() => document.querySelectorAll('.longshort-panel .js-plotly-plot .main-svg')"
                                   ".length >= document.querySelectorAll('.longshort-plot').length", timeout=30_000)
        figures = page.evaluate(_DARK_JS)
        white = [f for f in figures if _light(f["bg"]) or any(_light(r) for r in f["rects"])]
        dark_text = [f for f in figures if f["text"] and not _light(f["text"])]
        dark_ink = [f for f in figures if f["ink"]]
        assert white == [], f"plotly figures with a white background in dark mode: {white[:3]}"
        assert dark_text == [], f"plotly text not lightened in dark mode: {dark_text[:3]}"
        assert dark_ink == [], f"lines or bars in the dark text colour on a dark page: {dark_ink[:3]}"
        if page_path in GENEROUS:  # the cell diagrams and the in-page panels of the two step-by-step chapters
            assert sum(not f["panel"] for f in figures) >= 2 and sum(f["panel"] for f in figures) >= 2, figures
        assert visit.errors == [], f"JavaScript errors: {visit.errors[:5]}"
    finally:
        visit.close()


_WIDGETS_JS = """() => Array.from(document.querySelectorAll('.jupyter-widgets, .widget-slider')).length"""


@pytest.mark.parametrize("page_path", toc_pages())
def test_static_widgets_never_move_without_their_figure(site: str, browser: object, page_path: str) -> None:
    """Every ipywidget slider left in a static page is dragged: a readout that changes must come with a changed
    picture. The build shows live widgets as an inert note, so a page loads the widget embedder only if it still
    carries a widget view."""
    html = (BUILD / f"{page_path}.html").read_text(encoding="utf-8")
    has_view = "application/vnd.jupyter.widget-view+json" in html
    assert has_view == ("embed-amd.js" in html), "embed-amd.js must load exactly where a widget view remains"
    if not has_view:
        return
    visit = PageVisit(browser, f"{site}/{page_path}.html")
    try:
        page = visit.page
        page.wait_for_timeout(1_500)
        sliders = page.locator(".widget-slider .noUi-handle, .widget-hslider .noUi-handle, .widget-slider input")
        for k in range(sliders.count()):
            handle = sliders.nth(k)
            box = handle.bounding_box()
            if box is None:
                continue
            snap = "() => [Array.from(document.querySelectorAll('.widget-readout')).map(e => e.textContent)," \
                   " Array.from(document.querySelectorAll('.jupyter-widgets img')).map(e => e.src)]"
            readouts0, images0 = page.evaluate(snap)
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.mouse.down()
            page.mouse.move(box["x"] + 120, box["y"] + box["height"] / 2, steps=8)
            page.mouse.up()
            page.wait_for_timeout(300)
            readouts1, images1 = page.evaluate(snap)
            assert readouts1 == readouts0 or images1 != images0, (
                f"slider {k}: the readout changed {readouts0} -> {readouts1} but the figure did not")
    finally:
        visit.close()


@pytest.mark.parametrize("page_path", toc_pages())
def test_pages_are_light(page_path: str) -> None:
    """No 1.49 MB fontawesome.js (the theme's icons come from _static/icons.css) and at most 8 MB per cold load."""
    html = BUILD / f"{page_path}.html"
    if not html.exists():
        _missing(f"{html} was not built: run `make book` first")
    text = html.read_text(encoding="utf-8")
    assert "fontawesome.js" not in text and "icons.css" in text
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_bench", ROOT / "benchmarks" / "build.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.page_weight(html) <= bench.PAGE_BUDGET_MB * 2**20, f"{page_path}: heavier than 8 MB"
