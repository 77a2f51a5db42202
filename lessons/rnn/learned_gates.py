"""Gates that learned something: a tiny GRU and LSTM trained on sessions whose structure is known.

The data (:func:`make_sessions`) is a toy click stream over ``n_topics`` topics with three kinds of events,
each marked in the ground truth:

* a **session break**: a new session starts (the input carries a break flag); its topic is the user's favourite
  with probability ``favourite_prob``, otherwise another topic, never the one of the session that just ended;
* a **stray click**: inside a session, with probability ``stray_prob``, one click on some other topic; the
  session goes on with its own topic afterwards;
* an ordinary click on the session's topic.

A tiny model (one GRU or LSTM layer of ``hidden_size`` units and a linear read-out) learns to predict the next
click's topic (:func:`train_tiny`, torch, CPU, seeded, a few seconds). Its trained cell is copied into the book's
NumPy cell with ``from_torch``, so every gate value below is computed by :mod:`lessons.rnn` itself.
:func:`measure` reads the *keep* gate (the GRU's ``z``, the LSTM's ``f``; both near 1 keep the old state) at
breaks, at stray clicks and elsewhere, trained against untrained, over several seeds.

Time steps are 0-based; step 0 (the start of every sequence, from a zero state) is left out of every average.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from lessons.checks import check_choice, check_size
from lessons.rnn.gru import GRU
from lessons.rnn.lstm import LSTM

KINDS = ("gru", "lstm")
#: The gate that keeps the old state in each cell (near 1 keeps): GRU update gate, LSTM forget gate.
KEEP_GATE = {"gru": "z", "lstm": "f"}
#: The second gate read: the GRU reset gate (how much of the past the candidate sees), the LSTM input gate.
OTHER_GATE = {"gru": "r", "lstm": "i"}
#: Where a step can fall: a session break, a stray click, an ordinary click.
EVENTS = ("break", "stray", "other")


@dataclass(frozen=True)
class SessionConfig:
    """Knobs of the toy click stream (see the module docstring)."""

    n_topics: int = 5
    seq_len: int = 30
    mean_session: float = 8.0
    stray_prob: float = 0.15
    favourite_prob: float = 0.5


@dataclass(frozen=True)
class Sessions:
    """``N`` toy histories of ``T`` clicks with their ground truth.

    xs: (N, T, n_topics + 1) one-hot topic plus the break flag (last column); topics, session_topic: (N, T) int;
    is_break, is_stray: (N, T) bool.
    """

    xs: np.ndarray
    topics: np.ndarray
    session_topic: np.ndarray
    is_break: np.ndarray
    is_stray: np.ndarray

    def event(self) -> np.ndarray:
        """(N, T) int: 0 break, 1 stray click, 2 ordinary click (indices into :data:`EVENTS`)."""
        return np.where(self.is_break, 0, np.where(self.is_stray, 1, 2))


def encode(topics: Any, breaks: Any, n_topics: int) -> np.ndarray:
    """``topics: (T,)`` ints and ``breaks: (T,)`` bools as the model's inputs ``xs: (T, n_topics + 1)``."""
    topics, breaks = np.asarray(topics, dtype=int), np.asarray(breaks, dtype=bool)
    if topics.shape != breaks.shape or topics.ndim != 1:
        raise ValueError(f"topics and breaks must be 1-D of the same length, got {topics.shape} and {breaks.shape}")
    if topics.size and (topics.min() < 0 or topics.max() >= n_topics):
        raise ValueError(f"topics must lie in [0, {n_topics}), got values {topics.min()}..{topics.max()}")
    xs = np.zeros((topics.size, n_topics + 1))
    xs[np.arange(topics.size), topics] = 1.0
    xs[:, n_topics] = breaks
    return xs


def make_sessions(n_seqs: int, seed: int, config: SessionConfig | None = None) -> Sessions:
    """``n_seqs`` seeded histories (``config`` defaults to :class:`SessionConfig`); step 0 starts a session."""
    check_size("n_seqs", n_seqs)
    config = config or SessionConfig()
    rng = np.random.default_rng(seed)
    K, T = config.n_topics, config.seq_len
    topics, session = np.zeros((n_seqs, T), int), np.zeros((n_seqs, T), int)
    is_break, is_stray = np.zeros((n_seqs, T), bool), np.zeros((n_seqs, T), bool)
    for u in range(n_seqs):
        favourite, current = int(rng.integers(K)), -1
        for t in range(T):
            if t == 0 or rng.random() < 1 / config.mean_session:
                is_break[u, t] = True
                others = [k for k in range(K) if k != current]
                keep_fav = favourite != current and rng.random() < config.favourite_prob
                current = favourite if keep_fav else int(rng.choice(others))
                topics[u, t] = current
            elif rng.random() < config.stray_prob:
                is_stray[u, t] = True
                topics[u, t] = int(rng.choice([k for k in range(K) if k != current]))
            else:
                topics[u, t] = current
            session[u, t] = current
    xs = np.stack([encode(topics[u], is_break[u], K) for u in range(n_seqs)])
    return Sessions(xs=xs, topics=topics, session_topic=session, is_break=is_break, is_stray=is_stray)


