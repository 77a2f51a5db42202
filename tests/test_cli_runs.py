"""The case-study and baselines CLIs (issue 14): one-line errors before any work, record before checkpoint,
checkpoints per run identity, canonical model names, replayable runs, clock-cut runs marked in the tables."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import types
from pathlib import Path

import pytest

from lessons.baselines.__main__ import main as baselines_main
from lessons.casestudy import __main__ as cli
from lessons.casestudy import train as train_module
from lessons.casestudy.binary import BinaryConfig
from lessons.casestudy.report import comparison_table, load_runs
from lessons.casestudy.train import TrainConfig, run
from lessons.data import make_toy_split
from lessons.evaluation.results import append_record, read_records
from lessons.paths import CHECKPOINT_DIR, REPO_ROOT

TINY = ["--dataset", "toy", "--epochs", "1", "--dim", "8", "--threads", "1", "--no-progress"]


@pytest.fixture
def no_data(monkeypatch):
    """Fail the test if a CLI loads its data set (arguments must be checked before)."""
    def load(name: str) -> None:
        raise AssertionError(f"{name} was loaded before the arguments were checked")

    monkeypatch.setattr(cli, "load_dataset", load)


def one_line_error(capsys, argv: list[str], main=cli.main) -> str:
    """Run a CLI that must fail; return its one stderr line (exit status 2, no traceback)."""
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


# ------------------------------------------------------------------------------ numbers checked up front
@pytest.mark.parametrize(("option", "value", "message"), [
    ("--max-minutes", "nan", "max_minutes must be finite"),
    ("--max-minutes", "inf", "max_minutes must be finite"),
    ("--max-minutes", "0", "max_minutes must be > 0"),
    ("--lr", "nan", "lr must be finite"),
    ("--lr", "-1e-3", "lr must be > 0"),
    ("--dropout", "nan", "dropout must be finite"),
    ("--dropout", "1.0", "dropout must be < 1"),
    ("--weight-decay", "inf", "weight_decay must be finite"),
    ("--seed", "-1", "seed must be >= 0"),
    ("--max-batches", "0", "max_batches must be a positive integer"),
])
def test_train_refuses_bad_numbers_in_one_line_before_loading_data(capsys, no_data, option, value, message):
    assert message in one_line_error(capsys, ["train", *TINY, f"{option}={value}"])


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--lr", "0", "lr must be > 0"),  # lr 0 used to record an untrained model
    ("--lr", "nan", "lr must be finite"),
    ("--seed", "-3", "seed must be >= 0"),
    ("--dropout", "inf", "dropout must be finite"),
])
def test_binary_refuses_bad_numbers_in_one_line_before_loading_data(capsys, no_data, option, value, message):
    argv = ["binary", "--dataset", "toy", "--epochs", "1", "--dim", "8", "--no-progress", f"{option}={value}"]
    assert message in one_line_error(capsys, argv)


def test_table_k_must_be_a_stored_cutoff(capsys) -> None:
    assert "k must be one of (5, 10, 20)" in one_line_error(capsys, ["table", "--dataset", "ml-100k", "--k", "0"])


def test_unwritable_out_fails_before_training(capsys, no_data, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    err = one_line_error(capsys, ["train", *TINY, "--out", str(blocker / "r.jsonl")])
    assert "--out must be a writable file" in err and str(blocker) in err


def test_the_module_exits_2_with_one_line_from_a_shell() -> None:
    done = subprocess.run([sys.executable, "-m", "lessons.casestudy", "train", "--max-minutes", "nan"],
                          capture_output=True, text=True, cwd=REPO_ROOT, env={"PYTHONPATH": str(REPO_ROOT),
                                                                              "PATH": "/usr/bin:/bin"})
    assert done.returncode == 2 and done.stderr.strip() == "error: max_minutes must be finite, got nan"


def test_baselines_cli_one_line_errors(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("lessons.baselines.tuning.load_split", lambda *a: pytest.fail("data loaded"))
    err = one_line_error(capsys, ["run", "--dataset", "ml-100k", "--seed", "-1"], main=baselines_main)
    assert "seed must be >= 0" in err


# ------------------------------------------------------------------------------ record, then checkpoint
def test_unwritable_checkpoint_dir_fails_before_training(capsys, no_data, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    err = one_line_error(capsys, ["train", *TINY, "--out", str(tmp_path / "r.jsonl"), "--checkpoint-dir",
                                  str(blocker)])
    assert "--checkpoint-dir must be a writable file" in err


def test_the_record_is_written_before_the_checkpoint(capsys, tmp_path: Path, monkeypatch) -> None:
    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("lessons.casestudy.models.save_checkpoint", disk_full)
    out = tmp_path / "r.jsonl"
    assert "No space left" in one_line_error(capsys, ["train", *TINY, "--out", str(out), "--checkpoint-dir",
                                                      str(tmp_path)])
    assert [r["model"] for r in read_records(out)] == ["full-gru"]  # the finished run survived


def test_checkpoints_are_named_by_run_identity(tmp_path: Path, capsys) -> None:
    ckpt, out = tmp_path / "ckpt", tmp_path / "r.jsonl"
    for dim in ("64", "8"):  # a --dim 8 run used to overwrite the --dim 64 checkpoint
        args = ["train", *TINY, "--dim", dim, "--out", str(out), "--checkpoint-dir", str(ckpt)]
        assert cli.main(args) == 0
    names = sorted(p.name for p in ckpt.glob("*.pt"))
    assert len(names) == 2, names
    from lessons.evaluation.results import run_identity

    records = read_records(out)
    assert names == sorted(cli.checkpoint_path(r, ckpt).name for r in records)
    assert all(run_identity(r) in cli.checkpoint_path(r, ckpt).name for r in records)
    capsys.readouterr()


def test_no_save_writes_nothing(tmp_path: Path, capsys) -> None:
    quiet = tmp_path / "quiet"
    assert cli.main(["train", *TINY, "--no-save", "--out", str(quiet / "r.jsonl"), "--checkpoint-dir",
                     str(quiet)]) == 0
    assert not quiet.exists()  # neither a record nor a checkpoint (a checkpoint used to be written)
    capsys.readouterr()


def test_checkpoint_default_is_the_repository_data_folder() -> None:
    default = Path(cli.build_parser().parse_args(["train"]).checkpoint_dir)
    assert default == CHECKPOINT_DIR and default.is_absolute() and default.is_relative_to(REPO_ROOT)


def test_a_relative_checkpoint_dir_is_under_the_repository_not_the_current_directory(tmp_path: Path, capsys,
                                                                                       monkeypatch) -> None:
    repo, elsewhere = tmp_path / "repo", tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setattr(cli, "REPO_ROOT", repo, raising=False)
    monkeypatch.chdir(elsewhere)
    assert cli.main(["train", *TINY, "--out", str(tmp_path / "r.jsonl"),
                     "--checkpoint-dir", ".data/ckpt"]) == 0
    assert len(list((repo / ".data" / "ckpt").glob("*.pt"))) == 1 and not any(elsewhere.iterdir())
    capsys.readouterr()


def test_a_checkpoint_of_another_run_is_never_overwritten(tmp_path: Path, toy_split) -> None:
    from lessons.casestudy.models import load_checkpoint, save_checkpoint
    from lessons.casestudy.train import build_model

    model = build_model(TrainConfig(dim=8), toy_split.n_items, toy_split.n_users)
    path = save_checkpoint(model, tmp_path / "m.pt", identity="aaaa")
    save_checkpoint(model, path, identity="aaaa")  # the same run may refresh its own file
    with pytest.raises(ValueError, match="weights of another run"):
        save_checkpoint(model, path, identity="bbbb")
    assert load_checkpoint(path).config == model.config


# -------------------------------------------------------------------------------------- model names
@pytest.mark.parametrize(("alias", "canonical"), [
    ("fused-gru", "fused-gate-gru"), ("fused-lstm", "fused-gate-lstm"), ("long-lstm", "long"),
    ("long-gru", "long"), ("long", "long"), ("full-gru", "full-gru"),
])
def test_aliases_are_normalised_before_they_reach_a_record(alias: str, canonical: str) -> None:
    assert TrainConfig(model=alias).model == canonical


def test_pick_twice_appends_once_and_matches_aliases(tmp_path: Path, capsys) -> None:
    source, target = tmp_path / "tuning.jsonl", tmp_path / "chosen.jsonl"
    for dropout, ndcg in ((0.1, 0.20), (0.3, 0.25)):
        append_record(source, {"model": "fused-gate-gru", "seed": 0, "valid": {"ndcg@10": ndcg},
                               "config": {"model": "fused-gate-gru", "dropout": dropout, "threads": 2, "seed": 0}})
    for _ in range(2):
        argv = ["pick", "--from", str(source), "--to", str(target), "--model", "fused-gru", "--print", "dropout"]
        assert cli.main(argv) == 0
    assert capsys.readouterr().out.split() == ["0.3", "0.3"]
    assert len(target.read_text().splitlines()) == 1  # used to hold two copies ("2 seeds ± 0.0000")
    err = one_line_error(capsys, ["pick", "--from", str(source), "--print", "nosuchkey"])
    assert "--print must be one of ['dropout', 'model', 'seed', 'threads']" in err
    assert "seed must be >= 0" in one_line_error(capsys, ["pick", "--from", str(source), "--seed", "-1"])
    assert "no results at" in one_line_error(capsys, ["pick", "--from", str(tmp_path / "missing.jsonl")])


def test_pick_filters_by_width_and_seen_bias(tmp_path: Path, capsys) -> None:
    """The like-for-like campaign picks each arm's dropout among its own runs only (width, bias)."""
    source = tmp_path / "tuning.jsonl"
    for dim, bias, dropout, ndcg in ((64, False, 0.1, 0.30), (128, False, 0.2, 0.20), (128, True, 0.3, 0.25)):
        append_record(source, {"model": "full-gru", "seed": 0, "valid": {"ndcg@10": ndcg},
                               "config": {"model": "full-gru", "dim": dim, "seen_bias": bias, "dropout": dropout,
                                          "seed": 0}})
    for dim, bias, want in (("64", "no", "0.1"), ("128", "no", "0.2"), ("128", "yes", "0.3")):
        argv = ["pick", "--from", str(source), "--model", "full-gru", "--dim", dim, "--seen-bias", bias,
                "--print", "dropout"]
        assert cli.main(argv) == 0
        assert capsys.readouterr().out.split() == [want]
    assert "no record has config" in one_line_error(capsys, ["pick", "--from", str(source), "--dim", "32"])


