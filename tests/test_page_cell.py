"""The HTML panels of the in-page GRU/LSTM step carry the right data for book/_static/longshort.js."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from lessons.rnn import GRU, LSTM, page_cell


def _data(markup: str) -> dict:
    return json.loads(re.search(r'<script type="application/json">(.*?)</script>', markup, re.S).group(1))


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_knob_panel_has_a_slider_for_every_parameter_and_state(kind: str) -> None:
    panel = page_cell.knob_panel(kind)
    names = re.findall(r'<input type="range" name="([^"]+)"', panel.html)
    states = ["x", "h"] + (["c"] if kind == "lstm" else [])
    assert sorted(names) == sorted([*page_cell.PARAMS[kind], *states])
    assert _data(panel.html)["params"] == list(page_cell.PARAMS[kind])
    assert 'class="longshort-panel longshort-knobs"' in panel._repr_html_()


def test_parameters_json_round_trips_and_refuses_other_variants() -> None:
    cell = GRU(3, 2, rng=1)
    p = page_cell.parameters_json(cell)
    assert list(p) == list(page_cell.PARAMS["gru"])
    np.testing.assert_array_equal(np.array(p["W_hn"]), cell.W_hn)
    assert set(page_cell.parameters_json(LSTM(2, 2, rng=0))) == set(page_cell.PARAMS["lstm"])
    with pytest.raises(ValueError, match="variant"):
        page_cell.parameters_json(GRU(3, 2, variant="cho", rng=1))


def test_model_panel_exports_the_trained_model() -> None:
    from lessons.rnn.learned_gates import train_tiny

    model = train_tiny("lstm", 0)
    markup = page_cell.model_panel(model, "A B </script>").html
    data = _data(markup)
    np.testing.assert_array_equal(np.array(data["params"]["W_hf"]), model.cell.W_hf)
    assert data["gate"] == "f" and data["letters"] == list("ABCDE")
    assert 'value="A B &lt;/script&gt;"' in markup  # the reader's sequence cannot end the script block
    with pytest.raises(ValueError, match="TinyModel"):
        page_cell.model_panel(LSTM(2, 2, rng=0))
