"""The comparisons that answer "when does long-term interest help?", held to one error rate as a family.

The chapter (``notebooks/when_long_term_helps.ipynb``, section "What the evidence says") puts its verdicts side by
side in one table, each from its own seed-aware 95 % interval. :data:`SUMMARY_ROWS` names those rows by the glue
keys whose text they show, :func:`summary_intervals` reads each row's difference and interval back from that text
(:func:`lessons.evaluation.family.parse_interval`), and :func:`lessons.evaluation.family.holm_table` asks which
verdicts survive a correction for their number. A test keeps :data:`SUMMARY_ROWS` and the chapter's table in step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from lessons.evaluation.family import parse_interval

__all__ = ["SUMMARY_ROWS", "summary_intervals"]

#: ``(label, glue keys)`` per row of the chapter's summary table, in its order; a row's text is its keys' values
#: joined by a space (``'-0.0095' + ' ' + '[-0.0152, -0.0042]'``).
SUMMARY_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sim news, taste: fused-gate − full", ("lt_sim_news_fused_gate_gru_long_term_taste",)),
    ("sim music, taste: fused-gate − full", ("lt_sim_music_fused_gate_gru_long_term_taste",)),
    ("sim news, taste: fused-lstur − full", ("lt_sim_news_fused_lstur_gru_long_term_taste",)),
    ("sim music, taste: fused-lstur − full", ("lt_sim_music_fused_lstur_gru_long_term_taste",)),
    ("sim news, burst: long − full", ("lt_sim_news_long_burst",)),
    ("sim music, repeat: full+seen − full", ("lt_sim_music_full_gru_seen_repeat",)),
    ("ML-1M, one-day users: fused − full", ("cs_strata_day_diff", "cs_strata_day_ci")),
    ("ML-1M, 180-day users: fused − full", ("cs_strata_long_diff", "cs_strata_long_ci")),
    ("ML-1M, one-day users: arm D − arm C", ("lt_strata_ladder_day_diff", "lt_strata_ladder_day_ci")),
    ("ML-1M, 180-day users: arm D − arm C", ("lt_strata_ladder_long_diff", "lt_strata_ladder_long_ci")),
    ("ML-1M: arm D − arm C", ("ml_lt_lstur",)),
    ("ML-1M: regularised − plain user vector", ("ml_lt_lstur_reg",)),
    ("ML-1M: fused-gate, history − window", ("ml_lt_gate_history",)),
    ("ML-1M: long, history − window", ("ml_lt_long_history",)),
    ("ML-1M: fused-gate (history) − arm C", ("ml_lt_gate_vs_gru",)),
    ("ML-1M, same second: sknn, later − book", ("lt_later_sknn_same",)),
    ("ML-1M strictly later: arm D − arm C", ("ml_lt_lstur_later",)),
    ("ML-1M: change of D − C between protocols", ("lt_later_model_contrast",)),
    ("groceries: fused − full", ("cs_gro_lt_diff", "cs_gro_lt_ci")),
    ("groceries: long − full", ("lt_gro_long_window",)),
    ("groceries: long, history − window", ("lt_gro_long_history",)),
    ("groceries: full+seen+counts − mix", ("cs_gro_fused_diff", "cs_gro_fused_ci")),
    ("groceries: headline − mix", ("lt_gro_best_vs_mix",)),
)


def summary_intervals(glued: Mapping[str, str], rows: tuple[tuple[str, tuple[str, ...]], ...] = SUMMARY_ROWS
                      ) -> tuple[dict[str, tuple[float, float, float]], dict[str, str]]:
    """``({label: (diff, lo, hi)}, {label: text})``: the rows whose glued text starts with a difference and its
    interval, and the rows whose text does not (``'not run'``, ``'validation chose no regularisation'``), which
    carry no test. ``ValueError`` naming the key when ``glued`` lacks one, or naming the text when a row starts with
    a number but holds no whole interval."""
    missing = [key for _, keys in rows for key in keys if key not in glued]
    if missing:
        raise ValueError(f"glued lacks the keys {missing} (glue every number of the summary table first)")
    tested, untested = {}, {}
    for label, keys in rows:
        text = " ".join(str(glued[key]) for key in keys)
        if re.match(r"\s*[+-]?\d", text):  # a row that starts with a number must hold a whole interval
            tested[label] = parse_interval(text)
        else:
            untested[label] = text
    return tested, untested
