#!/usr/bin/env bash
# Issue 18, item 2: does a long-term half that reads the WHOLE purchase history earn its keep on groceries?
# The two designs with a long-term attention (long, fused-gate-gru), each with the attention over the input window
# (the last 50 purchases) and over the whole history (--long-scope history), all with the seen-item bias, under the
# plan of benchmarks/run_grocery.sh (width 32, two epochs, cosine decay from lr 0.01); five seeds, seeds outer.
#   bash benchmarks/run_grocery_history.sh [OUT]      # OUT defaults to results/instacart.jsonl; SEEDS="0 1" for a subset
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-results/instacart.jsonl}
export OMP_NUM_THREADS=1
for seed in ${SEEDS:-0 1 2 3 4}; do
  for model in long fused-gate-gru; do
    for scope in window history; do
      nice -n 10 .venv/bin/python -m lessons.casestudy.grocery --model "$model" --seeds "$seed" --epochs 2 \
        --lr 0.01 --dim 32 --dropout 0.2 --batch-size 64 --seen-bias --long-scope "$scope" --threads 1 --out "$OUT"
    done
  done
done
