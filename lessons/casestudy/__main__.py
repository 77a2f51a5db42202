"""Command line of case study II.

    python -m lessons.casestudy train --dataset ml-1m --model fused-gate-gru --seed 0 [--epochs 30 --dim 64
        --lr 1e-3 --dropout 0.3 --batch-size 256 --stride 25 --patience 3 --max-minutes 15 --out PATH]
    python -m lessons.casestudy table --dataset ml-1m [--k 10]
    python -m lessons.casestudy binary --dataset ml-100k --cell gru --seed 0
    python -m lessons.casestudy pick --from results/ml-1m-tuning.jsonl --threads 2 --to results/ml-1m.jsonl \
        --print dropout

``train`` prints ONE JSON line and appends it to ``results/<dataset>.jsonl`` (unless ``--no-save``);
``table`` prints the comparison table (our models: mean +/- sd over seeds; our baselines; RecBole's
published leaderboard rows); ``binary`` runs the article-style yes/no experiment (see
:mod:`lessons.casestudy.binary`); ``pick`` copies the run with the best VALIDATION NDCG@10 among those whose
config matches (``--threads``, ``--model``, ``--epochs``, ``--seed``) to ``--to`` and prints one of its config values.

The options of ``train`` and ``binary`` are the fields of :class:`lessons.casestudy.train.TrainConfig` and
:class:`lessons.casestudy.binary.BinaryConfig` (``--batch-size`` for ``batch_size``), with their defaults.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from lessons.casestudy.binary import BinaryConfig
from lessons.casestudy.models import CELLS
from lessons.casestudy.train import SCHEDULES, TrainConfig
from lessons.data.split import SequentialSplit
from lessons.evaluation.results import RESULTS_DIR, append_record, read_records, results_file
from lessons.paths import CHECKPOINT_DIR

SIM_PRESETS = ("sim-news", "sim-music", "sim-ecommerce")
#: Extra help and choices for some config fields; every other field gets its type and default only.
FIELD_HELP: dict[str, dict[str, Any]] = {
    "schedule": {"choices": SCHEDULES, "help": "learning rate over the planned epochs"},
    "seen_bias": {"help": "learn one score bias for items already in the input (RepeatNet-like)"},
    "cell": {"choices": CELLS},
    "dim": {"aliases": ("--hidden",)},
}


def add_config_arguments(parser: argparse.ArgumentParser, config_class: type) -> None:
    """One ``--option`` per field of the dataclass ``config_class`` with its default (bools become flags);
    fields of other types (dicts, tuples) are left out."""
    for f in dataclasses.fields(config_class):
        if f.type not in ("int", "float", "str", "bool", int, float, str, bool):
            continue
        extra = dict(FIELD_HELP.get(f.name, {}))
        flags = [f"--{f.name.replace('_', '-')}", *extra.pop("aliases", ())]
        if f.type in ("bool", bool):
            parser.add_argument(*flags, dest=f.name, action="store_true", **extra)
        else:
            kind = {"int": int, "float": float, "str": str}.get(f.type, f.type)
            parser.add_argument(*flags, dest=f.name, type=kind, default=f.default, **extra)


def config_from(args: argparse.Namespace, config_class: type) -> Any:
    """The ``config_class`` instance whose fields are the parsed options of the same names."""
    names = {f.name for f in dataclasses.fields(config_class)}
    return config_class(**{k: v for k, v in vars(args).items() if k in names})


def load_dataset(name: str) -> SequentialSplit:
    """The split behind a dataset name: MovieLens via :func:`lessons.data.split.load_split`, ``toy`` via
    :func:`lessons.data.split.make_toy_split`, ``sim-<preset>`` via :func:`lessons.data.simulate.simulate`
    (seed 0)."""
    from lessons.data.split import load_split, make_toy_split

    if name == "toy":
        return make_toy_split()
    if name in SIM_PRESETS:
        from lessons.data.simulate import simulate

        return simulate(name.removeprefix("sim-"), seed=0).to_split()
    return load_split(name)


def _train(args: argparse.Namespace) -> int:
    from lessons.casestudy.models import save_checkpoint
    from lessons.casestudy.train import run

    config = config_from(args, TrainConfig)
    log = (lambda m: print(m, file=sys.stderr)) if args.verbose else None
    model, record = run(load_dataset(args.dataset), config, progress=not args.no_progress, log=log)
    if args.checkpoint_dir:
        save_checkpoint(model, Path(args.checkpoint_dir) / f"{args.dataset}-{config.model}-seed{config.seed}.pt")
    print(json.dumps(record, sort_keys=True))
    if not args.no_save:
        append_record(Path(args.out) if args.out else results_file(args.dataset), record)
    return 0


def _table(args: argparse.Namespace) -> int:
    from lessons.casestudy.report import comparison_table

    table = comparison_table(args.dataset, k=args.k)
    print(table.to_markdown(index=False) if hasattr(table, "to_markdown") else table.to_string(index=False))
    return 0


def _pick(args: argparse.Namespace) -> int:
    from lessons.evaluation.compare import best_on_validation

    wanted = {k: getattr(args, k) for k in ("threads", "model", "epochs", "seed") if getattr(args, k) is not None}
    best = best_on_validation(read_records(Path(args.source)), **wanted)
    if args.to:
        append_record(Path(args.to), best)
    print(best["config"][args.print] if args.print else json.dumps(best["config"], sort_keys=True))
    return 0


def _binary(args: argparse.Namespace) -> int:
    from lessons.casestudy.binary import run_binary

    record = run_binary(load_dataset(args.dataset), config_from(args, BinaryConfig), progress=not args.no_progress)
    print(json.dumps(record, sort_keys=True))
    if not args.no_save:
        append_record(Path(args.out) if args.out else RESULTS_DIR / f"binary-{args.dataset}.jsonl", record)
    return 0


def _output_arguments(parser: argparse.ArgumentParser, out_help: str) -> None:
    parser.add_argument("--out", default=None, help=out_help)
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--no-progress", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m lessons.casestudy`` (four sub-commands)."""
    parser = argparse.ArgumentParser(prog="python -m lessons.casestudy", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    tr = sub.add_parser("train", help="train one model, print and append one JSON record")
    tr.add_argument("--dataset", default="ml-100k", choices=["ml-100k", "ml-1m", "toy", *SIM_PRESETS])
    add_config_arguments(tr, TrainConfig)
    _output_arguments(tr, "JSON-lines file (default results/<dataset>.jsonl)")
    tr.add_argument("--checkpoint-dir", default=str(CHECKPOINT_DIR),
                    help="where the trained weights go (git-ignored; '' to skip)")
    tr.add_argument("-v", "--verbose", action="store_true", help="log every epoch to stderr")
    tr.set_defaults(func=_train)

    ta = sub.add_parser("table", help="print the comparison table")
    ta.add_argument("--dataset", default="ml-1m", choices=["ml-100k", "ml-1m"])
    ta.add_argument("--k", type=int, default=10)
    ta.set_defaults(func=_table)

    bi = sub.add_parser("binary", help="the article's yes/no experiment for one cell and seed")
    bi.add_argument("--dataset", default="ml-100k", choices=["ml-100k", "ml-1m", "toy"])
    add_config_arguments(bi, BinaryConfig)
    _output_arguments(bi, "JSON-lines file (default results/binary-<dataset>.jsonl)")
    bi.set_defaults(func=_binary)

    pk = sub.add_parser("pick", help="copy the best run on validation NDCG@10 to another results file")
    pk.add_argument("--from", dest="source", required=True, help="JSON-lines results file to choose from")
    pk.add_argument("--to", default=None, help="append the chosen record here")
    for name, kind in (("threads", int), ("model", str), ("epochs", int), ("seed", int)):
        pk.add_argument(f"--{name}", type=kind, default=None)
    pk.add_argument("--print", default=None, help="print this config value of the chosen run (default: its config)")
    pk.set_defaults(func=_pick)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
