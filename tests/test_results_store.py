"""The results store defends itself (issue 14): append-only, strict JSON, torn lines, full disks, duplicates.

Every test here failed on the code before issue 14 (see the pull request's table).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lessons.baselines.tuning import run as run_baselines
from lessons.data import make_toy_split
from lessons.evaluation.results import append_record, read_records, read_results, write_records
from lessons.paths import REPO_ROOT


def rec(seed: int, value: float = 0.5, **extra) -> dict:
    return {"dataset": "toy", "model": "full-gru", "seed": seed, "config": {"seed": seed, "epochs": 3},
            "test": {"ndcg@10": value}, **extra}


# ------------------------------------------------------------------------------------------ strict JSON
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused_before_anything_is_written(tmp_path: Path, bad: float) -> None:
    path = tmp_path / "r.jsonl"
    append_record(path, rec(0))
    before = path.read_bytes()
    with pytest.raises(ValueError, match=r"finite numbers only .*\['config'\]\['max_minutes'\]"):
        append_record(path, {**rec(1), "config": {"seed": 1, "max_minutes": bad}})
    assert path.read_bytes() == before


def test_a_nan_line_written_by_other_tools_is_reported_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(rec(0)) + "\n" + '{"seed": 1, "test": {"ndcg@10": NaN}}\n')
    with pytest.warns(UserWarning, match=r"r\.jsonl:2: .*NaN is not strict JSON"):
        assert read_records(path) == [rec(0)]


# -------------------------------------------------------------------------------------------- torn lines
def test_a_torn_last_line_is_reported_with_file_and_line_and_the_rest_stays_readable(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    for seed in range(3):
        append_record(path, rec(seed))
    whole = path.read_bytes()
    path.write_bytes(whole + json.dumps(rec(3)).encode()[:25])  # a crash in the middle of the fourth record
    with pytest.warns(UserWarning, match=r"r\.jsonl:4: skipped a line"):
        assert [r["seed"] for r in read_records(path)] == [0, 1, 2]


def test_the_next_append_starts_on_a_fresh_line_after_a_torn_one(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    append_record(path, rec(0))
    with path.open("a") as fh:
        fh.write('{"dataset": "toy", "mod')  # torn
    append_record(path, rec(1))
    lines = path.read_text().splitlines()
    assert lines[1] == '{"dataset": "toy", "mod' and json.loads(lines[2]) == rec(1)
    with pytest.warns(UserWarning, match=r"r\.jsonl:2:"):
        assert [r["seed"] for r in read_records(path)] == [0, 1]


FULL_DISK = """
import resource, sys
from pathlib import Path
from lessons.evaluation.results import append_record
path = Path(sys.argv[1])
limit = path.stat().st_size + 40  # room for 40 more bytes, the record needs far more
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    append_record(path, {"dataset": "toy", "model": "full-gru", "seed": 9, "test_ranks": list(range(400))})
except OSError as err:
    print("OSError:", err)
    sys.exit(3)
"""


def test_a_full_disk_leaves_no_half_record_and_loses_nothing(tmp_path: Path) -> None:
    """A file-size limit (RLIMIT_FSIZE) in a child process plays the full disk."""
    path = tmp_path / "r.jsonl"
    for seed in range(2):
        append_record(path, rec(seed))
    before = path.read_bytes()
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(FULL_DISK), str(path)], capture_output=True,
                          text=True, cwd=REPO_ROOT, env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 3, done.stderr
    assert "no record was lost" in done.stdout
    assert path.read_bytes() == before  # cut back: not a byte of the torn record remains
    assert [r["seed"] for r in read_records(path)] == [0, 1]
    append_record(path, rec(2))  # and the file takes the next record normally
    assert [r["seed"] for r in read_records(path)] == [0, 1, 2]


CONCURRENT = """
import sys
from pathlib import Path
from lessons.evaluation.results import append_record
for seed in range(int(sys.argv[2]), int(sys.argv[2]) + 40):
    append_record(Path(sys.argv[1]), {"dataset": "toy", "seed": seed, "test_ranks": list(range(2000))})
