"""Command line of case study II.

    python -m lessons.casestudy train --dataset ml-1m --model fused-gate-gru --seed 0 [--epochs 30 --dim 64
        --lr 1e-3 --dropout 0.3 --batch-size 256 --stride 25 --patience 3 --max-minutes 15 --out PATH]
    python -m lessons.casestudy table --dataset ml-1m [--k 10]
    python -m lessons.casestudy binary --dataset ml-100k --cell gru --seed 0
    python -m lessons.casestudy pick --from results/ml-1m-tuning.jsonl --threads 2 --to results/ml-1m.jsonl \
        --print dropout
    python -m lessons.casestudy count --in results/ml-1m-history.jsonl --where model=long --where seed=3 \
        [--distinct dropout]

``train`` prints ONE JSON line and appends it to ``results/<dataset>.jsonl``, then saves the weights under
``.data/checkpoints/`` named by the run identity (``--no-save``: neither); the destinations are checked writable
and every number valid before the data load, and errors are one line with exit status 2;
``table`` prints the comparison table (our models: mean +/- sd over seeds; our baselines; RecBole's
published leaderboard rows); ``binary`` runs the article-style yes/no experiment (see
:mod:`lessons.casestudy.binary`); ``pick`` copies the run with the best VALIDATION NDCG@10 among those whose
config matches (``--threads``, ``--model``, ``--epochs``, ``--seed``) to ``--to`` and prints one of its config values;
``count`` prints how many recorded runs match every ``--where FIELD=VALUE`` (or how many distinct values of one
field they hold), which is how the campaign scripts in ``benchmarks/`` skip a run already recorded.

The options of ``train`` and ``binary`` are the fields of :class:`lessons.casestudy.train.TrainConfig` and
:class:`lessons.casestudy.binary.BinaryConfig` (``--batch-size`` for ``batch_size``), with their defaults.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

from lessons.casestudy.binary import BinaryConfig
from lessons.casestudy.models import CELLS
from lessons.casestudy.train import SCHEDULES, TrainConfig
from lessons.checks import check_number, run_cli
from lessons.data.protocol import PROTOCOLS
from lessons.data.split import SequentialSplit
from lessons.evaluation.results import (
    RESULTS_DIR,
    append_record,
    check_writable,
    read_records,
    results_file,
    run_identity,
)
from lessons.paths import CHECKPOINT_DIR, REPO_ROOT

SIM_PRESETS = ("sim-news", "sim-music", "sim-ecommerce")
#: Extra help and choices for some config fields; every other field gets its type and default only.
FIELD_HELP: dict[str, dict[str, Any]] = {
    "schedule": {"choices": SCHEDULES, "help": "learning rate over the planned epochs"},
    "seen_bias": {"help": "learn one score bias for items already in the input (RepeatNet-like)"},
    "cell": {"choices": CELLS},
    "user_dropout": {"help": "probability of zeroing a row's user vector in training (LSTUR's mask)"},
    "user_l2": {"help": "L2 penalty on the batch's user vectors, user_l2 * mean ||e_u||^2"},
    "dim": {"aliases": ("--hidden",)},
    "max_batches": {"help": "stop after this many batches in all (an exact, replayable plan: a run the clock cut "
                            "records its batches_run; pass it here to reproduce that run on any machine)"},
}


def add_config_arguments(parser: argparse.ArgumentParser, config_class: type) -> None:
    """One ``--option`` per field of the dataclass ``config_class`` with its default (bools become flags);
    fields of other types (dicts, tuples) are left out."""
    for f in dataclasses.fields(config_class):
        if f.type not in ("int", "float", "str", "bool", "int | None", int, float, str, bool):
            continue
        extra = dict(FIELD_HELP.get(f.name, {}))
        flags = [f"--{f.name.replace('_', '-')}", *extra.pop("aliases", ())]
        if f.type in ("bool", bool):
            parser.add_argument(*flags, dest=f.name, action="store_true", **extra)
        else:
            kind = {"int": int, "float": float, "str": str, "int | None": int}.get(f.type, f.type)
            parser.add_argument(*flags, dest=f.name, type=kind, default=f.default, **extra)


def config_from(args: argparse.Namespace, config_class: type) -> Any:
    """The ``config_class`` instance whose fields are the parsed options of the same names."""
    names = {f.name for f in dataclasses.fields(config_class)}
    return config_class(**{k: v for k, v in vars(args).items() if k in names})


def load_dataset(name: str, protocol: str = "recbole") -> SequentialSplit:
    """The split behind a dataset name: MovieLens via :func:`lessons.data.split.load_split` (under ``protocol``;
    the other data sets have only their own), ``toy`` via
    :func:`lessons.data.split.make_toy_split`, ``sim-<preset>`` via :func:`lessons.data.simulate.simulate`
    (seed 0)."""
    from lessons.data.split import load_split, make_toy_split

    if name == "toy":
        return make_toy_split()
    if name in SIM_PRESETS:
        from lessons.data.simulate import simulate

        return simulate(name.removeprefix("sim-"), seed=0).to_split()
    return load_split(name, protocol)


def _results_out(args: argparse.Namespace, default: Path) -> Path | None:
    """Where the record goes (``None`` with ``--no-save``), checked writable before any work."""
    return None if args.no_save else check_writable(Path(args.out) if args.out else default, "--out")


def checkpoint_path(record: dict[str, Any], directory: Path = CHECKPOINT_DIR) -> Path:
    """``<directory>/<dataset>-<model>-seed<seed>-<run identity>.pt``: one file per configuration, so a run with
    other settings (``--dim 8`` after ``--dim 64``) never overwrites another's weights."""
    return Path(directory) / f"{record['dataset']}-{record['model']}-seed{record['seed']}-{run_identity(record)}.pt"


