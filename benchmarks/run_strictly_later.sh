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
export OMP_NUM_THREADS=1
case "${1:-}" in
  baselines)
    nice -n 5 .venv/bin/python -m lessons.baselines run --dataset ml-1m --protocol recbole-later \
      --out results/baselines-ml-1m-later.jsonl ;;
  book-ranks)
    nice -n 5 .venv/bin/python -m lessons.baselines run --dataset ml-1m --baselines popularity markov1 sknn bpr ;;
  models)
    TUNE=results/ml-1m-like-for-like-tuning.jsonl OUT=results/ml-1m-later.jsonl
    for w in ${SEEDS:-0 1 2 3 4}; do
      [[ " 0 1 2 3 4 " == *" $w "* ]] || { echo "SEEDS: '$w' is not one of 0-4" >&2; exit 2; }
    done
    for w in ${MODELS:-full-gru fused-lstur-gru}; do
      [[ " full-gru fused-lstur-gru " == *" $w "* ]] || { echo "MODELS: '$w' is not one of full-gru fused-lstur-gru" >&2
                                                          exit 2; }
    done
    for seed in ${SEEDS:-0 1 2 3 4}; do
      for model in ${MODELS:-full-gru fused-lstur-gru}; do
        n=$(.venv/bin/python -m lessons.casestudy count --in "$TUNE" --where model="$model" --where dim=128 \
              --where seen_bias=true --where seed=0 --distinct dropout)
        [[ $n -ge 4 ]] || { echo "$model: $n of 4 dropout trials in $TUNE; run run_like_for_like.sh tune first" >&2
                            exit 1; }
        p=$(.venv/bin/python -m lessons.casestudy pick --from "$TUNE" --model "$model" --dim 128 --seen-bias yes \
              --print dropout)
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