"""


def test_concurrent_writers_never_tear_or_mix_records(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    env = {"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"}
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT, str(path), str(start)], env=env)
             for start in (0, 1000)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    seeds = sorted(json.loads(line)["seed"] for line in path.read_text().splitlines())
    assert seeds == [*range(40), *range(1000, 1040)]


# ---------------------------------------------------------------------------------- identity and dedupe
def test_identity_is_config_seed_and_plan_not_provenance() -> None:
    from lessons.evaluation.results import run_identity

    a = {**rec(0), "created_utc": "2026-01-01", "train_seconds": 10.0}
    b = {**rec(0), "created_utc": "2026-02-02", "train_seconds": 99.0}
    assert run_identity(a) == run_identity(b)
    assert run_identity(rec(0)) != run_identity(rec(1))
    assert run_identity(rec(0)) != run_identity({**rec(0), "config": {"seed": 0, "epochs": 4}})  # another plan
    # an option added later with a None default does not change the identity of older records
    assert run_identity(rec(0)) == run_identity({**rec(0), "config": {"seed": 0, "epochs": 3, "max_batches": None}})
    # ... nor do options added later at the value that reproduces what older runs did (a rerun supersedes them)
    same = {**rec(0), "config": {"seed": 0, "epochs": 3, "precision": "fp32", "long_scope": "window",
                                 "user_dropout": 0.0, "user_l2": 0.0}}
    assert run_identity(rec(0)) == run_identity(same)
    for other in ({"precision": "bf16"}, {"long_scope": "history"}, {"user_dropout": 0.5},
                  {"user_l2": 0.01}):  # another run
        assert run_identity(rec(0)) != run_identity({**rec(0), "config": {"seed": 0, "epochs": 3, **other}})


def test_the_same_record_twice_is_appended_once_and_a_rerun_supersedes_when_read(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    assert append_record(path, rec(0, 0.5)) is True
    assert append_record(path, rec(0, 0.5)) is False  # e.g. `pick` run twice
    assert len(path.read_text().splitlines()) == 1
    append_record(path, rec(1, 0.4))
    append_record(path, rec(0, 0.6))  # the same run again (same config, seed and plan), other numbers
    assert len(path.read_text().splitlines()) == 3  # nothing rewritten
    assert [(r["seed"], r["test"]["ndcg@10"]) for r in read_records(path)] == [(1, 0.4), (0, 0.6)]
    assert len(read_records(path, dedupe=False)) == 3


def test_read_results_is_empty_before_a_campaign_and_deduplicated_after(tmp_path: Path) -> None:
    assert read_results("r", tmp_path) == []  # not run yet: a chapter shows "not run", it does not fail
    with pytest.raises(FileNotFoundError, match="no results at"):
        read_records(tmp_path / "r.jsonl")  # the strict reader still refuses
    for record in (rec(0, 0.5), rec(1, 0.4), rec(0, 0.6)):
        append_record(tmp_path / "r.jsonl", record)
    assert [(r["seed"], r["test"]["ndcg@10"]) for r in read_results("r", tmp_path)] == [(1, 0.4), (0, 0.6)]


def test_write_records_never_replaces_a_file(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    write_records(path, [rec(0), rec(1)])
    assert [r["seed"] for r in read_records(path)] == [0, 1]
    with pytest.raises(ValueError, match="never rewritten"):
        write_records(path, [rec(2)])
    assert [r["seed"] for r in read_records(path)] == [0, 1]


def test_check_writable_refuses_unusable_destinations_and_changes_nothing(tmp_path: Path) -> None:
    from lessons.evaluation.results import check_writable

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ValueError, match="out must be a writable file"):
        check_writable(blocker / "r.jsonl")
    with pytest.raises(ValueError, match="--to must be a writable file"):
        check_writable(tmp_path, "--to")
    fresh = tmp_path / "sub" / "r.jsonl"
    assert check_writable(fresh) == fresh and not fresh.exists() and fresh.parent.is_dir()
    blocker_bytes = blocker.read_bytes()
    check_writable(blocker)
    assert blocker.read_bytes() == blocker_bytes


# ------------------------------------------------------------------------------------------- baselines
def test_baselines_run_appends_and_keeps_the_other_baselines_records(tmp_path: Path) -> None:
    """`python -m lessons.baselines run --baselines popularity` used to rewrite a 4-record file to 1 record."""
    split = make_toy_split(n_users=30, n_items=12, seed=3)
    out = tmp_path / "baselines-toy.jsonl"
    grids = {"markov1": {"smoothing": [0.1]}, "bpr": {"factors": [2], "epochs": [1]}}
    run_baselines("toy", ["popularity", "markov1", "bpr"], split=split, out=out, grids=grids, log=lambda s: None)
    first = out.read_text().splitlines()
    run_baselines("toy", ["popularity"], split=split, out=out, grids=grids, log=lambda s: None)
    lines = out.read_text().splitlines()
    assert lines[:3] == first and len(lines) == 4  # appended, the earlier lines untouched
    assert sorted(r["baseline"] for r in read_records(out)) == ["bpr", "markov1", "popularity"]
    assert read_records(out)[-1] == json.loads(lines[-1])  # the rerun of popularity supersedes the old one


def test_baselines_run_checks_the_destination_and_seed_before_any_work(tmp_path: Path, monkeypatch) -> None:
    def no_data(*args: object) -> None:
        raise AssertionError("the data were loaded before the arguments were checked")

    monkeypatch.setattr("lessons.baselines.tuning.load_split", no_data)
    blocker = tmp_path / "f"
    blocker.write_text("")
    with pytest.raises(ValueError, match="out must be a writable file"):
        run_baselines("ml-1m", ["popularity"], out=blocker / "x.jsonl", log=lambda s: None)  # no data loaded
    with pytest.raises(ValueError, match="seed must be >= 0"):
        run_baselines("ml-1m", ["popularity"], seed=-1, out=tmp_path / "x.jsonl", log=lambda s: None)


def test_committed_results_are_strict_json_and_free_of_duplicates() -> None:
    for path in sorted((REPO_ROOT / "results").glob("*.jsonl")):
        lines = [line for line in path.read_text().splitlines() if line.strip()]
        assert len(read_records(path)) == len(read_records(path, dedupe=False)) == len(lines), path.name