def _checkpoint_dir(args: argparse.Namespace) -> Path | None:
    """The checked checkpoint folder (relative paths are under the repository root), or ``None`` when no
    checkpoint is written (``--no-save`` or ``--checkpoint-dir ''``)."""
    if args.no_save or not args.checkpoint_dir:
        return None
    directory = Path(args.checkpoint_dir)
    directory = directory if directory.is_absolute() else REPO_ROOT / directory
    check_writable(directory / f".probe-{os.getpid()}", "--checkpoint-dir")
    return directory


def _train(args: argparse.Namespace) -> int:
    from lessons.casestudy.models import save_checkpoint
    from lessons.casestudy.train import run

    config = config_from(args, TrainConfig)  # every number checked before the data load
    out = _results_out(args, results_file(args.dataset))
    ckpt_dir = _checkpoint_dir(args)
    log = (lambda m: print(m, file=sys.stderr)) if args.verbose else None
    if args.protocol != "recbole" and args.dataset not in ("ml-100k", "ml-1m"):
        raise ValueError(f"--protocol {args.protocol} applies to MovieLens only, got --dataset {args.dataset}")
    model, record = run(load_dataset(args.dataset, args.protocol), config, progress=not args.no_progress, log=log)
    print(json.dumps(record, sort_keys=True))
    if out is not None:
        append_record(out, record)  # the record first: a checkpoint failure can no longer lose the run
    if ckpt_dir is not None:
        save_checkpoint(model, checkpoint_path(record, ckpt_dir), identity=run_identity(record))
    return 0


def _table(args: argparse.Namespace) -> int:
    from lessons.casestudy.report import comparison_table

    table = comparison_table(args.dataset, k=args.k)
    print(table.to_markdown(index=False) if hasattr(table, "to_markdown") else table.to_string(index=False))
    return 0


