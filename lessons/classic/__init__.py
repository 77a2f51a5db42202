"""Toy recommenders for Part I: content-based, collaborative filtering, matrix factorisation, recent state.

Everything runs on one tiny, hand-made data set (:func:`toy_data`): six users, eleven films, six genres, a
rating matrix with gaps and each user's viewing order. The functions are deliberately plain NumPy so that
every number in the chapter "Recommender approaches" can be checked by hand.

Conventions: ``ratings`` is a ``(n_users, n_items)`` array with ``0`` meaning "not rated"; observed ratings
are 1..5. Every scoring function returns a ``(n_items,)`` array of scores for one user (higher is better);
items the user has already rated are *not* removed, :func:`score_table` does that for display.

Modules: :mod:`~lessons.classic.toy` (the data), :mod:`~lessons.classic.similarity` (cosine, content-based,
neighbourhood CF), :mod:`~lessons.classic.factorisation` (ALS), :mod:`~lessons.classic.sequence` (the frozen-gate
GRU state), :mod:`~lessons.classic.tables` (display, exercise checkers, the chapter's key numbers). Everything
is re-exported here, so a chapter writes ``from lessons import classic`` and ``classic.toy_data()``.

The recent-sequence state (:func:`recent_state`) is a GRU with its gates frozen, in PyTorch's convention
(``z`` near 1 keeps the old state): ``h_t = (1 - z) * x_t + z * h_{t-1}``, with a fixed update gate ``z`` and
the item's genre vector as the candidate. A real GRU (Part II) learns both from data; the frozen version
already shows why a hidden state summarises *recent* interest.
"""

# Re-exports, packed a few names a line so that the lists stay short.
# isort: off
from lessons.classic.factorisation import MF, als, mf_scores
from lessons.classic.sequence import long_term_profile, recent_state, sequence_scores
from lessons.classic.similarity import content_profile, content_scores, cosine, cosine_matrix, item_based_scores
from lessons.classic.similarity import item_similarities, tfidf, user_based_scores, user_similarities
from lessons.classic.tables import COSINE_EXERCISE, check_cosine, check_user_based, key_numbers, score_table
from lessons.classic.toy import ToyData, as_frame, toy_data, with_new_item
# isort: on

__all__ = [
    "ToyData", "toy_data", "with_new_item", "as_frame", "cosine", "cosine_matrix", "tfidf", "content_profile",
    "content_scores", "user_similarities", "user_based_scores", "item_similarities", "item_based_scores", "MF",
    "als", "mf_scores", "recent_state", "sequence_scores", "long_term_profile", "score_table", "check_cosine",
    "check_user_based", "COSINE_EXERCISE", "key_numbers",
]
