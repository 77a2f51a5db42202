"""Command line of the baselines: tune on validation, evaluate on test once, write the results file.

    nice python -m lessons.baselines run --dataset ml-1m [--baselines sknn bpr] [--seed 0] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lessons.baselines.models import BASELINES
from lessons.baselines.tuning import run
from lessons.checks import run_cli
from lessons.data.movielens import DATASETS
from lessons.data.protocol import PROTOCOLS


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a bad argument or an unusable file ends in one line on stderr and exit status 2."""
    return run_cli(_main, argv)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lessons.baselines", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="tune on validation, evaluate on test, write results/baselines-*.jsonl")
    r.add_argument("--dataset", choices=DATASETS, required=True)
    r.add_argument("--baselines", nargs="+", default=list(BASELINES), choices=list(BASELINES))
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--out", type=Path, default=None)
    r.add_argument("--mask-seen", action="store_true", help="hard seen-mask: the user's items are never recommended")
    r.add_argument("--protocol", default="recbole", choices=PROTOCOLS,
                   help="MovieLens filtering; 'recbole-later' drops ratings given in the second of a held-out one")
    args = parser.parse_args(argv)
    records = run(args.dataset, args.baselines, seed=args.seed, out=args.out, mask_seen=args.mask_seen,
                  protocol=args.protocol,
                  log=lambda s: print(s, file=sys.stderr, flush=True))
    for rec in records:
        print(json.dumps({"baseline": rec["label"], "params": rec["params"],
                          **{k: rec["test"][k] for k in ("hr@10", "ndcg@10", "mrr@10")}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