def test_count_is_what_the_campaign_scripts_use_to_skip_a_recorded_run(tmp_path: Path, capsys) -> None:
    source = tmp_path / "runs.jsonl"

    def count(*clauses: str, distinct: str | None = None) -> str:
        argv = ["count", "--in", str(source), *[a for c in clauses for a in ("--where", c)]]
        assert cli.main(argv + (["--distinct", distinct] if distinct else [])) == 0
        return capsys.readouterr().out.strip()

    assert count("model=long") == "0"  # no file yet: nothing recorded, not an error
    old = {"model": "fused-gate-gru", "dropout": 0.0, "seed": 0, "epochs": 9}  # predates long_scope and seen_bias
    for config in (old, {**old, "long_scope": "history", "seed": 1}, {**old, "dropout": 0.1, "seen_bias": True}):
        append_record(source, {"model": config["model"], "seed": config["seed"], "config": config})
    assert count("model=fused-gate-gru") == "3"
    assert count("model=fused-gru", "long_scope=window") == "2"  # an alias, and the default of a missing field
    assert count("long_scope=history", "seed=1", "dropout=0") == "1"  # 0 and 0.0 are one value
    assert count("seen_bias=true") == "1" and count("seen_bias=false", "epochs=9") == "2"
    assert count("seed=0", distinct="dropout") == "2" and count("seed=7", distinct="dropout") == "0"
    append_record(source, {"model": "fused-gru", "seed": 5, "config": {**old, "model": "fused-gru", "seed": 5,
                                                                       "dropout": 0}})  # an alias, an int dropout
    append_record(source, {"model": "mix", "kind": "baseline", "seed": 0, "config": {"weight": 0.2}})  # not a run
    assert count("model=fused-gate-gru", "seed=5") == "1" and count("seed=0") == "2"  # the baseline is no run
    assert count("model=fused-gate-gru", distinct="dropout") == "2"  # 0.0, 0.1 and 0: 0 and 0.0 are one value
    assert count("seen_bias=yes") == "1" and count("dropout=.1") == "1"  # the spellings the scripts use
    err = one_line_error(capsys, ["count", "--in", str(source), "--where", "dropout=0,1"])
    assert "--where dropout must be a float, got '0,1'" in err
    assert "--where seen_bias must be a bool" in one_line_error(capsys, ["count", "--in", str(source), "--where",
                                                                        "seen_bias=maybe"])
    assert "--where must be FIELD=VALUE" in one_line_error(capsys, ["count", "--in", str(source), "--where", "seed"])
    err = one_line_error(capsys, ["count", "--in", str(source), "--where", "sede=1"])
    assert "with FIELD one of [" in err and "'sede=1'" in err
    assert "--distinct must be one of" in one_line_error(capsys, ["count", "--in", str(source), "--distinct", "x"])
    source.unlink()
    source.mkdir()  # a file that cannot be read stops a script (exit 2) rather than train a duplicate
    assert str(source) in one_line_error(capsys, ["count", "--in", str(source), "--where", "seed=0"])


