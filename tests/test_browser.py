"""The built book, as a reader's browser sees it: Debian's headless Chromium driven by Playwright.

Checks every page of the table of contents: it loads, logs no JavaScript error, makes no request that leaves
localhost, and renders its mathematics (no raw ``$$`` left). On the "How to use" page it checks that a plotly
figure with a slider and an ipywidget appear, and that dragging the plotly slider changes the plot.

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

    def __init__(self, browser: object, url: str) -> None:
        self.errors: list[str] = []
        self.external: list[str] = []
        self.failed: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
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
        widget = page.locator(".widget-slider, .jupyter-widgets.widget-hslider").first
        widget.wait_for(state="visible", timeout=20_000)

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
