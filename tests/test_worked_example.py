"""The source article's worked GRU example: every reading, the hand steps, the errata, the LSTM example."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from lessons.article import errata as er
from lessons.article import gru_example as gx
from lessons.article import lstm_example as lx
from lessons.mathfn import sigmoid

pytestmark = pytest.mark.usefixtures("torch_single_thread")


def test_step_one_known_values() -> None:
    """h_0 = 0: z_1 = r_1 = sigmoid([0.4, 0.5]); standard candidate tanh([0.4, 0.5]); h_1 = z_1 * n_1."""
    s = gx.run_reading("seed_corrected")[0]
    np.testing.assert_allclose(s["z"], [0.598687660112452, 0.6224593312018546], rtol=1e-12)
    np.testing.assert_allclose(s["r"], s["z"])
    np.testing.assert_allclose(s["candidate"], np.tanh([0.4, 0.5]))
    np.testing.assert_allclose(s["h"], sigmoid(np.array([0.4, 0.5])) * np.tanh([0.4, 0.5]))
    lit = gx.run_reading("seed_literal")[0]
    r = sigmoid(np.array([0.4, 0.5]))
    np.testing.assert_allclose(lit["candidate"], np.tanh(np.array([0.3, 0.4]) * (2 - r) + 0.1))


def test_readings_agree_with_the_numpy_gru_and_torch() -> None:
    xs = np.array(gx.XS)[:, None]
    corrected = np.array([s["h"] for s in gx.run_reading("seed_corrected")])
    # the article's model in PyTorch's convention (update gate negated) gives the same states ...
    np.testing.assert_allclose(gx.pytorch_equivalent_gru().forward(xs).h, corrected, atol=1e-14)
    # ... and so does torch.nn.GRU itself
    module = gx.pytorch_equivalent_gru().to_torch()
    out, _ = module(torch.from_numpy(xs)[:, None])
    np.testing.assert_allclose(out[:, 0].detach().numpy(), corrected, atol=1e-12)
    # with diagonal recurrent weights and b_hn = 0, Cho's and PyTorch's reset placements coincide
    cho = np.array([s["h"] for s in gx.run_reading("cho")])
    np.testing.assert_allclose(np.array([s["h"] for s in gx.run_reading("pytorch")]), cho, atol=1e-14)
    assert np.max(np.abs(cho - corrected)) > 0.1  # same numbers, other convention: other states


def test_every_reading_stays_positive_and_has_five_steps() -> None:
    for name in gx.READINGS:
        steps = gx.run_reading(name)
        assert [s["t"] for s in steps] == [1, 2, 3, 4, 5]
        assert [s["x"] for s in steps] == [1.0, 2.0, 3.0, 4.0, 5.0]
        assert np.all(np.array([s["h"] for s in steps]) > 0)
        assert np.all(np.array([s["candidate"] for s in steps]) > 0)
    assert er.candidate_lower_bound("seed_literal") > 0.5
    assert er.candidate_lower_bound("seed_corrected") == pytest.approx(0.4)


@pytest.mark.parametrize("name", ["seed_corrected", "seed_literal"])
@pytest.mark.parametrize("step", [0, 1, 4])
def test_hand_step_chains_to_run_reading(name: str, step: int) -> None:
    rows = gx.hand_step(step, name)
    assert rows[-1]["quantity"] == f"h_{step + 1}"
    expected = "[" + ", ".join(f"{u:.4f}" for u in gx.run_reading(name)[step]["h"]) + "]"
    assert rows[-1]["value"] == expected
    assert any("(1 − r" in r["quantity"] for r in rows) == (name == "seed_literal")


def test_cli_json() -> None:
    out = subprocess.run([sys.executable, "-m", "lessons.article.worked_example", "--json"], capture_output=True,
                         text=True, check=True).stdout
    data = json.loads(out)
    assert set(data) == {"seed_literal", "seed_corrected", "cho", "pytorch", "seed_printed"}
    for name in gx.READINGS:
        assert len(data[name]) == 5
        assert set(data[name][0]) == {"t", "x", "z", "r", "candidate", "h"}
        assert len(data[name][0]["h"]) == 2
    assert data["seed_printed"][0] == {"t": 1, "x": 1.0, "z": 0.8, "r": 0.9, "candidate": [-0.5, -0.5],
                                       "h": [-0.4, -0.4]}
    assert data["seed_printed"][1]["r"] == 0.95 and data["seed_printed"][1]["h"] == [-0.5, -0.5]


def test_gate_checks() -> None:
    c = er.gate_check(0, "z")
    np.testing.assert_allclose(c["argument"], [0.4, 0.5])
    assert c["computed"][0] == pytest.approx(0.599, abs=5e-4)
    assert c["computed"][1] == pytest.approx(0.622, abs=5e-4)
    assert c["argument_needed"] == pytest.approx(np.log(4))  # sigmoid(a) = 0.8 needs a = ln 4
    c2 = er.gate_check(1, "r")
    np.testing.assert_allclose(c2["argument"], [0.46, 0.62])  # with the printed h_1 = -0.4
    assert max(c2["computed"]) < 0.66 < 0.95
    with pytest.raises(ValueError, match="step must be 0 or 1"):
        er.gate_check(2, "z")
    with pytest.raises(ValueError, match="gate must be one of"):
        er.gate_check(0, "h")


def test_printed_numbers_contradict_themselves() -> None:
    own1 = er.printed_candidate_from_printed_values(0)
    np.testing.assert_allclose(own1["argument"], [0.43, 0.54])  # (1 - 0.9) * 1 = 0.1, not 1
    assert min(er.printed_candidate_from_printed_values(1)["candidate"]) > 0
    np.testing.assert_allclose(er.printed_update_arithmetic(0)["recomputed"], [-0.4, -0.4])
    np.testing.assert_allclose(er.printed_update_arithmetic(1)["recomputed"], [-0.58, -0.58])


def test_errata_list() -> None:
    errs = {e.key: e for e in er.errata()}
    assert set(errs) == {"z1", "r1", "z2", "r2", "z_equals_r", "candidate1", "candidate2", "h1", "h2"}
    assert all(e.impossible for e in errs.values())
    assert "1.386" in errs["z1"].proof and "0.599" in errs["z1"].correct
    assert "-0.58" in errs["h2"].proof
    assert len(er.errata_records()) == len(errs)


def test_lstm_example_by_hand() -> None:
    s = lx.lstm_steps()[0]
    i, g, o = sigmoid(np.array([0.4, 0.5])), np.tanh([0.4, 0.5]), sigmoid(np.array([0.4, 0.5]))
    np.testing.assert_allclose(s["f"], sigmoid(np.array([1.1, 1.2])))
    np.testing.assert_allclose(s["c"], i * g)
    np.testing.assert_allclose(s["h"], o * np.tanh(i * g))


def test_wrong_time_indices_delay_the_input() -> None:
    wrong, right = lx.lstm_wrong_index_steps(), lx.lstm_steps()
    assert wrong[0]["h"] == [0.0, 0.0]
    assert min(right[0]["h"]) > 0.1
    assert lx.input_reaches_output(wrong_index=True) == [0.0] * 5
    assert min(lx.input_reaches_output(wrong_index=False)) > 0.01
    # whatever the undefined step-0 gates are, h_1 = o_0 * tanh(c_0) = 0 from c_0 = 0
    assert lx.lstm_wrong_index_steps([-3.0, 7.0])[0]["h"] == [0.0, 0.0]


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="name must be one of"):
        gx.run_reading("keras")
    with pytest.raises(ValueError, match=r"h0 must have shape \(2,\), got shape \(3,\)"):
        gx.run_reading("cho", h0=[0, 0, 0])
    with pytest.raises(ValueError, match="step must be a 0-based step in 0..4, got 5"):
        gx.hand_step(5)


def test_article_figures_plot_every_reading() -> None:
    import matplotlib.pyplot as plt

    from lessons.pictures import article_plots

    fig = article_plots.plot_readings()
    lines = fig.axes[0].get_lines()
    assert [ln.get_label() for ln in lines][:4] == list(gx.READINGS)
    np.testing.assert_allclose(lines[1].get_ydata(), [s["h"][0] for s in gx.run_reading("seed_corrected")])
    plt.close(fig)
    fig = article_plots.plot_lstm_time_indices()
    assert list(fig.axes[1].get_lines()[1].get_ydata()) == [s["h"][1] for s in lx.lstm_wrong_index_steps()]
    plt.close(fig)


def test_rank1_reading_of_the_recurrent_weights_is_well_defined_and_differs_from_step_2() -> None:
    ge = gx
    W = ge.recurrent_weight([0.1, 0.2], "rank1")
    np.testing.assert_array_equal(W, [[0.1, 0.2], [0.1, 0.2]])
    np.testing.assert_array_equal(ge.recurrent_weight([0.1, 0.2]), np.diag([0.1, 0.2]))
    gap = ge.recurrent_reading_gap()
    assert gap[0]["max |difference|"] == 0.0  # h_0 = 0: no recurrent product at step 1
    assert all(row["max |difference|"] > 0.01 for row in gap[1:])
    # the diagonal reading is the one every other function uses
    np.testing.assert_allclose(gap[1]["h diagonal"], np.round(ge.run_reading("seed_corrected")[1]["h"], 4))
    with pytest.raises(ValueError, match="reading"):
        ge.recurrent_weight([0.1, 0.2], "full")


def test_two_gate_example_gates_do_different_jobs_and_match_torch() -> None:
    from lessons.article.two_gates import PARAMETERS, XS, two_gate_steps
    from lessons.mathfn import sigmoid

    steps = two_gate_steps()
    h_prev = [0.0] + [s["h"] for s in steps[:-1]]
    for s, hp in zip(steps, h_prev, strict=True):
        assert s["z"] == pytest.approx(sigmoid(PARAMETERS["b_z"] + PARAMETERS["W_xz"] * s["x"]))  # input only
        assert s["r"] == pytest.approx(sigmoid(PARAMETERS["b_r"] + PARAMETERS["W_hr"] * hp))  # state only
        assert s["h"] == pytest.approx((1 - s["z"]) * s["n"] + s["z"] * hp)
    assert len({round(s["z"], 12) for s in steps}) == 2  # one value for clicks, one for quiet steps
    assert steps[3]["n"] > steps[0]["n"] and steps[3]["r"] > steps[0]["r"]  # same input, more of the past read
    gru = torch.nn.GRU(1, 1, dtype=torch.float64)
    p = PARAMETERS
    with torch.no_grad():  # torch's gate order is (r, z, n)
        gru.weight_ih_l0.copy_(torch.tensor([[p["W_xr"]], [p["W_xz"]], [p["W_xn"]]]))
        gru.weight_hh_l0.copy_(torch.tensor([[p["W_hr"]], [p["W_hz"]], [p["W_hn"]]]))
        gru.bias_ih_l0.copy_(torch.tensor([p["b_r"], p["b_z"], p["b_in"]]))
        gru.bias_hh_l0.copy_(torch.tensor([0.0, 0.0, p["b_hn"]]))
        out, _ = gru(torch.tensor(XS, dtype=torch.float64).reshape(-1, 1, 1))
    np.testing.assert_allclose(out.reshape(-1).numpy(), [s["h"] for s in steps], atol=1e-12)
