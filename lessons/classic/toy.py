"""The toy data set of Part I: six users, eleven films, six genres, ratings with gaps, viewing orders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ToyData:
    """The toy catalogue.

    Attributes:
        users: ``(n_users,)`` user names.
        items: ``(n_items,)`` film titles (invented).
        genres: ``(n_features,)`` genre names.
        item_features: ``(n_items, n_features)`` 0/1 genre indicators.
        ratings: ``(n_users, n_items)`` ratings 1..5, 0 where not rated.
        sequences: user name -> indices of the items the user rated, in the order watched (oldest first).
    """

    users: tuple[str, ...]
    items: tuple[str, ...]
    genres: tuple[str, ...]
    item_features: np.ndarray
    ratings: np.ndarray
    sequences: Mapping[str, tuple[int, ...]]

    def user_index(self, user: str | int) -> int:
        """Index of a user given by name or index; raises ``ValueError`` if unknown."""
        if isinstance(user, (int, np.integer)):
            if not 0 <= int(user) < len(self.users):
                raise ValueError(f"user: expected an index in [0, {len(self.users)}), got {user}")
            return int(user)
        if user not in self.users:
            raise ValueError(f"user: expected one of {list(self.users)}, got {user!r}")
        return self.users.index(user)


def toy_data() -> ToyData:
    """Return the book's toy data set (deterministic; no randomness, no files)."""
    genres = ("Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi")
    catalogue = (
        ("Star Raid", ("Action", "Sci-Fi")),
        ("Laugh Track", ("Comedy",)),
        ("Quiet Harbour", ("Drama", "Romance")),
        ("Night Shift", ("Horror",)),
        ("Robot Heart", ("Drama", "Sci-Fi")),
        ("Wedding Chaos", ("Comedy", "Romance")),
        ("Deep Cellar", ("Horror", "Sci-Fi")),
        ("Fast Lane", ("Action",)),
        ("Office Party", ("Comedy",)),
        ("Dark Woods", ("Horror",)),
        ("Sunday Brunch", ("Comedy", "Romance")),
    )
    items = tuple(name for name, _ in catalogue)
    f = np.zeros((len(items), len(genres)))
    for i, (_, gs) in enumerate(catalogue):
        f[i, [genres.index(g) for g in gs]] = 1.0
    users = ("Ana", "Ben", "Caro", "Dev", "Eli", "Fay")
    ratings = np.array(
        [
            # Star Laugh Quiet Night Robot Wedd Deep Fast Office Dark Brunch
            [5, 0, 1, 0, 4, 0, 0, 5, 2, 0, 0],  # Ana: action and sci-fi
            [4, 0, 0, 3, 5, 1, 0, 4, 0, 2, 0],  # Ben: much like Ana
            [0, 5, 4, 0, 0, 5, 1, 0, 4, 0, 5],  # Caro: comedy and romance
            [0, 5, 0, 4, 0, 5, 5, 0, 5, 0, 0],  # Dev: comedy for a long time, horror lately
            [0, 0, 5, 4, 4, 0, 0, 0, 0, 5, 2],  # Eli: drama and horror
            [5, 1, 0, 0, 0, 0, 4, 4, 0, 4, 0],  # Fay: action and horror
        ],
        dtype=float,
    )
    sequences = {
        "Ana": (0, 7, 8, 2, 4),
        "Ben": (0, 7, 5, 4, 3, 9),
        "Caro": (1, 5, 2, 10, 8, 6),
        "Dev": (1, 5, 8, 3, 6),
        "Eli": (2, 4, 10, 3, 9),
        "Fay": (7, 0, 1, 6, 9),
    }
    for u, seq in sequences.items():
        rated = set(np.flatnonzero(ratings[users.index(u)]).tolist())
        assert set(seq) == rated, u
    return ToyData(users, items, genres, f, ratings, sequences)


def with_new_item(data: ToyData, name: str, genres: Sequence[str]) -> ToyData:
    """A copy of ``data`` with one more item that nobody has rated yet (an item cold start).

    ``genres`` must be names from ``data.genres``. The new item is the last column of ``ratings``.
    """
    if name in data.items:
        raise ValueError(f"name: expected a new item name, got {name!r}, which is already in the catalogue")
    unknown = [g for g in genres if g not in data.genres]
    if unknown or not genres:
        raise ValueError(f"genres: expected one or more of {list(data.genres)}, got {list(genres)}")
    row = np.zeros((1, len(data.genres)))
    row[0, [data.genres.index(g) for g in genres]] = 1.0
    return ToyData(
        data.users,
        (*data.items, name),
        data.genres,
        np.vstack([data.item_features, row]),
        np.hstack([data.ratings, np.zeros((len(data.users), 1))]),
        dict(data.sequences),
    )


def as_frame(data: ToyData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rating matrix (users x items, blanks where not rated) and the genre table (items x genres, 0/1)."""
    r = pd.DataFrame(data.ratings, index=list(data.users), columns=list(data.items))
    r = r.where(r > 0).astype("Int64")
    g = pd.DataFrame(data.item_features.astype(int), index=list(data.items), columns=list(data.genres))
    return r, g
