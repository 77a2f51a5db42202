"""Campaign costs read from planted records with known times and memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lessons.evaluation.costs import run_costs


def _run(model: str, seed: int, seconds: float, epochs: int, rss: float, precision: str = "fp32") -> dict:
    return {"model": model, "seed": seed, "train_seconds": seconds, "epochs_run": epochs, "peak_rss_mb": rss,
            "config": {"model": model, "dim": 64, "seen_bias": False, "threads": 1, "precision": precision,
                       "seed": seed}}


def test_costs_per_file_and_run(tmp_path: Path) -> None:
    records = [_run("full-gru", 0, 900.0, 9, 700.0), _run("full-gru", 1, 600.0, 6, 650.0, "bf16"),
               _run("long", 0, 60.0, 1, 300.0), {"model": "popularity", "seed": 0, "config": {}}]
    (tmp_path / "camp.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    table = run_costs(["camp", "absent"], tmp_path).set_index("run")
    assert list(table.index) == ["full-gru", "long"]  # the baseline has no training time
    gru = table.loc["full-gru"]
    assert gru["runs"] == 2 and gru["s/epoch"] == pytest.approx(100.0) and gru["max minutes"] == 15.0
    assert gru["max peak MiB"] == 700.0 and gru["precision"] == "bf16, fp32" and gru["threads"] == "1"
    assert run_costs(["absent"], tmp_path).empty
    (tmp_path / "copy.jsonl").write_text(json.dumps(records[0]) + "\n" + json.dumps({**records[2], "seed": 5}) + "\n")
    both = run_costs(["camp", "copy"], tmp_path)  # the copied run counts once, in the file it first appears in
    assert both.set_index("file").loc["copy", "run"] == "long" and both["runs"].sum() == 4


def test_a_run_without_epochs_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text(json.dumps(_run("full-gru", 3, 10.0, 0, 1.0)) + "\n")
    with pytest.raises(ValueError, match="seed 3 has epochs_run 0"):
        run_costs(["bad"], tmp_path)
