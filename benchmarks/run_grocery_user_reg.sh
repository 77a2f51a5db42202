#!/usr/bin/env bash
# Issue 18, item 2: regularise the user embedding on validation before concluding anything about the long-term half.
# Two designs whose user vector does the long-term work, both with the seen-item bias, under the plan of
# benchmarks/run_grocery.sh (width 32, two epochs, cosine decay from lr 0.01, dropout 0.2, one thread):
#   fused-lstur-gru             the user vector sets the GRU's starting state
#   long --long-scope history   the user vector is the query (and a term) of an attention over the whole history
# Regularisers (lessons.casestudy.train.TrainConfig): user_dropout (LSTUR's random mask of the whole user vector in
# training) in {0, 0.5} x user_l2 (penalty user_l2 * mean ||e_u||^2 over the batch) in {0, 0.01, 0.1}.
#   bash benchmarks/run_grocery_user_reg.sh tune    # the six settings, seed 0 -> results/instacart-user-reg-tuning.jsonl
#   bash benchmarks/run_grocery_user_reg.sh seeds   # the validation-best setting, seeds 0-4 -> results/instacart-user-reg.jsonl
set -eu
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1
TUNE=results/instacart-user-reg-tuning.jsonl
OUT=results/instacart-user-reg.jsonl
DESIGNS=("fused-lstur-gru|window" "long|history")
grocery() { nice -n 10 .venv/bin/python -m lessons.casestudy.grocery --epochs 2 --lr 0.01 --dim 32 --dropout 0.2 \
              --batch-size 64 --seen-bias --threads 1 "$@"; }
case "${1:-}" in
  tune)
    for design in "${DESIGNS[@]}"; do IFS='|' read -r model scope <<< "$design"
      for p in 0 0.5; do for l2 in 0 0.01 0.1; do
        grocery --model "$model" --long-scope "$scope" --seeds 0 --user-dropout "$p" --user-l2 "$l2" --out "$TUNE"
      done; done
    done ;;
  seeds)
    for design in "${DESIGNS[@]}"; do IFS='|' read -r model scope <<< "$design"
      grocery --model "$model" --long-scope "$scope" --seeds 0 1 2 3 4 --tuned-from "$TUNE" --out "$OUT"
    done ;;
  *) echo "usage: $0 tune|seeds" >&2; exit 2 ;;
esac
