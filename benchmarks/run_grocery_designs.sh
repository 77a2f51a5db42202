#!/usr/bin/env bash
# Issue 18, item 3: the remaining designs of the models chapter on groceries, so both data sets have the same models:
# the short-term GRU (last five purchases) and the LSTM twins of the full and LSTUR-fused models, all with the
# seen-item bias, under the plan of benchmarks/run_grocery.sh (width 32, two epochs, cosine decay from lr 0.01,
# dropout 0.2, one thread), seeds 0-4 (seeds outer).
#   bash benchmarks/run_grocery_designs.sh [OUT]     # OUT defaults to results/instacart-designs.jsonl
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-results/instacart-designs.jsonl}
export OMP_NUM_THREADS=1
for seed in ${SEEDS:-0 1 2 3 4}; do
  for model in short-gru full-lstm fused-lstur-lstm; do
    nice -n 10 .venv/bin/python -m lessons.casestudy.grocery --model "$model" --seeds "$seed" --epochs 2 --lr 0.01 \
      --dim 32 --dropout 0.2 --batch-size 64 --seen-bias --threads 1 --out "$OUT"
  done
done
