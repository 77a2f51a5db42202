#!/usr/bin/env bash
# Queue of case-study training runs on ML-1M, one at a time, niced (the machine is shared).
# Every run appends one JSON record to results/ml-1m.jsonl; the log goes to .data/casestudy-queue.log.
#   bash benchmarks/run_casestudy.sh                                # the default queue below
#   bash benchmarks/run_casestudy.sh full-gru:0 fused-gate-gru:1   # model:seed pairs
set -u
cd "$(dirname "$0")/.."
LOG=.data/casestudy-queue.log
COMMON=(--dataset ml-1m --epochs 30 --dim 64 --lr 3e-3 --dropout 0.3 --batch-size 128 --stride 25
        --patience 3 --max-minutes "${MAX_MINUTES:-12}" --threads 1 --no-progress -v)
QUEUE=("$@")
if [ ${#QUEUE[@]} -eq 0 ]; then
  QUEUE=(fused-gate-gru:0 full-gru:0 full-lstm:0 fused-gate-lstm:0 fused-lstur-gru:0
         fused-gate-gru:1 full-gru:1 fused-gate-gru:2 full-gru:2)
fi
for job in "${QUEUE[@]}"; do
  model=${job%%:*}; seed=${job##*:}
  echo "== $(date -u +%FT%TZ) start $model seed $seed" >> "$LOG"
  nice -n 10 .venv/bin/python -m lessons.casestudy train --model "$model" --seed "$seed" "${COMMON[@]}" \
    >> "$LOG" 2>&1
  echo "== $(date -u +%FT%TZ) end $model seed $seed rc=$?" >> "$LOG"
done