# -------------------------------------------------------------------------------------- reproducibility
def fake_clock(step: float = 1.0) -> types.SimpleNamespace:
    """A stand-in for the ``time`` module whose clock moves ``step`` seconds per reading (a loaded machine)."""
    now = [0.0]

    def perf_counter() -> float:
        now[0] += step
        return now[0]

    return types.SimpleNamespace(perf_counter=perf_counter)


def test_a_run_cut_by_the_clock_records_its_batches_and_replays_exactly(monkeypatch) -> None:
    split = make_toy_split(n_users=40, n_items=20, seed=2)
    plan = dict(model="fused-gate-gru", epochs=20, patience=20, dim=8, batch_size=8, threads=1, dropout=0.3)
    monkeypatch.setattr(train_module, "time", fake_clock())
    _, cut = run(split, TrainConfig(**plan, max_minutes=0.3))
    monkeypatch.undo()
    assert cut["stopped_by"] == "max_minutes" and cut["exactly_reproducible"] is False
    batches = cut["batches_run"]
    assert batches % math.ceil(cut["n_windows"] / 8) != 0, batches  # the clock cut an epoch in the middle
    _, replay = run(split, TrainConfig(**plan, max_batches=batches))
    assert replay["stopped_by"] == "max_batches" and replay["batches_run"] == batches
    assert replay["exactly_reproducible"] is True
    strip = [{k: v for k, v in h.items() if k != "seconds"} for h in cut["history"]]
    assert [{k: v for k, v in h.items() if k != "seconds"} for h in replay["history"]] == strip
    assert replay["test_ranks"] == cut["test_ranks"] and replay["test"] == cut["test"]


