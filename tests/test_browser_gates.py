"""The in-page GRU/LSTM cell (``book/_static/longshort.js``) on the two chapter pages, in headless Chromium.

* ``window.longShort.step`` agrees with the NumPy step functions of :mod:`lessons.rnn` to 1e-9 for random
  parameters and sizes, for both kinds of cell, on both pages;
* the slider panel redraws when a knob moves (the redraw time is measured in the page and printed, not asserted:
  timings belong to benchmarks);
* the trained-model panel draws the gates that the NumPy cell computes from the exported weights;
* the pages make no request off localhost and log no JavaScript error.

Uses the server and browser fixtures of ``tests/test_browser.py``; needs ``_build/html`` and ``/usr/bin/chromium``.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
from test_browser import PageVisit, browser, site  # noqa: F401 (fixtures shared with the page checks)

from lessons.rnn import learned_gates
from lessons.rnn.gru import gru_step
from lessons.rnn.lstm import lstm_step
from lessons.rnn.page_cell import PARAMS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = ["notebooks/gru_step_by_step", "notebooks/lstm_step_by_step"]


def _random_case(kind: str, rng: np.random.Generator) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray]:
    n_in, H = (int(v) for v in rng.integers(1, 6, size=2))
    params = {}
    for name in PARAMS[kind]:
        shape = (H, n_in) if name.startswith("W_x") else (H, H) if name.startswith("W_h") else (H,)
        params[name] = rng.uniform(-2, 2, size=shape)
    return params, rng.normal(size=n_in), rng.normal(size=H), rng.normal(size=H)


def _open(browser: object, site: str, page: str) -> PageVisit:  # noqa: F811
    visit = PageVisit(browser, f"{site}/{page}.html")
    visit.page.wait_for_function("() => window.longShort && document.querySelector('.longshort-knobs .js-plotly-plot')",
                                 timeout=30_000)
    return visit


@pytest.mark.parametrize("page", PAGES)
def test_in_page_step_matches_numpy(site: str, browser: object, page: str,  # noqa: F811
                                    capsys: pytest.CaptureFixture[str]) -> None:
    visit = _open(browser, site, page)
    try:
        rng = np.random.default_rng(15)
        worst = 0.0
        for trial in range(20):
            kind = ("gru", "lstm")[trial % 2]
            params, x, h, c = _random_case(kind, rng)
            js = visit.page.evaluate(
                "([kind, p, x, h, c]) => window.longShort.step(kind, p, x, h, c)",
                [kind, {k: v.tolist() for k, v in params.items()}, x.tolist(), h.tolist(), c.tolist()])
            p = SimpleNamespace(**params)
            ref = gru_step(x, h, p) if kind == "gru" else lstm_step(x, h, c, p)
            keys = ("r", "z", "n", "h") if kind == "gru" else ("i", "f", "g", "o", "c", "h")
            assert set(js) == set(keys)
            for k in keys:
                worst = max(worst, float(np.max(np.abs(np.array(js[k]) - ref[k]))))
        with capsys.disabled():
            print(f"\n{page}: largest |JS - NumPy| over 20 random steps: {worst:.1e}")
        assert worst <= 1e-9
        assert visit.external == [], f"requests left localhost: {visit.external[:5]}"
        assert visit.errors == [], f"JavaScript errors: {visit.errors[:5]}"
    finally:
        visit.close()


_MOVE = """([panelSel, name, value]) => {
  const panel = document.querySelector(panelSel);
  const input = panel.querySelector(`input[name='${name}']`);
  input.value = value;
  input.dispatchEvent(new Event('input'));
  return [parseFloat(panel.dataset.redrawMs), Array.from(panel.querySelector('.js-plotly-plot')._fullData[0].y)];
}"""


@pytest.mark.parametrize(("page", "knob", "bar"), [(PAGES[0], "b_z", -1), (PAGES[1], "b_f", 5)])
def test_sliders_redraw_the_step(site: str, browser: object, page: str, knob: str, bar: int,  # noqa: F811
                                 capsys: pytest.CaptureFixture[str]) -> None:
    visit = _open(browser, site, page)
    try:
        sel = ".longshort-knobs"
        times, curves = [], []
        for value in np.linspace(-4, 4, 21):
            ms, ys = visit.page.evaluate(_MOVE, [sel, knob, str(round(float(value), 2))])
            times.append(ms)
            curves.append(ys[bar])
        with capsys.disabled():  # printed, not asserted: timings belong to benchmarks
            print(f"\n{page}: slider redraw {min(times):.1f} ms best, {np.median(times):.1f} ms median, "
                  f"{max(times):.1f} ms worst over {len(times)} moves of {knob} (target < 50 ms; a busy machine "
                  "inflates the median and the worst, not the best)")
        assert curves[-1] - curves[0] > 0.1 or curves[0] - curves[-1] > 0.1, "moving the slider changed nothing"
        assert visit.errors == [] and visit.external == []
    finally:
        visit.close()


@pytest.mark.parametrize("page", PAGES)
def test_model_panel_draws_what_numpy_computes(site: str, browser: object, page: str) -> None:  # noqa: F811
    visit = _open(browser, site, page)
    try:
        panel = visit.page.locator(".longshort-model")
        panel.locator("input[type=text]").fill("A A B A | C C D C")
        visit.page.wait_for_timeout(200)
        spec = json.loads(panel.locator("script[type='application/json']").text_content())
        drawn = visit.page.evaluate("() => document.querySelector('.longshort-model .js-plotly-plot')._fullData[0].z")
        kind, gate = spec["kind"], spec["gate"]
        topics, breaks = learned_gates.parse_sequence("A A B A | C C D C")
        xs = learned_gates.encode(topics, breaks, len(spec["letters"]))
        p = SimpleNamespace(**{k: np.array(v) for k, v in spec["params"].items()})
        h = c = np.zeros(len(spec["params"]["b_" + gate]))
        ref = []
        for x in xs:
            out = gru_step(x, h, p) if kind == "gru" else lstm_step(x, h, c, p)
            h, c = out["h"], out.get("c", c)
            ref.append(out[gate])
        assert np.max(np.abs(np.array(drawn) - np.array(ref).T)) <= 1e-9
        assert visit.errors == [] and visit.external == []
    finally:
        visit.close()
