"""Command line of the data package.

    python -m lessons.data stats ml-1m --protocol recbole   # {"users": .., "items": .., "interactions": ..}
    python -m lessons.data stats ml-1m --protocol raw
    python -m lessons.data stats instacart                  # the grocery sample, next-basket split (no filtering)

The data themselves are fetched by ``python -m lessons.data.fetch`` (``make data``).
"""

from __future__ import annotations

import argparse
import json

from lessons.checks import run_cli
from lessons.data.facts import protocol_stats
from lessons.data.instacart import basket_stats, load_basket_split
from lessons.data.movielens import DATASETS
from lessons.data.protocol import PROTOCOLS


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a missing or corrupt wheel ends in one line on stderr and exit status 2."""
    return run_cli(_main, argv)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lessons.data",
                                     description="Statistics of the data sets (MovieLens after a protocol; "
                                                 "the Instacart sample as it is).")
    sub = parser.add_subparsers(dest="command", required=True)
    stats = sub.add_parser("stats", help="print users/items/interactions after a protocol as JSON")
    stats.add_argument("name", choices=(*DATASETS, "instacart"))
    stats.add_argument("--protocol", choices=PROTOCOLS, default="recbole",
                       help="MovieLens only; the Instacart sample is never filtered")
    args = parser.parse_args(argv)
    if args.name == "instacart":
        result = basket_stats(load_basket_split())
    else:
        result = protocol_stats(args.name, args.protocol)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
