#!/usr/bin/env bash
# Issue 18 on MovieLens-1M: give the long-term half its best chance before concluding that it hurts there.
# Every run uses the like-for-like plan of benchmarks/run_like_for_like.sh (width 128, seen-item bias, nine epochs,
# cosine decay from lr 0.003, batch 128, stride 25, patience 3, one thread) so that its rows pair with arms C and D.
#   bash benchmarks/run_ml1m_longterm.sh user-reg-tune   # arm D (fused-lstur-gru) with its chosen dropout, seed 0,
#        user_dropout {0, 0.5} x user_l2 {0, 0.01, 0.1} (the 0/0 setting is arm D's own seed 0, copied, not rerun)
#        -> results/ml-1m-user-reg-tuning.jsonl; USER_DROPOUTS="0.5" runs only that row of the grid (two shells
#        can share the grid: USER_DROPOUTS=0 in one, USER_DROPOUTS=0.5 in the other; filters that overlap would
#        train a run twice, since each shell checks for a recorded run only before it starts one)
#   bash benchmarks/run_ml1m_longterm.sh user-reg-seeds  # the validation-best setting, seeds 1-4 (seed 0 copied from
#        the tuning file) -> results/ml-1m-user-reg.jsonl; nothing to do when the best is no regularisation
#   bash benchmarks/run_ml1m_longterm.sh history         # fused-gate-gru and long, whose attention can read the
#        whole history, with --long-scope window and history, seeds 0-4, dropout of arm C (not tuned per model: a
#        stated limitation) -> results/ml-1m-history.jsonl; SEEDS, MODELS and SCOPES (space-separated) run a part
# Needs the tuning of run_like_for_like.sh for arms C and D (and, to pair with, its seeds of arm D). Resumable: a run already in its file is skipped
# (`python -m lessons.casestudy count`, as in run_like_for_like.sh). Log: .data/ml1m-longterm.log.
set -u
export OMP_NUM_THREADS=1
cd "$(dirname "$0")/.."
source benchmarks/campaign_lib.sh  # only, tuned, L4L_TUNE
LOG=.data/ml1m-longterm.log
PLAN=(--dataset ml-1m --epochs 9 --schedule cosine --lr 3e-3 --batch-size 128 --stride 25 --patience 3
      --max-minutes 45 --threads 1 --precision auto --dim 128 --seen-bias --checkpoint-dir .data/ckpt-longterm)
train() { echo "== $(date -u +%FT%TZ) start $*" >> "$LOG"
          nice -n 5 .venv/bin/python -m lessons.casestudy train --no-progress -v "${PLAN[@]}" "$@" >> "$LOG" 2>&1
          echo "== $(date -u +%FT%TZ) end rc=$?" >> "$LOG"; }
pick() {  # pick <file> <model> <field>: that config field of the validation-best run of <model> (width 128, bias)
  .venv/bin/python -m lessons.casestudy pick --from "$1" --model "$2" --dim 128 --seen-bias yes --print "$3"; }
has() {  # has <file> <model> <seed> <scope> <dropout> <user_dropout> <user_l2>: recorded? status 0 yes, 1 no;
         # a file that cannot be read stops the script rather than train a duplicate
  local n
  n=$(.venv/bin/python -m lessons.casestudy count --in "$1" --where model="$2" --where seed="$3" --where epochs=9 \
        --where long_scope="$4" --where dropout="$5" --where user_dropout="$6" --where user_l2="$7") \
    || { echo "has: cannot read $1" >&2; exit 1; }
  [[ $n -gt 0 ]]
}
only USER_DROPOUTS "${USER_DROPOUTS:-0 0.5}" 0 0.5
only MODELS "${MODELS:-fused-gate-gru long}" fused-gate-gru long
only SCOPES "${SCOPES:-window history}" window history
only SEEDS "${SEEDS:-0 1 2 3 4}" 0 1 2 3 4
case "${1:-}" in
  user-reg-tune)
    TUNE=results/ml-1m-user-reg-tuning.jsonl; d=$(tuned fused-lstur-gru) || exit 1
    .venv/bin/python -m lessons.casestudy pick --from "$L4L_TUNE" --model fused-lstur-gru --dim 128 --seen-bias yes \
      --to "$TUNE" --print dropout
    for p in ${USER_DROPOUTS:-0 0.5}; do for l2 in 0 0.01 0.1; do
      has "$TUNE" fused-lstur-gru 0 window "$d" "$p" "$l2" && continue
      train --model fused-lstur-gru --dropout "$d" --seed 0 --user-dropout "$p" --user-l2 "$l2" --out "$TUNE"
    done; done ;;
  user-reg-seeds)
    TUNE=results/ml-1m-user-reg-tuning.jsonl; OUT=results/ml-1m-user-reg.jsonl
    d=$(tuned fused-lstur-gru) || exit 1
    for p in 0 0.5; do for l2 in 0 0.01 0.1; do  # choose only from the whole grid (two shells may share it)
      has "$TUNE" fused-lstur-gru 0 window "$d" "$p" "$l2" || { echo "trial mask $p, L2 $l2 not run yet" >&2; exit 1; }
    done; done; p=$(pick "$TUNE" fused-lstur-gru user_dropout)
    l2=$(pick "$TUNE" fused-lstur-gru user_l2)
    if [[ "$p$l2" =~ ^[0.]+$ ]]; then echo "validation chose no regularisation: nothing to run"; exit 0; fi
    .venv/bin/python -m lessons.casestudy pick --from "$TUNE" --model fused-lstur-gru --dim 128 --seen-bias yes \
      --to "$OUT" --print user_l2
    for seed in 1 2 3 4; do
      has "$OUT" fused-lstur-gru "$seed" window "$d" "$p" "$l2" && continue
      train --model fused-lstur-gru --dropout "$d" --seed "$seed" --user-dropout "$p" --user-l2 "$l2" --out "$OUT"
    done ;;
  history)
    OUT=results/ml-1m-history.jsonl
    d=$(tuned full-gru) || exit 1
    for seed in ${SEEDS:-0 1 2 3 4}; do for model in ${MODELS:-fused-gate-gru long}; do
      for scope in ${SCOPES:-window history}; do
        has "$OUT" "$model" "$seed" "$scope" "$d" 0 0 && continue
        train --model "$model" --long-scope "$scope" --dropout "$d" --seed "$seed" --out "$OUT"
    done; done; done ;;
  *) echo "usage: $0 user-reg-tune|user-reg-seeds|history" >&2; exit 2 ;;
esac
