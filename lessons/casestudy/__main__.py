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
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lessons.provenance import RESULTS_DIR, append_record

SIM_PRESETS = ("sim-news", "sim-music", "sim-ecommerce")


def load_dataset(name: str):  # noqa: ANN201 (a SequentialSplit)
    """The split behind a dataset name: MovieLens via :func:`lessons.data.load_split`, ``toy`` via
    :func:`lessons.data.make_toy_split`, ``sim-<preset>`` via :func:`lessons.simulate.simulate` (seed 0)."""
    from lessons.data import load_split, make_toy_split

    if name == "toy":
        return make_toy_split()
    if name in SIM_PRESETS:
        from lessons.simulate import simulate

        return simulate(name.removeprefix("sim-"), seed=0).to_split()
    return load_split(name)


def _train(args: argparse.Namespace) -> int:
    from lessons.casestudy.train import TrainConfig, run

    config = TrainConfig(
        model=args.model,
        seed=args.seed,
        epochs=args.epochs,
        dim=args.dim,
        lr=args.lr,
        dropout=args.dropout,
        batch_size=args.batch_size,
        stride=args.stride,
        patience=args.patience,
        max_minutes=args.max_minutes,
        threads=args.threads,
        short_k=args.short_k,
        seen_bias=args.seen_bias,
        schedule=args.schedule,
    )
    split = load_dataset(args.dataset)
    model, record = run(
        split,
        config,
        progress=not args.no_progress,
        log=(lambda m: print(m, file=sys.stderr)) if args.verbose else None,
    )
    if args.checkpoint_dir:
        import torch

        ckpt = Path(args.checkpoint_dir) / f"{args.dataset}-{config.model}-seed{config.seed}.pt"
        ckpt.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"model_config": model.config.to_dict(), "state_dict": model.state_dict()}, ckpt)
    line = json.dumps(record, sort_keys=True)
    print(line)
    if not args.no_save:
        append_record(Path(args.out) if args.out else RESULTS_DIR / f"{args.dataset}.jsonl", record)
    return 0


def _table(args: argparse.Namespace) -> int:
    from lessons.casestudy.report import comparison_table

    table = comparison_table(args.dataset, k=args.k)
    print(table.to_markdown(index=False) if hasattr(table, "to_markdown") else table.to_string(index=False))
    return 0


def _pick(args: argparse.Namespace) -> int:
    from lessons.casestudy.report import best_on_validation
    from lessons.provenance import read_records

    wanted = {k: getattr(args, k) for k in ("threads", "model", "epochs", "seed") if getattr(args, k) is not None}
    best = best_on_validation(read_records(Path(args.source)), **wanted)
    if args.to:
        append_record(Path(args.to), best)
    print(best["config"][args.print] if args.print else json.dumps(best["config"], sort_keys=True))
    return 0


def _binary(args: argparse.Namespace) -> int:
    from lessons.casestudy.binary import BinaryConfig, run_binary

    split = load_dataset(args.dataset)
    config = BinaryConfig(
        cell=args.cell,
        seed=args.seed,
        epochs=args.epochs,
        dim=args.dim,
        lr=args.lr,
        dropout=args.dropout,
        batch_size=args.batch_size,
        neg_ratio=args.neg_ratio,
    )
    record = run_binary(split, config, progress=not args.no_progress)
    print(json.dumps(record, sort_keys=True))
    if not args.no_save:
        append_record(Path(args.out) if args.out else RESULTS_DIR / f"binary-{args.dataset}.jsonl", record)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lessons.casestudy", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    tr = sub.add_parser("train", help="train one model, print and append one JSON record")
    tr.add_argument("--dataset", default="ml-100k", choices=["ml-100k", "ml-1m", "toy", *SIM_PRESETS])
    tr.add_argument("--model", default="full-gru")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--epochs", type=int, default=30)
    tr.add_argument("--dim", "--hidden", dest="dim", type=int, default=64)
    tr.add_argument("--lr", type=float, default=1e-3)
    tr.add_argument("--dropout", type=float, default=0.3)
    tr.add_argument("--batch-size", type=int, default=256)
    tr.add_argument("--stride", type=int, default=25)
    tr.add_argument("--short-k", type=int, default=5)
    tr.add_argument(
        "--schedule", default="constant", choices=["constant", "cosine"], help="learning rate over the planned epochs"
    )
    tr.add_argument(
        "--seen-bias", action="store_true", help="learn one score bias for items already in the input (RepeatNet-like)"
    )
    tr.add_argument("--patience", type=int, default=3)
    tr.add_argument("--max-minutes", type=float, default=15.0)
    tr.add_argument("--threads", type=int, default=2)
    tr.add_argument("--out", default=None, help="JSON-lines file (default results/<dataset>.jsonl)")
    tr.add_argument("--no-save", action="store_true")
    tr.add_argument(
        "--checkpoint-dir",
        default=".data/checkpoints",
        help="where the trained weights go (git-ignored; '' to skip)",
    )
    tr.add_argument("--no-progress", action="store_true")
    tr.add_argument("-v", "--verbose", action="store_true", help="log every epoch to stderr")
    tr.set_defaults(func=_train)

    ta = sub.add_parser("table", help="print the comparison table")
    ta.add_argument("--dataset", default="ml-1m", choices=["ml-100k", "ml-1m"])
    ta.add_argument("--k", type=int, default=10)
    ta.set_defaults(func=_table)

    bi = sub.add_parser("binary", help="the article's yes/no experiment for one cell and seed")
    bi.add_argument("--dataset", default="ml-100k", choices=["ml-100k", "ml-1m", "toy"])
    bi.add_argument("--cell", default="gru", choices=["gru", "lstm"])
    bi.add_argument("--seed", type=int, default=0)
    bi.add_argument("--epochs", type=int, default=10)
    bi.add_argument("--dim", type=int, default=64)
    bi.add_argument("--lr", type=float, default=2e-3)
    bi.add_argument("--dropout", type=float, default=0.3)
    bi.add_argument("--batch-size", type=int, default=256)
    bi.add_argument("--neg-ratio", type=int, default=1)
    bi.add_argument("--out", default=None)
    bi.add_argument("--no-save", action="store_true")
    bi.add_argument("--no-progress", action="store_true")
    bi.set_defaults(func=_binary)

    pk = sub.add_parser("pick", help="copy the best run on validation NDCG@10 to another results file")
    pk.add_argument("--from", dest="source", required=True, help="JSON-lines results file to choose from")
    pk.add_argument("--to", default=None, help="append the chosen record here")
    pk.add_argument("--threads", type=int, default=None)
    pk.add_argument("--model", default=None)
    pk.add_argument("--epochs", type=int, default=None)
    pk.add_argument("--seed", type=int, default=None)
    pk.add_argument("--print", default=None, help="print this config value of the chosen run (default: its config)")
    pk.set_defaults(func=_pick)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
