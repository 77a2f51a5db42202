#!/usr/bin/env bash
# The case-study models on the grocery sample, behind the `model` records of results/instacart.jsonl: full-gru and
# fused-lstur-gru, both with the seen-item bias, five seeds each, seeds in the outer loop so that a queue cut short
# leaves both models with the same seeds. Width 32, two epochs (cosine decay from lr 0.01), batches of 64 windows
# (about 1 GB), one thread, niced; two to eight minutes per run on a shared two-core machine.
#   bash benchmarks/run_grocery.sh [OUT]      # OUT defaults to results/instacart.jsonl
# The baselines of the same file come from: python -m lessons.baselines.nextbasket
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-results/instacart.jsonl}
export OMP_NUM_THREADS=1
for seed in 0 1 2 3 4; do
  for model in full-gru fused-lstur-gru; do
    nice -n 10 .venv/bin/python -m lessons.casestudy.grocery --model "$model" --seeds "$seed" --epochs 2 --lr 0.01 \
      --dim 32 --dropout 0.2 --batch-size 64 --seen-bias --threads 1 --out "$OUT"
  done
done
