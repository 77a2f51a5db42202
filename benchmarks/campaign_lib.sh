# Shared by the MovieLens-1M campaign scripts (sourced, not run): argument checks and the like-for-like tuning they
# build on. Each function stops the calling script on a problem rather than let it train a run it should not.
L4L_TUNE=results/ml-1m-like-for-like-tuning.jsonl

only() {  # only <name> <value> <allowed...>: exit 2 unless every word of value is allowed (no duplicate runs)
  local name=$1 value=$2 w; shift 2
  for w in $value; do [[ " $* " == *" $w "* ]] || { echo "$name: '$w' is not one of: $*" >&2; exit 2; }; done; }

tuned() {  # tuned <model>: the like-for-like dropout of <model> (width 128, seen-item bias), once its four trials
           # (seed 0) are in $L4L_TUNE; a missing trial or an unreadable file exits 1
  local n
  n=$(.venv/bin/python -m lessons.casestudy count --in "$L4L_TUNE" --where model="$1" --where dim=128 \
        --where seen_bias=true --where seed=0 --distinct dropout) || exit 1
  [[ "$n" -ge 4 ]] || { echo "$1: $n of 4 dropout trials in $L4L_TUNE; run run_like_for_like.sh tune first" >&2; exit 1; }
  .venv/bin/python -m lessons.casestudy pick --from "$L4L_TUNE" --model "$1" --dim 128 --seen-bias yes --print dropout; }