@dataclass
class TinyModel:
    """A trained tiny model: the NumPy cell (``from_torch``), its untrained twin, the read-out ``W (K, H), b (K,)``."""

    kind: str
    seed: int
    cell: GRU | LSTM
    untrained: GRU | LSTM
    readout_W: np.ndarray
    readout_b: np.ndarray
    loss: float
    seconds: float

    def predict(self, xs: np.ndarray, trained: bool = True) -> np.ndarray:
        """Next-topic logits ``(T, K)`` for one history ``xs: (T, K + 1)``."""
        cell = self.cell if trained else self.untrained
        return cell.forward(xs).h @ self.readout_W.T + self.readout_b


@functools.lru_cache(maxsize=16)
def train_tiny(kind: str, seed: int, hidden_size: int = 8, steps: int = 150) -> TinyModel:
    """Train one tiny model on 256 seeded histories (Adam, batches of 32; seeds torch and the data with ``seed``).

    Cached: the chapter's measurement, diagram and in-page model share one training per ``(kind, seed)``.
    """
    import torch

    check_choice("kind", kind, KINDS)
    start = time.perf_counter()
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    config = SessionConfig()
    K = config.n_topics
    rnn = (torch.nn.GRU if kind == "gru" else torch.nn.LSTM)(K + 1, hidden_size, batch_first=True)
    readout = torch.nn.Linear(hidden_size, K)
    untrained = (GRU if kind == "gru" else LSTM).from_torch(rnn)
    data = make_sessions(256, seed=1000 + seed, config=config)
    X, Y = torch.tensor(data.xs, dtype=torch.float32), torch.tensor(data.topics[:, 1:])
    opt = torch.optim.Adam([*rnn.parameters(), *readout.parameters()], lr=0.03)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        batch = torch.randint(0, X.shape[0], (32,), generator=gen)
        logits = readout(rnn(X[batch])[0])[:, :-1]
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, K), Y[batch].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    cell = (GRU if kind == "gru" else LSTM).from_torch(rnn)
    return TinyModel(kind=kind, seed=seed, cell=cell, untrained=untrained,
                     readout_W=readout.weight.detach().double().numpy(),
                     readout_b=readout.bias.detach().double().numpy(), loss=float(loss.detach()),
                     seconds=time.perf_counter() - start)


def gate_by_event(cell: GRU | LSTM, data: Sessions, gate: str) -> dict[str, float]:
    """Mean of ``gate`` (over units and steps 1..T-1 of every history) at breaks, stray clicks and other clicks."""
    values = np.stack([cell.forward(xs).gates[gate].mean(axis=1) for xs in data.xs])[:, 1:]  # (N, T-1)
    event = data.event()[:, 1:]
    return {name: float(values[event == j].mean()) for j, name in enumerate(EVENTS)}


def stray_skipped(model: TinyModel, data: Sessions, trained: bool = True) -> float:
    """Share of stray clicks after which the model still predicts the session's topic (it skipped the click)."""
    hits = [np.argmax(model.predict(xs, trained), axis=1) == data.session_topic[u] for u, xs in enumerate(data.xs)]
    return float(np.mean(np.stack(hits)[data.is_stray]))


