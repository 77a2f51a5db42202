#!/usr/bin/env bash
# Issue 17: GRU4Rec reproduced under our own conditions, then every trick added as a controlled step, on ML-1M.
#
#   bash benchmarks/run_like_for_like.sh tune [ARM...]    # dropout per arm on VALIDATION (seed 0, four values each)
#   bash benchmarks/run_like_for_like.sh seeds [ARM...]   # seeds 1-4 of every arm with its chosen dropout
#   SEEDS="1 3" bash benchmarks/run_like_for_like.sh seeds D   # only those seeds (two shells share one arm's seeds;
#        give them seeds that do not overlap: each shell checks for a recorded run only before it starts one)
# ARM: any of A B C D (default all). Every run uses ONE thread, so two shells can run different arms side by side on
# a 2-core machine (`tune A B` and `tune C D`): two 2-thread runs, or one beside other work, spin and stall
# (measured: an epoch of arm A took 208 s instead of 36-48 s while a one-thread job ran beside it).
#
# The arms, all under ONE plan (full softmax over all 3,123 items, max length 50, 9 epochs, cosine decay, early
# stopping on validation NDCG@10 with patience 3, one thread, the loss's precision chosen by the machine and
# recorded):
#   A  full-gru, width 64, no seen-item bias        the GRU4Rec-like row (RecBole: item embeddings of width 64)
#   B  full-gru, width 128, no bias                 + width
#   C  full-gru, width 128, seen-item bias          + beta (a learned soft penalty on already-read items)
#   D  fused-lstur-gru, width 128, seen-item bias   + the long-term half
# Every run also records its ranks under the hard seen-mask (same checkpoint, no retraining). Seed 0 of each arm is
# the validation-best of its dropout trials (never chosen on test; lessons.casestudy.ladder.ladder_records reads it
# from the tuning file); seeds 1-4 reuse that dropout, and `seeds` refuses an arm whose four trials are not all in.
# Results: results/ml-1m-like-for-like.jsonl (tuning trials in results/ml-1m-like-for-like-tuning.jsonl).
# Resumable: a run whose arm, dropout and seed are already in its results file is skipped, so a stopped campaign
# restarts where it stopped and never appends a second record of one run. The dropout grid is 0.0-0.3: the first
# grid (0.1-0.3) chose its lowest value for every arm, so 0.0 was added before any seed beyond 0 was run.
# Log: .data/like-for-like.log. train_seconds (what the speed target reads) counts whatever else ran beside a run.
set -u
export OMP_NUM_THREADS=1
cd "$(dirname "$0")/.."
source benchmarks/campaign_lib.sh  # only
LOG=.data/like-for-like.log
OUT=results/ml-1m-like-for-like.jsonl
TUNE=results/ml-1m-like-for-like-tuning.jsonl
PLAN=(--dataset ml-1m --epochs 9 --schedule cosine --lr 3e-3 --batch-size 128 --stride 25 --patience 3
      --max-minutes 45 --threads 1 --precision auto --checkpoint-dir .data/ckpt-l4l)
ARMS=("A|--model full-gru --dim 64|64|no" "B|--model full-gru --dim 128|128|no"
      "C|--model full-gru --dim 128 --seen-bias|128|yes" "D|--model fused-lstur-gru --dim 128 --seen-bias|128|yes")
train() { echo "== $(date -u +%FT%TZ) start $*" >> "$LOG"
          nice -n 5 .venv/bin/python -m lessons.casestudy train --no-progress -v "${PLAN[@]}" "$@" >> "$LOG" 2>&1
          echo "== $(date -u +%FT%TZ) end rc=$?" >> "$LOG"; }
GRID=(0.0 0.1 0.2 0.3)
recorded() {  # is this run in FILE? recorded <file> <model> <dim> <yes|no> <dropout> <seed>: status 0 yes, 1 no;
              # a file that cannot be read stops the script rather than train a duplicate
  local bias=false n; [[ $4 == yes ]] && bias=true
  n=$(.venv/bin/python -m lessons.casestudy count --in "$1" --where model="$2" --where dim="$3" --where epochs=9 \
        --where seen_bias=$bias --where dropout="$5" --where seed="$6") \
    || { echo "recorded: count failed on $1" >&2; exit 3; }  # inside $(chosen ...) this ends only the subshell
  [[ $n -gt 0 ]]
}
chosen() {  # the dropout of the validation-best tuning run of one arm: chosen <model> <dim> <yes|no>;
            # status 1 while a trial is missing, 3 when the tuning file cannot be counted (the caller stops)
  local p; for p in "${GRID[@]}"; do
    recorded "$TUNE" "$1" "$2" "$3" "$p" 0 || { echo "arm $1 width $2 bias $3: trial $p not run yet; tune first" >&2
                                               return 1; }
  done
  .venv/bin/python -m lessons.casestudy pick --from "$TUNE" --model "$1" --dim "$2" --seen-bias "$3" --epochs 9 \
    --print dropout; }
only SEEDS "${SEEDS:-1 2 3 4}" 1 2 3 4   # seed 0 of every arm is its validation-best tuning trial, never retrained
STAGE=${1:-}; shift || true
WANT=" ${*:-A B C D} "
selected=(); for arm in "${ARMS[@]}"; do [[ "$WANT" == *" ${arm%%|*} "* ]] && selected+=("$arm"); done
ARMS=("${selected[@]}")
case "$STAGE" in
  tune)
    for arm in "${ARMS[@]}"; do IFS='|' read -r _ flags dim bias <<< "$arm"
      model=$(echo "$flags" | awk '{print $2}')
      for p in "${GRID[@]}"; do
        recorded "$TUNE" "$model" "$dim" "$bias" "$p" 0 && continue
        # shellcheck disable=SC2086
        train $flags --seed 0 --dropout "$p" --out "$TUNE"
      done
    done
    for arm in "${ARMS[@]}"; do IFS='|' read -r name flags dim bias <<< "$arm"
      model=$(echo "$flags" | awk '{print $2}')
      p=$(chosen "$model" "$dim" "$bias"); rc=$?
      [[ $rc == 3 ]] && exit 1
      [[ $rc == 0 ]] && echo "arm $name chooses dropout $p"
    done ;;
  seeds)
    for seed in ${SEEDS:-1 2 3 4}; do for arm in "${ARMS[@]}"; do IFS='|' read -r _ flags dim bias <<< "$arm"
      model=$(echo "$flags" | awk '{print $2}'); p=$(chosen "$model" "$dim" "$bias"); rc=$?
      [[ $rc == 3 ]] && exit 1  # the tuning file cannot be counted: stop rather than guess
      [[ $rc == 0 ]] || continue  # this arm's grid is incomplete (chosen said so)
      recorded "$OUT" "$model" "$dim" "$bias" "$p" "$seed" && continue
      # shellcheck disable=SC2086
      train $flags --seed "$seed" --dropout "$p" --out "$OUT"
    done; done ;;
  *) echo "usage: $0 tune|seeds [A] [B] [C] [D]" >&2; exit 2 ;;
esac
