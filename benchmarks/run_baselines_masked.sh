#!/usr/bin/env bash
# The baselines added for the like-for-like comparison (issue 17), on ML-1M: EASE and recency-weighted popularity
# under the book's protocol, then every baseline with the hard seen-mask (tuned with the mask on validation).
# Appends to results/baselines-ml-1m.jsonl (masked records carry "mask_seen": true and the label <name>+mask).
#   bash benchmarks/run_baselines_masked.sh      # ~15 minutes on one thread; log .data/baselines-masked.log
set -u
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1
LOG=.data/baselines-masked.log
B=(nice -n 10 .venv/bin/python -m lessons.baselines run --dataset ml-1m)
"${B[@]}" --baselines recent_pop ease >> "$LOG" 2>&1
"${B[@]}" --mask-seen --baselines popularity recent_pop markov1 sknn ease >> "$LOG" 2>&1
