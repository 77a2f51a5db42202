#!/usr/bin/env bash
# The simulator campaign behind the "when does long-term interest help?" table (issue 18, item 5): both presets
# (news: interest drifts, little repetition; music: people come back to the same items), every design, seeds 0-4,
# one plan (30 epochs, early stopping on validation NDCG@10 with patience 4; the 10-minute cap is a safety net that
# no run reaches, so every run is exactly reproducible). Seeds are the outer loop, so a cut campaign stays balanced.
#
#   bash benchmarks/run_simulator.sh            # appends to results/sim-news.jsonl and results/sim-music.jsonl
#   SEEDS="3" bash benchmarks/run_simulator.sh  # only those seeds (seeds 0-2 ran first; 3 and 4 ran later, in two
#                                               # shells side by side). Not resumable: a rerun appends a second copy
#
# Log: .data/simulator.log. One thread per run; ~1-3 minutes a run on a 2-core machine.
set -u
cd "$(dirname "$0")/.."
LOG=.data/simulator.log
export OMP_NUM_THREADS=1
PLAN=(--epochs 30 --max-minutes 10 --patience 4 --dim 64 --lr 3e-3 --dropout 0.3 --batch-size 64 --stride 25
      --threads 1 --checkpoint-dir '')
MODELS=("short-gru" "long" "full-gru" "fused-gate-gru" "fused-lstur-gru" "full-gru --seen-bias")
for seed in ${SEEDS:-0 1 2 3 4}; do
  for preset in news music; do
    for model in "${MODELS[@]}"; do
      echo "== $(date -u +%FT%TZ) start sim-$preset $model seed $seed" >> "$LOG"
      # shellcheck disable=SC2086  # $model may carry --seen-bias
      nice -n 10 .venv/bin/python -m lessons.casestudy train --no-progress -v --dataset "sim-$preset" \
        --model $model --seed "$seed" "${PLAN[@]}" >> "$LOG" 2>&1
      echo "== $(date -u +%FT%TZ) end rc=$?" >> "$LOG"
    done
  done
done
