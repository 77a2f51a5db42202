"""An interest-drift simulator with known ground truth.

Every simulated user has a stable **long-term taste**, a distribution ``theta_u`` over topics, and now and
then falls into a short **burst** of one topic (a news story, a mood, a shopping errand). Each event is then
one of three things:

* a *repeat* (probability ``repeat_prob``, once the user has a history): an item from the user's last
  ``repeat_window`` events, drawn uniformly;
* otherwise, inside a burst: an item of the burst's topic;
* otherwise: an item of a topic drawn from ``theta_u``.

Items belong to one topic each (``items_per_topic`` per topic) and, within a topic, are drawn with Zipf
popularity (exponent ``zipf``). Bursts start and stop as a two-state Markov chain over events: a burst
lasts a geometric number of events with mean ``burst_len``, and bursts start at the rate that makes a
share ``burst_share`` of all events fall inside bursts in the long run (so ``burst_share`` is the knob for
*how often*; the start probability per long-term event is ``burst_share / (burst_len * (1 - burst_share))``).
The burst topic is drawn uniformly from the topics other than the user's favourite one.
``taste_concentration`` is the Dirichlet concentration of ``theta_u``: small values give sharp, strong
long-term tastes, large values nearly uniform ones.

Ground truth is kept for every event (``in_burst``, ``is_repeat``, ``topic``) and every user (``taste``), and
:meth:`Simulation.to_split` returns a :class:`lessons.data.split.SequentialSplit`, so the baselines and the
case-study models run on simulated users unchanged.

Presets (:data:`PRESETS`): ``"news"`` (short bursts dominate, weak taste, few repeats), ``"music"`` (strong
taste, many repeats, rare bursts) and ``"ecommerce"`` (short intent sessions on top of a moderate taste).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from lessons.checks import check_number
from lessons.data.split import PAD_ID, SequentialSplit

__all__ = ["SimConfig", "PRESETS", "Simulation", "simulate", "preset", "SOURCES"]

#: Names of the event sources, indexed by :attr:`Simulation.source` codes.
SOURCES: tuple[str, ...] = ("long-term", "burst", "repeat")


@dataclass(frozen=True)
class SimConfig:
    """Knobs of the simulator (see the module docstring). All validated by :meth:`check`."""

    n_users: int = 1000
    n_topics: int = 20
    items_per_topic: int = 50
    min_events: int = 20
    max_events: int = 80
    taste_concentration: float = 0.3
    burst_share: float = 0.3
    burst_len: float = 5.0
    repeat_prob: float = 0.05
    repeat_window: int = 20
    zipf: float = 1.0
    gap_long_hours: float = 48.0
    gap_burst_minutes: float = 10.0

    @property
    def n_items(self) -> int:
        return self.n_topics * self.items_per_topic

    @property
    def burst_start_prob(self) -> float:
        """Probability that a burst starts at an event outside a burst."""
        if self.burst_share == 0:
            return 0.0
        return self.burst_share / (self.burst_len * (1.0 - self.burst_share))

    def check(self) -> SimConfig:
        """Raise ``ValueError`` naming the first bad knob; return ``self``."""
        ints = {"n_users": (self.n_users, 1), "n_topics": (self.n_topics, 2),
                "items_per_topic": (self.items_per_topic, 1), "min_events": (self.min_events, 3),
                "max_events": (self.max_events, 3), "repeat_window": (self.repeat_window, 1)}
        for name, (v, lo) in ints.items():
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
                raise ValueError(f"{name} must be an int >= {lo}, got {v!r}")
        if self.max_events < self.min_events:
            raise ValueError(f"max_events must be >= min_events={self.min_events}, got {self.max_events}")
        for name in ("taste_concentration", "burst_share", "burst_len", "repeat_prob", "zipf"):
            check_number(name, getattr(self, name))  # an infinite concentration gives one-hot tastes
        for name in ("gap_long_hours", "gap_burst_minutes"):  # a century per gap at most: int64 seconds never overflow
            check_number(name, getattr(self, name), high=1e6)
        if not self.taste_concentration > 0:
            raise ValueError(f"taste_concentration must be > 0, got {self.taste_concentration!r}")
        if not 0.0 <= self.burst_share < 1.0:
            raise ValueError(f"burst_share must be in [0, 1), got {self.burst_share!r}")
        if not self.burst_len >= 1.0:
            raise ValueError(f"burst_len must be >= 1 (mean events per burst), got {self.burst_len!r}")
        if self.burst_start_prob > 1.0 + 1e-9:  # exactly 1 (a burst after every long-term event) is fine
            raise ValueError(f"burst_share={self.burst_share} is unreachable with "
                             f"burst_len={self.burst_len}: "
                             f"it needs a burst start probability {self.burst_start_prob:.2f} > 1")
        if not 0.0 <= self.repeat_prob < 1.0:
            raise ValueError(f"repeat_prob must be in [0, 1), got {self.repeat_prob!r}")
        if not self.zipf >= 0:
            raise ValueError(f"zipf must be >= 0, got {self.zipf!r}")
        if not (self.gap_long_hours > 0 and self.gap_burst_minutes > 0):
            raise ValueError(f"gap_long_hours and gap_burst_minutes must be > 0, got {self.gap_long_hours!r} "
                             f"and {self.gap_burst_minutes!r}")
        return self


PRESETS: dict[str, SimConfig] = {
    # many topics, weak long-term taste; most events are inside short bursts on current stories
    "news": SimConfig(n_topics=30, items_per_topic=40, min_events=20, max_events=60, taste_concentration=1.0,
                      burst_share=0.6, burst_len=6.0, repeat_prob=0.02, gap_burst_minutes=5.0),
    # a strong, stable taste and many repeats; bursts (a new album, a mood) are rare and short
    "music": SimConfig(n_topics=20, items_per_topic=60, min_events=40, max_events=120,
                       taste_concentration=0.1, burst_share=0.1, burst_len=4.0, repeat_prob=0.35,
                       repeat_window=30, gap_long_hours=12.0),
    # short shopping sessions of one category on top of a moderate taste, almost no repeats
    "ecommerce": SimConfig(n_topics=40, items_per_topic=30, min_events=15, max_events=50,
                           taste_concentration=0.3, burst_share=0.45, burst_len=4.0, repeat_prob=0.05,
                           gap_burst_minutes=3.0),
}


def preset(name: str, **overrides: Any) -> SimConfig:
    """The configuration of preset ``name`` ('news', 'music', 'ecommerce') with knobs replaced by
    ``overrides`` (e.g. ``preset("music", n_users=200)``)."""
    if name not in PRESETS:
        raise ValueError(f"name must be one of {list(PRESETS)}, got {name!r}")
    unknown = set(overrides) - set(SimConfig.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown knobs {sorted(unknown)}; knobs are {list(SimConfig.__dataclass_fields__)}")
    return replace(PRESETS[name], **overrides).check()


@dataclass(frozen=True)
class Simulation:
    """Simulated event sequences and their ground truth. ``L = config.max_events``; row ``u`` is valid in
    columns ``0..lengths[u]-1``; later columns hold :data:`lessons.data.split.PAD_ID` (``-1``) or ``False``
    (right padding, the book's one convention).

    items: (n_users, L) int64 item ids; topic: (n_users, L) int64 topic of each event's item;
    in_burst: (n_users, L) bool, the user was inside a burst at that event; is_repeat: (n_users, L) bool;
    burst_topic: (n_users, L) int64 topic of the current burst (-1 outside bursts);
    times: (n_users, L) int64 unix seconds; lengths: (n_users,) int64;
    taste: (n_users, n_topics) float64 long-term topic distribution; item_topic: (n_items,) int64.
    """

    config: SimConfig
    seed: int
    items: np.ndarray
    topic: np.ndarray
    in_burst: np.ndarray
    is_repeat: np.ndarray
    burst_topic: np.ndarray
    times: np.ndarray
    lengths: np.ndarray
    taste: np.ndarray
    item_topic: np.ndarray
    name: str = "custom"

    @property
    def n_users(self) -> int:
        return self.config.n_users

    @property
    def n_items(self) -> int:
        return self.config.n_items

    @property
    def mask(self) -> np.ndarray:
        """(n_users, L) bool: the cell holds an event."""
        return np.arange(self.items.shape[1])[None, :] < self.lengths[:, None]

    @property
    def source(self) -> np.ndarray:
        """(n_users, L) int64 event source: 0 long-term, 1 burst, 2 repeat (see :data:`SOURCES`); -1 padding.
        A repeat inside a burst counts as a repeat."""
        src = np.where(self.in_burst, 1, 0)
        src = np.where(self.is_repeat, 2, src)
        return np.where(self.mask, src, PAD_ID).astype(np.int64)

    def sequence(self, user: int) -> dict[str, np.ndarray]:
        """One user's events as arrays of equal length: items, topic, source, burst_topic, times."""
        if not isinstance(user, (int, np.integer)) or not 0 <= user < self.n_users:
            raise ValueError(f"user must be an int in 0..{self.n_users - 1}, got {user!r}")
        n = int(self.lengths[user])
        return {"items": self.items[user, :n], "topic": self.topic[user, :n],
                "source": self.source[user, :n], "burst_topic": self.burst_topic[user, :n],
                "times": self.times[user, :n]}

    def stats(self) -> dict[str, float]:
        """Measured shares: events inside bursts, repeats, long-term events on the user's favourite topic,
        mean burst length (in events), mean sequence length."""
        m = self.mask
        fav = self.taste.argmax(axis=1)
        long_term = m & ~self.in_burst & ~self.is_repeat
        prev_burst = np.pad(self.burst_topic, ((0, 0), (1, 0)), constant_values=-1)[:, :-1]
        starts = self.in_burst & (self.burst_topic != prev_burst) & m  # a new burst or a new burst topic
        return {
            "burst_share": float(self.in_burst[m].mean()),
            "repeat_share": float(self.is_repeat[m].mean()),
            "favourite_topic_share_long_term": float((self.topic == fav[:, None])[long_term].mean()),
            "mean_burst_len": float(self.in_burst[m].sum() / max(starts.sum(), 1)),
            "mean_length": float(self.lengths.mean()),
        }

    def target_source(self, stage: str = "test") -> np.ndarray:
        """(n_users,) source code (0 long-term, 1 burst, 2 repeat) of the held-out event of ``stage``
        ('valid': second-last event, 'test': last event)."""
        if stage not in ("valid", "test"):
            raise ValueError(f"stage must be 'valid' or 'test', got {stage!r}")
        col = self.lengths - (1 if stage == "test" else 2)
        return self.source[np.arange(self.n_users), col]

    def to_split(self, max_len: int = 50) -> SequentialSplit:
        """The chronological leave-one-out split of the simulated sequences (last event = test, second-last =
        validation), with item ids ``0..n_items-1`` kept and labels ``"t<topic>-i<k>"``."""
        if not isinstance(max_len, (int, np.integer)) or max_len < 1:
            raise ValueError(f"max_len must be a positive int, got {max_len!r}")
        u = np.arange(self.n_users)
        last, second = self.lengths - 1, self.lengths - 2
        per_topic = self.config.items_per_topic
        labels = np.array([f"t{j // per_topic}-i{j % per_topic}" for j in range(self.n_items)])
        return SequentialSplit(
            dataset=f"sim-{self.name}", protocol=f"sim-seed{self.seed}", n_users=self.n_users,
            n_items=self.n_items,
            train=tuple(self.items[k, :self.lengths[k] - 2].copy() for k in range(self.n_users)),
            train_times=tuple(self.times[k, :self.lengths[k] - 2].copy() for k in range(self.n_users)),
            valid_item=self.items[u, second].copy(), test_item=self.items[u, last].copy(),
            valid_time=self.times[u, second].copy(), test_time=self.times[u, last].copy(),
            user_labels=np.array([f"sim{k}" for k in range(self.n_users)]), item_labels=labels,
            max_len=int(max_len),
        )

    def to_dict(self) -> dict[str, Any]:
        """The configuration, seed and measured :meth:`stats`, JSON-friendly."""
        return {"name": self.name, "seed": self.seed, "config": asdict(self.config), "stats": self.stats()}


def _zipf_cdf(n: int, s: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** s
    return np.cumsum(w / w.sum())


def simulate(config: SimConfig | str = "news", seed: int = 0, **overrides: Any) -> Simulation:
    """Simulate ``config.n_users`` users (a :class:`SimConfig` or a preset name, knobs overridable).

    Deterministic for a given ``seed``. Vectorised over users; the loop runs over the ``max_events`` time
    steps only, so 10,000 users take a fraction of a second to a few seconds.
    """
    if isinstance(config, str):
        name = config
        config = preset(config, **overrides)
    elif isinstance(config, SimConfig):
        name = "custom"
        config = replace(config, **overrides).check() if overrides else config.check()
    else:
        raise ValueError(f"config must be a SimConfig or a preset name {list(PRESETS)}, got {type(config)}")
    if not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an int, got {seed!r}")
    c = config
    rng = np.random.default_rng(seed)
    n, T, m, L = c.n_users, c.n_topics, c.items_per_topic, c.max_events

    taste = rng.dirichlet(np.full(T, c.taste_concentration), size=n)
    # the rare all-mass-underflow row of a tiny concentration: fall back to one random topic
    bad = ~np.isfinite(taste).all(axis=1) | (taste.sum(axis=1) <= 0)
    if bad.any():
        taste[bad] = np.eye(T)[rng.integers(0, T, bad.sum())]
    taste_cdf = np.cumsum(taste, axis=1)
    taste_cdf[:, -1] = 1.0
    fav = taste.argmax(axis=1)
    item_cdf = _zipf_cdf(m, c.zipf)
    item_cdf[-1] = 1.0
    lengths = rng.integers(c.min_events, c.max_events + 1, size=n).astype(np.int64)

    items = np.full((n, L), PAD_ID, dtype=np.int64)
    topic = np.full((n, L), PAD_ID, dtype=np.int64)
    in_burst = np.zeros((n, L), dtype=bool)
    is_repeat = np.zeros((n, L), dtype=bool)
    burst_topic = np.full((n, L), -1, dtype=np.int64)
    gaps = np.zeros((n, L), dtype=np.float64)

    p_start, p_stop = min(c.burst_start_prob, 1.0), 1.0 / c.burst_len
    state = rng.random(n) < c.burst_share          # start in the stationary distribution
    current = _other_topic(rng, fav, T)
    rows = np.arange(n)
    for t in range(L):
        if t > 0:
            stop = state & (rng.random(n) < p_stop)
            start = ~state & (rng.random(n) < p_start)
            state = (state & ~stop) | start
            new_topic = _other_topic(rng, fav, T)
            current = np.where(start, new_topic, current)
        lt_topic = (rng.random(n)[:, None] < taste_cdf).argmax(axis=1)
        ev_topic = np.where(state, current, lt_topic)
        k = np.searchsorted(item_cdf, rng.random(n), side="right").clip(0, m - 1)
        ev_item = ev_topic * m + k
        rep = (rng.random(n) < c.repeat_prob) & (t > 0)
        if rep.any():
            lo = max(0, t - c.repeat_window)
            back = rng.integers(lo, t, size=n)
            ev_item = np.where(rep, items[rows, back], ev_item)
            ev_topic = np.where(rep, ev_item // m, ev_topic)
        items[:, t], topic[:, t] = ev_item, ev_topic
        in_burst[:, t], is_repeat[:, t] = state, rep
        burst_topic[:, t] = np.where(state, current, -1)
        mean_gap = np.where(state, 60.0 * c.gap_burst_minutes, 3600.0 * c.gap_long_hours)
        gaps[:, t] = rng.exponential(1.0, size=n) * mean_gap if t > 0 else 0.0

    start_time = 1_600_000_000 + rng.integers(0, 86_400 * 30, size=n)
    steps = np.maximum(gaps, 1.0) * (np.arange(L) > 0)
    times = start_time[:, None] + np.cumsum(steps, axis=1).astype(np.int64)
    pad = np.arange(L)[None, :] >= lengths[:, None]
    items[pad], topic[pad], burst_topic[pad], times[pad] = PAD_ID, PAD_ID, PAD_ID, PAD_ID
    in_burst[pad] = False
    is_repeat[pad] = False
    return Simulation(config=c, seed=int(seed), items=items, topic=topic, in_burst=in_burst,
                      is_repeat=is_repeat, burst_topic=burst_topic, times=times, lengths=lengths, taste=taste,
                      item_topic=np.repeat(np.arange(T, dtype=np.int64), m), name=name)


def _other_topic(rng: np.random.Generator, fav: np.ndarray, n_topics: int) -> np.ndarray:
    """(n,) topics drawn uniformly among the ``n_topics - 1`` topics that are not ``fav``."""
    draw = rng.integers(0, n_topics - 1, size=len(fav))
    return draw + (draw >= fav)