def measure(kind: str, seeds: tuple[int, ...] = (0, 1, 2), eval_seed: int = 99, n_eval: int = 100) -> dict[str, Any]:
    """Train one tiny model per seed and read two of its gates on ``n_eval`` fresh histories (seed ``eval_seed``).

    The gates are the keep gate (GRU ``z``, LSTM ``f``) and the other one that decides how much is new (GRU ``r``,
    LSTM ``i``). Returns ``{"kind", "gates", "seeds", "eval_seed", "rows": [...], "mean": {...}, "seconds"}``; each
    row has the seed, the trained and untrained gate means by event (``"z_trained_break"``, ``"r_untrained_stray"``,
    ...), the share of stray clicks skipped (``"trained_skipped"``, ``"untrained_skipped"``), and the largest mean
    keep gate of any single unit at breaks (``"unit_break_max"``: does any unit carry its state across breaks?).
    """
    check_choice("kind", kind, KINDS)
    data, gates, rows = make_sessions(n_eval, eval_seed), (KEEP_GATE[kind], OTHER_GATE[kind]), []
    breaks = data.is_break[:, 1:].reshape(-1)
    for seed in seeds:
        model = train_tiny(kind, seed)
        row: dict[str, Any] = {"seed": seed, "seconds": model.seconds}
        for label, cell in (("trained", model.cell), ("untrained", model.untrained)):
            for g in gates:
                row.update({f"{g}_{label}_{k}": v for k, v in gate_by_event(cell, data, g).items()})
            row[f"{label}_skipped"] = stray_skipped(model, data, trained=label == "trained")
        keep = np.concatenate([model.cell.forward(xs).gates[gates[0]][1:] for xs in data.xs])
        row["unit_break_max"] = float(keep[breaks].mean(axis=0).max())
        rows.append(row)
    keys = [k for k in rows[0] if k != "seed"]
    mean = {k: float(np.mean([r[k] for r in rows])) for k in keys}
    return {"kind": kind, "gates": list(gates), "seeds": list(seeds), "eval_seed": eval_seed, "rows": rows,
            "mean": mean, "seconds": float(sum(r["seconds"] for r in rows))}


def report(result: dict[str, Any]) -> str:
    """The measurement as a small text table: one line per gate and seed, then the means."""
    lines = [f"{result['kind'].upper()}, mean gate value (trained | untrained), seeds {result['seeds']}",
             f"evaluated on fresh histories (seed {result['eval_seed']})",
             f"{'gate':>4} {'seed':>5} {'break':>12} {'stray click':>12} {'other click':>12}"]
    for g in result["gates"]:
        for r in [*result["rows"], {"seed": "mean", **result["mean"]}]:
            cells = [f"{r[f'{g}_trained_{e}']:.2f} | {r[f'{g}_untrained_{e}']:.2f}" for e in EVENTS]
            lines.append(f"{g:>4} {r['seed']:>5} " + " ".join(f"{c:>12}" for c in cells))
    m = result["mean"]
    lines.append("stray clicks after which the guess stays on the session's topic:")
    lines.append(f"  {m['trained_skipped']:.0%} trained, {m['untrained_skipped']:.0%} untrained")
    lines.append(f"training time, all seeds: {result['seconds']:.1f} s")
    return "\n".join(lines)


def key_numbers(result: dict[str, Any]) -> dict[str, str]:
    """The numbers the chapter quotes, formatted, by name (``gru_z_trained_break``, ``lstm_skipped``, ...)."""
    m, k = result["mean"], result["kind"]
    out = {f"{k}_{g}_{label}_{e}": f"{m[f'{g}_{label}_{e}']:.2f}"
           for g in result["gates"] for label in ("trained", "untrained") for e in EVENTS}
    out[f"{k}_skipped"] = f"{m['trained_skipped']:.0%}"
    out[f"{k}_skipped_untrained"] = f"{m['untrained_skipped']:.0%}"
    out[f"{k}_unit_break_max"] = f"{max(r['unit_break_max'] for r in result['rows']):.2f}"
    out[f"{k}_seeds"] = ", ".join(str(s) for s in result["seeds"])
    out[f"{k}_eval_seed"] = str(result["eval_seed"])
    return out


def parse_sequence(text: str, n_topics: int = SessionConfig.n_topics) -> tuple[np.ndarray, np.ndarray]:
    """``"A A D A | C C"`` as ``(topics, breaks)``: letters are topics (``A`` = 0), ``|`` breaks before the next
    click, spaces are ignored; the first click always starts a session (as in ``book/_static/longshort.js``)."""
    letters = "ABCDEFGHIJ"[:n_topics]
    topics, breaks, pending = [], [], True
    for ch in str(text).upper():
        if ch == "|":
            pending = True
        elif ch in letters:
            topics.append(letters.index(ch))
            breaks.append(pending)
            pending = False
        elif not ch.isspace():
            raise ValueError(f"text must hold topic letters {', '.join(letters)}, '|' and spaces, got {ch!r}")
    if not topics:
        raise ValueError(f"text must hold at least one click, got {text!r}")
    return np.array(topics), np.array(breaks)
