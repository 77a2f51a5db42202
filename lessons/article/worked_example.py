"""The worked-example chapter's entry point: the numbers its prose quotes, and a CLI printing every reading.

Run ``python -m lessons.article.worked_example`` for readable tables, ``--json`` for one JSON object. The
pieces live in :mod:`lessons.article.gru_example` (parameters and readings), :mod:`lessons.article.errata`
and :mod:`lessons.article.lstm_example`.
"""

from __future__ import annotations

import argparse
import json

from lessons.article.errata import (
    candidate_lower_bound,
    errata,
    gate_check,
    printed_candidate_from_printed_values,
    printed_update_arithmetic,
)
from lessons.article.gru_example import (
    READINGS,
    SEED_PRINTED,
    all_readings,
    recurrent_reading_gap,
    run_reading,
    steps_table,
)
from lessons.article.lstm_example import input_reaches_output, lstm_steps, lstm_wrong_index_steps
from lessons.article.two_gates import two_gate_steps
from lessons.mathfn import logit

__all__ = ["key_numbers", "main"]


def key_numbers() -> dict[str, float]:
    """Every number the chapter quotes in its prose, by name (the notebook glues them).

    Names keep the equations' 1-based labels: ``corr_h1_2`` is unit 2 of ``h_1`` in the seed_corrected reading.
    """
    out: dict[str, float] = {}
    corr, lit = run_reading("seed_corrected"), run_reading("seed_literal")
    for step in (0, 1):
        t, c = step + 1, gate_check(step, "z")
        for u in (0, 1):
            out[f"arg_z{t}_{u + 1}"] = c["argument"][u]
            out[f"sig_z{t}_{u + 1}"] = c["computed"][u]
        own = printed_candidate_from_printed_values(step)
        for u in (0, 1):
            out[f"own_arg{t}_{u + 1}"] = own["argument"][u]
        out[f"own_h{t}"] = printed_update_arithmetic(step)["recomputed"][0]
        for u in (0, 1):
            out[f"corr_h{t}_{u + 1}"] = corr[step]["h"][u]
            out[f"corr_n{t}_{u + 1}"] = corr[step]["candidate"][u]
            out[f"lit_n{t}_{u + 1}"] = lit[step]["candidate"][u]
            out[f"lit_h{t}_{u + 1}"] = lit[step]["h"][u]
    for p in (0.8, 0.9, 0.95):
        out[f"logit_{p:g}".replace(".", "")] = logit(p)
    out["lit_min_arg"] = candidate_lower_bound("seed_literal")
    out["corr_min_arg"] = candidate_lower_bound("seed_corrected")
    out["corr_h5_1"], out["corr_h5_2"] = corr[-1]["h"]
    right, wrong = lstm_steps(), lstm_wrong_index_steps()
    for u in (0, 1):
        out[f"lstm_h1_{u + 1}"] = right[0]["h"][u]
        out[f"lstm_c1_{u + 1}"] = right[0]["c"][u]
        out[f"wrong_h2_{u + 1}"] = wrong[1]["h"][u]
    reach = input_reaches_output(False)
    out["reach_min"], out["reach_max"] = min(reach), max(reach)
    out["reach_wrong_max"] = max(input_reaches_output(True))
    gap = recurrent_reading_gap()
    for u in (0, 1):
        out[f"rank1_h2_{u + 1}"] = gap[1]["h rank1"][u]
    out["rank1_gap_max"] = max(row["max |difference|"] for row in gap)
    two = two_gate_steps()
    for row in two:
        for gate in ("z", "r", "n"):
            out[f"two_{gate}{row['t']}"] = row[gate]
    return out


def _print_tables() -> None:
    for name in READINGS:
        print(f"\n{name}")
        rows = steps_table(name)
        cols = list(rows[0])
        widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
        print("  ".join(c.ljust(widths[c]) for c in cols))
        for r in rows:
            print("  ".join(str(r[c]).ljust(widths[c]) for c in cols))
    print("\nseed_printed (the article's numbers)")
    for s in SEED_PRINTED:
        print(s)
    print("\nerrata")
    for e in errata():
        print(f"- {e.quantity}: printed {e.printed}; from the parameters {e.correct}. {e.proof}")


def main(argv: list[str] | None = None) -> None:
    """``python -m lessons.article.worked_example [--json]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args(argv)
    if args.json:
        print(json.dumps(all_readings(), indent=1))
    else:
        _print_tables()


if __name__ == "__main__":
    main()
