"""Print how long the interest-drift simulator takes for 10,000 users per preset (and the split building).

    python benchmarks/simulate_speed.py [--users 10000] [--repeats 3]

Prints one JSON line per preset: best-of-``repeats`` seconds to simulate and to build the SequentialSplit,
events simulated, and events per second. Numbers only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import time

from lessons.data.simulate import PRESETS, simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for name in PRESETS:
        sim_s, split_s = [], []
        for r in range(args.repeats):
            t0 = time.perf_counter()
            sim = simulate(name, seed=r, n_users=args.users)
            t1 = time.perf_counter()
            sim.to_split()
            t2 = time.perf_counter()
            sim_s.append(t1 - t0)
            split_s.append(t2 - t1)
        events = int(sim.lengths.sum())
        print(json.dumps({"preset": name, "users": args.users, "events": events,
                          "simulate_seconds": round(min(sim_s), 3),
                          "to_split_seconds": round(min(split_s), 3),
                          "events_per_second": round(events / min(sim_s))}))


if __name__ == "__main__":
    main()