def test_clock_cut_runs_are_marked_in_the_tables(tmp_path: Path) -> None:
    base = {"dataset": "toy", "model": "full-gru", "valid": {"ndcg@10": 0.2}, "test_ranks": [1, 2],
            "test": {"hr@10": 0.5, "ndcg@10": 0.3, "mrr@10": 0.2}, "train_seconds": 60.0, "epochs_run": 2,
            "best_epoch": 2, "n_parameters": 10, "peak_rss_mb": 1.0}
    for seed, stopped in ((0, "max_minutes"), (1, "epochs")):
        append_record(tmp_path / "toy.jsonl", {**base, "seed": seed, "stopped_by": stopped,
                                               "config": {"seed": seed, "dim": 8, "epochs": 3, "max_minutes": 15}})
    table = comparison_table("toy", results_dir=tmp_path)
    assert table["plan"].tolist() == ["3 ep, ≤15 min (1 cut by the clock)"]


def test_aliases_in_older_records_share_one_row(tmp_path: Path) -> None:
    base = {"dataset": "toy", "valid": {"ndcg@10": 0.2}, "test": {"hr@10": 0.5, "ndcg@10": 0.3, "mrr@10": 0.2},
            "train_seconds": 60.0, "epochs_run": 2, "best_epoch": 2, "n_parameters": 10, "peak_rss_mb": 1.0}
    for seed, name in ((0, "fused-gru"), (1, "fused-gate-gru")):
        append_record(tmp_path / "toy.jsonl", {**base, "model": name, "seed": seed,
                                               "config": {"seed": seed, "dim": 8, "epochs": 3, "max_minutes": 15}})
    table = comparison_table("toy", results_dir=tmp_path)
    assert table[["model", "seeds"]].values.tolist() == [["fused-gate-gru", 2]]


def test_committed_clock_cut_runs_are_counted() -> None:
    """Eleven committed ML-1M/simulator runs were stopped by the clock (ML-1M campaigns take hours: marked,
    not rerun)."""
    files = ("ml-1m", "ml-1m-first-pass", "ml-1m-pairs", "ml-1m-tuning", "sim-news", "sim-music")
    assert sum(int(load_runs(f)["clock_cut"].sum()) for f in files) == 11


def test_binary_config_checks_its_numbers() -> None:
    with pytest.raises(ValueError, match="lr must be > 0"):
        BinaryConfig(lr=0.0)
    with pytest.raises(ValueError, match="stride must be <= max_len"):
        BinaryConfig(stride=60)


def test_train_records_are_strict_json_with_batches_run(tmp_path: Path, capsys) -> None:
    out = tmp_path / "r.jsonl"
    assert cli.main(["train", *TINY, "--model", "long-lstm", "--out", str(out), "--checkpoint-dir", ""]) == 0
    line = out.read_text()
    record = json.loads(line, parse_constant=lambda c: pytest.fail(f"{c} in a record"))
    assert record["model"] == record["config"]["model"] == "long" and record["batches_run"] >= 1
    capsys.readouterr()
