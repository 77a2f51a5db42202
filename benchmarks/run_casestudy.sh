#!/usr/bin/env bash
# The first queue of case-study runs, behind results/ml-1m-first-pass.jsonl (then called results/ml-1m.jsonl),
# results/ml-100k.jsonl, results/sim-news.jsonl and results/binary-ml-100k.jsonl, in the order they were run: one run at a time, niced, one thread (the machine
# was shared by many jobs). Log: .data/casestudy-queue.log.
#   bash benchmarks/run_casestudy.sh [--wait PID]
# The ML-1M table of the book comes from the second campaign, benchmarks/run_casestudy_ml1m.sh.
# Note: the first ML-1M record (fused-gate-gru, seed 0) was made by an earlier version of this queue with a
# 12-minute budget; the table groups runs by model AND budget so that it is never averaged with the others.
set -u
cd "$(dirname "$0")/.."
LOG=.data/casestudy-queue.log
if [ "${1:-}" = "--wait" ]; then while kill -0 "$2" 2>/dev/null; do sleep 5; done; fi
PY=(nice -n 10 .venv/bin/python -m lessons.casestudy)
ML1M=(--dataset ml-1m --epochs 30 --dim 64 --lr 3e-3 --dropout 0.3 --batch-size 128 --stride 25 --patience 3
      --max-minutes "${MAX_MINUTES:-14}" --threads 1 --no-progress -v)
ML100K=(--dataset ml-100k --epochs 40 --dim 64 --lr 3e-3 --dropout 0.3 --batch-size 64 --stride 25 --patience 4
        --max-minutes 2.5 --threads 1 --no-progress -v)
BINARY=(--dataset ml-100k --epochs 5 --dim 64 --lr 2e-3 --dropout 0.3 --batch-size 128 --neg-ratio 1 --no-progress)
step() { echo "== $(date -u +%FT%TZ) start $*" >> "$LOG"; "$@" >> "$LOG" 2>&1; echo "== $(date -u +%FT%TZ) end rc=$?" >> "$LOG"; }
for seed in 0 1 2; do for cell in gru lstm; do
  step "${PY[@]}" binary --cell "$cell" --seed "$seed" "${BINARY[@]}"
done; done
for job in fused-gate-gru:0 full-gru:0 short-gru:0 long:0 fused-lstur-gru:0; do
  step "${PY[@]}" train --model "${job%%:*}" --seed "${job##*:}" "${ML100K[@]}"
done
for job in full-gru:0 full-lstm:0 fused-gate-lstm:0 fused-gate-gru:1; do
  step "${PY[@]}" train --model "${job%%:*}" --seed "${job##*:}" "${ML1M[@]}"
done
for model in short-gru long full-gru fused-gate-gru; do
  step "${PY[@]}" train --model "$model" --seed 0 "${ML100K[@]}" --dataset sim-news --max-minutes 1.2
done
for job in full-lstm:0 fused-gate-lstm:0 fused-gate-gru:1 full-gru:1 fused-gate-gru:2 full-gru:2; do
  step "${PY[@]}" train --model "${job%%:*}" --seed "${job##*:}" "${ML100K[@]}"
done