def _pick(args: argparse.Namespace) -> int:
    from lessons.casestudy.models import canonical_model_name
    from lessons.evaluation.compare import best_on_validation

    keys = ("threads", "model", "epochs", "seed", "dim", "seen_bias")
    wanted = {k: getattr(args, k) for k in keys if getattr(args, k) is not None}
    if "seen_bias" in wanted:
        wanted["seen_bias"] = wanted["seen_bias"] == "yes"
    for name in ("threads", "epochs", "dim"):
        if name in wanted:
            check_number(f"--{name}", wanted[name], low=1, integer=True)
    if "seed" in wanted:
        check_number("--seed", wanted["seed"], low=0, integer=True)
    if "model" in wanted:
        wanted["model"] = canonical_model_name(wanted["model"])
    to = check_writable(Path(args.to), "--to") if args.to else None
    best = best_on_validation(read_records(Path(args.source)), **wanted)
    if args.print and args.print not in best["config"]:
        raise ValueError(f"--print must be one of {sorted(best['config'])}, got {args.print!r}")
    if to is not None and not append_record(to, best):
        print(f"{to} already holds this run; nothing appended", file=sys.stderr)
    print(best["config"][args.print] if args.print else json.dumps(best["config"], sort_keys=True))
    return 0


def _where_value(name: str, text: str, kind: Any) -> Any:
    """``text`` as a value of the TrainConfig field ``name`` of type ``kind`` (``ValueError`` if it is not one)."""
    kind = getattr(kind, "__name__", str(kind))
    words = {"true": True, "yes": True, "false": False, "no": False}
    try:
        if kind == "bool":
            return words[text.lower()]
        if kind.startswith("int"):
            return None if "None" in kind and text.lower() in ("null", "none") else int(text)
        if kind == "float":
            return float(text)
        if kind == "str":
            return text
    except (KeyError, ValueError):
        pass
    else:
        raise ValueError(f"--where cannot match {name}: its type {kind} is not a number, word or flag")
    raise ValueError(f"--where {name} must be a {kind}, got {text!r}")


def count_runs(records: list[dict[str, Any]], where: list[str], distinct: str | None = None) -> int:
    """How many training runs in ``records`` (records whose ``config`` names a model) have every ``FIELD=VALUE``
    of ``where`` in their config, or, with ``distinct``, how many distinct values of that field they hold. VALUE is
    read as the field's type in :class:`~lessons.casestudy.train.TrainConfig` (``seed=1``, ``dropout=0`` equals
    ``0.0``, ``seen_bias=true`` or ``yes``); model names are compared in their canonical spelling. A field a
    record lacks (it predates the field) counts as TrainConfig's default, so ``long_scope=window`` matches the runs
    recorded before ``long_scope`` existed. ``ValueError`` names a clause that is not ``FIELD=VALUE``, a field
    TrainConfig does not have, or a VALUE that is not of the field's type."""
    from lessons.casestudy.models import canonical_model_name

    fields = {f.name: f for f in dataclasses.fields(TrainConfig) if f.default is not dataclasses.MISSING}
    defaults = {name: f.default for name, f in fields.items()}
    wanted: dict[str, Any] = {}
    for clause in where:
        name, sep, text = clause.partition("=")
        if not sep or name not in fields:
            raise ValueError(f"--where must be FIELD=VALUE with FIELD one of {sorted(fields)}, got {clause!r}")
        value = _where_value(name, text, fields[name].type)
        wanted[name] = canonical_model_name(value) if name == "model" else value
    if distinct is not None and distinct not in fields:
        raise ValueError(f"--distinct must be one of {sorted(fields)}, got {distinct!r}")

    def spelled(config: dict[str, Any]) -> dict[str, Any]:
        try:
            return {**config, "model": canonical_model_name(config["model"])}
        except ValueError:
            return config  # a name from an older vocabulary: compared as written

    configs = [spelled({**defaults, **r["config"]}) for r in records if "model" in r.get("config", {})]
    matches = [c for c in configs if all(c[k] == v for k, v in wanted.items())]
    return len({c[distinct] for c in matches}) if distinct else len(matches)  # a set: 0 and 0.0 are one value


