#!/usr/bin/env bash
# The second ML-1M campaign behind results/ml-1m.jsonl (the first, slower one is kept in
# results/ml-1m-first-pass.jsonl), and the seen-bias runs added to results/ml-100k.jsonl.
#
#   bash benchmarks/run_casestudy_ml1m.sh tune      # the two validation runs behind the chosen dropout
#   bash benchmarks/run_casestudy_ml1m.sh ml-1m     # the table: every model, the fused ones with 3 seeds
#   bash benchmarks/run_casestudy_ml1m.sh lstm      # seeds 1 and 2 of the fused LSTM
#   bash benchmarks/run_casestudy_ml1m.sh ml-100k   # the seen-bias ablation on ML-100K (3 seeds) and the simulator
#
# Runs go two at a time, one thread each, on the 2-core machine, to fit one session. That buys little: in
# benchmarks/train_speed.py (fused-gate-gru, d = 128) one two-thread run took 85 s per epoch, two one-thread runs
# side by side 156-162 s each, so each model gets about half the epochs of a run alone. Every model gets the same
# plan (6 epochs, cosine learning-rate decay, d = 128) and the same 14-minute cap; the dropout of 0.2 was chosen on VALIDATION NDCG@10 by the two
# `tune` runs (results/ml-1m-tuning.jsonl), never on test. Log: .data/casestudy-ml1m.log.
set -u
cd "$(dirname "$0")/.."
LOG=.data/casestudy-ml1m.log
PY=(nice -n 5 .venv/bin/python -m lessons.casestudy train --no-progress -v)
ML1M=(--dataset ml-1m --epochs 6 --schedule cosine --dim 128 --lr 3e-3 --batch-size 128 --stride 25 --patience 3
      --max-minutes 14 --threads 1 --checkpoint-dir .data/ckpt)
ML100K=(--dataset ml-100k --epochs 40 --dim 64 --lr 3e-3 --dropout 0.3 --batch-size 64 --stride 25 --patience 4
        --max-minutes 2.5 --threads 1)
step() { echo "== $(date -u +%FT%TZ) start $*" >> "$LOG"; "$@" >> "$LOG" 2>&1; echo "== $(date -u +%FT%TZ) end rc=$?" >> "$LOG"; }
pair() { step "${PY[@]}" "${ML1M[@]}" $1 & step "${PY[@]}" "${ML1M[@]}" $2; wait; }
case "${1:-}" in
  tune)
    pair "--model fused-gate-gru --seed 0 --seen-bias --dropout 0.2 --out results/ml-1m-tuning.jsonl" \
         "--model fused-gate-gru --seed 0 --seen-bias --dropout 0.3 --out results/ml-1m-tuning.jsonl" ;;
  ml-1m)
    # seed 0 of fused-gate-gru+seen is the chosen tuning run (dropout 0.2), copied from results/ml-1m-tuning.jsonl
    pair "--model fused-gate-gru --seed 1 --seen-bias --dropout 0.2" "--model fused-gate-gru --seed 2 --seen-bias --dropout 0.2"
    pair "--model fused-gate-lstm --seed 0 --seen-bias --dropout 0.2" "--model full-gru --seed 0 --seen-bias --dropout 0.2"
    pair "--model short-gru --seed 0 --seen-bias --dropout 0.2" "--model long --seed 0 --seen-bias --dropout 0.2"
    pair "--model fused-lstur-gru --seed 0 --seen-bias --dropout 0.2" "--model full-gru --seed 0 --dropout 0.2" ;;
  lstm)
    pair "--model fused-gate-lstm --seed 1 --seen-bias --dropout 0.2" "--model fused-gate-lstm --seed 2 --seen-bias --dropout 0.2" ;;
  ml-100k)
    for seed in 0 1 2; do
      step "${PY[@]}" "${ML100K[@]}" --model full-gru --seed "$seed" --seen-bias &
      step "${PY[@]}" "${ML100K[@]}" --model fused-gate-gru --seed "$seed" --seen-bias
      wait
    done
    # where people DO come back to the same item (the simulator's music preset), the bias should turn positive
    for preset in news music; do
      step "${PY[@]}" "${ML100K[@]}" --dataset "sim-$preset" --max-minutes 1.2 --model full-gru --seed 0 --seen-bias &
    done
    wait ;;
  *) echo "usage: $0 tune|ml-1m|lstm|ml-100k" >&2; exit 2 ;;
esac
