"""Speed and memory of GRU and LSTM, NumPy cells and torch.nn, on this machine.

Prints a table and writes results/lstm_vs_gru_benchmark.json (configuration, seed, package versions, commit,
machine), which the chapter "LSTM vs GRU" reads.
Run: python benchmarks/rnn_speed_memory.py  (one to two minutes)
"""

from __future__ import annotations

import argparse
import json
import warnings

from lessons.evaluation.results import provenance
from lessons.rnn.benchmark import RESULT_PATH, ratio_rows, run_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 64, 256])
    parser.add_argument("--seq-len", type=int, default=50)
    parser.add_argument("--budget", type=float, default=0.5, help="seconds of repeats per measurement")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(RESULT_PATH))
    args = parser.parse_args()
    # torch warns about TF32 on Intel GPUs whenever oneDNN is toggled; it does not concern a CPU run
    warnings.filterwarnings("ignore", message="TF32 acceleration")
    record = run_benchmark(tuple(args.sizes), args.seq_len, seed=args.seed, budget_s=args.budget)
    record["provenance"] = provenance()
    print(f"{'impl':6} {'batch':>5} {'cell':5} {'H':>4} {'params':>8} {'fwd ms':>9} {'fwd+bwd ms':>11} "
          f"{'saved/step/unit':>15}")
    for r in record["rows"]:
        print(f"{r['impl']:6} {r['batch']:5d} {r['cell']:5} {r['size']:4d} {r['parameters']:8d} "
              f"{r['forward_ms']:9.3f} {r['forward_backward_ms']:11.3f} "
              f"{r['saved_values_per_step_per_unit']:15.1f}")
    print("\nLSTM / GRU")
    for r in ratio_rows(record):
        print(f"{r['impl']:6} batch {r['batch']:3d} H {r['size']:4d}: params {r['parameters']:.3f}  "
              f"fwd {r['forward_time']:.2f}  fwd+bwd {r['forward_backward_time']:.2f}  "
              f"saved {r['saved_values']:.2f}")
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(record, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
