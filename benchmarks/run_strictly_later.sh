#!/usr/bin/env bash
# Issue 18, item 4: MovieLens-1M under the strictly-later protocol ('recbole-later': the RecBole filtering, then every
# rating that shares the second of a user's test or validation rating is dropped; lessons.data.protocol).
#   bash benchmarks/run_strictly_later.sh baselines   # every baseline, tuned on validation -> results/baselines-ml-1m-later.jsonl
#   bash benchmarks/run_strictly_later.sh book-ranks  # the book-protocol baselines whose records predate per-user ranks,
#                                                     # rerun (each supersedes its older record) so the two pair by user
#   bash benchmarks/run_strictly_later.sh models      # arms C and D of run_like_for_like.sh (full-gru and fused-lstur-gru,
#                                                     # width 128, seen-item bias, their plan and chosen dropout), seeds
#                                                     # 0-4 -> results/ml-1m-later.jsonl (needs that campaign's tuning)
#   SEEDS="0 1" MODELS=full-gru bash benchmarks/run_strictly_later.sh models   # a part (two shells, no overlap)
# `models` is resumable: a run already in results/ml-1m-later.jsonl is skipped (`python -m lessons.casestudy count`).
set -eu
cd "$(dirname "$0")/.."
source benchmarks/campaign_lib.sh  # only, tuned
export OMP_NUM_THREADS=1
case "${1:-}" in
  baselines)
    nice -n 5 .venv/bin/python -m lessons.baselines run --dataset ml-1m --protocol recbole-later \
      --out results/baselines-ml-1m-later.jsonl ;;
  book-ranks)
    nice -n 5 .venv/bin/python -m lessons.baselines run --dataset ml-1m --baselines popularity markov1 sknn bpr ;;
  models)
    OUT=results/ml-1m-later.jsonl
    only SEEDS "${SEEDS:-0 1 2 3 4}" 0 1 2 3 4
    only MODELS "${MODELS:-full-gru fused-lstur-gru}" full-gru fused-lstur-gru
    for seed in ${SEEDS:-0 1 2 3 4}; do
      for model in ${MODELS:-full-gru fused-lstur-gru}; do
        p=$(tuned "$model") || exit 1
        n=$(.venv/bin/python -m lessons.casestudy count --in "$OUT" --where model="$model" --where dim=128 \
              --where seen_bias=true --where epochs=9 --where dropout="$p" --where seed="$seed")
        [[ $n -gt 0 ]] && continue
        nice -n 5 .venv/bin/python -m lessons.casestudy train --no-progress --dataset ml-1m --protocol recbole-later \
          --model "$model" --dim 128 --seen-bias --dropout "$p" --seed "$seed" --epochs 9 --schedule cosine --lr 3e-3 \
          --batch-size 128 --stride 25 --patience 3 --max-minutes 45 --threads 1 --precision auto \
          --checkpoint-dir .data/ckpt-later --out "$OUT"
      done
    done ;;
  *) echo "usage: $0 baselines|book-ranks|models" >&2; exit 2 ;;
esac