def _count(args: argparse.Namespace) -> int:
    path = Path(args.source)
    print(count_runs(read_records(path) if path.exists() else [], args.where, args.distinct))
    return 0


def _binary(args: argparse.Namespace) -> int:
    from lessons.casestudy.binary import run_binary

    config = config_from(args, BinaryConfig)
    out = _results_out(args, RESULTS_DIR / f"binary-{args.dataset}.jsonl")
    record = run_binary(load_dataset(args.dataset), config, progress=not args.no_progress)
    print(json.dumps(record, sort_keys=True))
    if out is not None:
        append_record(out, record)
    return 0


def _output_arguments(parser: argparse.ArgumentParser, out_help: str) -> None:
    parser.add_argument("--out", default=None, help=out_help)
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--no-progress", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m lessons.casestudy`` (five sub-commands)."""
    parser = argparse.ArgumentParser(prog="python -m lessons.casestudy", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    tr = sub.add_parser("train", help="train one model, print and append one JSON record")
    tr.add_argument("--dataset", default="ml-100k", choices=["ml-100k", "ml-1m", "toy", *SIM_PRESETS])
    tr.add_argument("--protocol", default="recbole", choices=PROTOCOLS,
                    help="MovieLens filtering; 'recbole-later' drops ratings given in the second of a held-out one")
    add_config_arguments(tr, TrainConfig)
    _output_arguments(tr, "JSON-lines file (default results/<dataset>.jsonl)")
    tr.add_argument("--checkpoint-dir", default=str(CHECKPOINT_DIR),
                    help="where the trained weights go (default .data/checkpoints; a relative path is under the "
                         "repository root; '' to skip); one file per run identity, written after the record")
    tr.add_argument("-v", "--verbose", action="store_true", help="log every epoch to stderr")
    tr.set_defaults(func=_train)

    ta = sub.add_parser("table", help="print the comparison table")
    ta.add_argument("--dataset", default="ml-1m", choices=["ml-100k", "ml-1m"])
    ta.add_argument("--k", type=int, default=10, help="cut-off: 5, 10 or 20")
    ta.set_defaults(func=_table)

    bi = sub.add_parser("binary", help="the article's yes/no experiment for one cell and seed")
    bi.add_argument("--dataset", default="ml-100k", choices=["ml-100k", "ml-1m", "toy"])
    add_config_arguments(bi, BinaryConfig)
    _output_arguments(bi, "JSON-lines file (default results/binary-<dataset>.jsonl)")
    bi.set_defaults(func=_binary)

    pk = sub.add_parser("pick", help="copy the best run on validation NDCG@10 to another results file")
    pk.add_argument("--from", dest="source", required=True, help="JSON-lines results file to choose from")
    pk.add_argument("--to", default=None, help="append the chosen record here")
    for name, kind in (("threads", int), ("model", str), ("epochs", int), ("seed", int), ("dim", int)):
        pk.add_argument(f"--{name}", type=kind, default=None)
    pk.add_argument("--seen-bias", dest="seen_bias", choices=["yes", "no"], default=None,
                    help="only runs with (yes) or without (no) the seen-item bias")
    pk.add_argument("--print", default=None, help="print this config value of the chosen run (default: its config)")
    pk.set_defaults(func=_pick)

    co = sub.add_parser("count", help="how many recorded runs match (a missing file holds none)")
    co.add_argument("--in", dest="source", required=True, help="JSON-lines results file")
    co.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                    help="a config field and its value (repeatable; all must match)")
    co.add_argument("--distinct", default=None, metavar="FIELD",
                    help="print how many distinct values of FIELD the matching runs hold instead")
    co.set_defaults(func=_count)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one sub-command; a bad argument or an unusable file ends with one line on stderr and exit status 2."""
    def dispatch(argv: list[str] | None) -> int:
        args = build_parser().parse_args(argv)
        return args.func(args)

    return run_cli(dispatch, argv)


if __name__ == "__main__":
    raise SystemExit(main())
