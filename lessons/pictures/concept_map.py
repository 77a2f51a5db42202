"""The concept map of Part I: the article's diagram and the book's corrected map, as data and as figures.

A map is a :class:`Graph`: nodes (id, English label, role, where the book covers it) and directed edges. The
figures are drawn from that data by :func:`draw_map`, with fixed positions, in matplotlib, so they render
offline (no Mermaid, no network). Labels are English only because the build machine has no CJK font; the
Chinese terms of the article's diagram are kept in :attr:`Node.chinese` and shown in a table by the chapter.

Graph checks (:func:`cannot_reach`, :func:`paths_avoiding`) are used both by the chapter, to show what is
wrong with the article's diagram, and by the tests, to show that the corrected map does not have the same
faults.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from lessons.pictures.palette import NEUTRAL, OKABE_ITO, ROLE

__all__ = [
    "Node",
    "Graph",
    "ROLES",
    "article_graph",
    "concept_graph",
    "successors",
    "reachable",
    "cannot_reach",
    "paths_avoiding",
    "draw_map",
    "key_numbers",
]

ROLES: dict[str, str] = ROLE
"""Node roles and their fill colours (defined in :mod:`lessons.pictures.palette`)."""


#: Curvature of the feedback arrow, which arcs over the map (matplotlib ``arc3`` ``rad``).
BEND = 0.25

#: Size (pt) of every label, box or chapter: the corrected map is about 1130 pt wide, so at the 1050 px of a
#: full-width figure on a desktop its smallest text is 10 px (on a phone it scrolls in its own box, at a width
#: that keeps this size, see book/_ext/book_html.py).
LABEL_PT = 11.0


@dataclass(frozen=True)
class Node:
    """One box of a map.

    Attributes:
        id: short identifier used by edges.
        label: English text in the box (``\\n`` for line breaks).
        role: one of :data:`ROLES`.
        xy: box centre in figure data coordinates.
        chapter: where the book covers it, e.g. ``"Part II: GRU step by step"`` (empty for the article's map).
        chinese: the article's Chinese term, if the node comes from the article.
    """

    id: str
    label: str
    role: str
    xy: tuple[float, float]
    chapter: str = ""
    chinese: str = ""


@dataclass(frozen=True)
class Graph:
    """A directed graph of :class:`Node` with ``edges: ((src_id, dst_id), ...)`` and a target node id.

    ``bends`` lists edges drawn as arcs: ``(src_id, dst_id, rad)``.
    """

    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str], ...]
    target: str
    title: str
    bends: tuple[tuple[str, str, float], ...] = ()

    def __post_init__(self) -> None:
        ids = [n.id for n in self.nodes]
        if len(set(ids)) != len(ids):
            raise ValueError(f"nodes: expected unique ids, got {ids}")
        for n in self.nodes:
            if n.role not in ROLES:
                raise ValueError(f"nodes: expected a role in {list(ROLES)}, got {n.role!r} for {n.id!r}")
        for a, b in self.edges:
            if a not in ids or b not in ids:
                raise ValueError(f"edges: expected node ids from {ids}, got edge ({a!r}, {b!r})")
        if self.target not in ids:
            raise ValueError(f"target: expected one of {ids}, got {self.target!r}")

    def node(self, node_id: str) -> Node:
        """The node with this id; raises ``ValueError`` if there is none."""
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise ValueError(f"node_id: expected one of {[n.id for n in self.nodes]}, got {node_id!r}")


def article_graph() -> Graph:
    """The source article's Mermaid diagram, node for node and edge for edge (labels translated)."""
    nodes = (
        Node("A", "User interest", "concept", (4.5, 4.0), chinese="用户兴趣"),
        Node("B", "Long- and short-term\ninterest", "concept", (1.35, 2.8), chinese="长短期兴趣"),
        Node("C", "Recommender system", "concept", (6.6, 2.8), chinese="推荐系统"),
        Node("D", "Short-term interest", "concept", (0.3, 1.6), chinese="短期兴趣"),
        Node("E", "Long-term interest", "concept", (2.4, 1.6), chinese="长期兴趣"),
        Node("F", "Collaborative\nfiltering", "method", (4.5, 1.6), chinese="协同过滤"),
        Node("G", "Content-based", "method", (6.6, 1.6), chinese="基于内容"),
        Node("H", "Deep learning", "method", (8.7, 1.6), chinese="深度学习"),
        Node("I", "Recommendations", "output", (1.35, 0.4), chinese="推荐结果"),
    )
    edges = (
        ("A", "B"),
        ("A", "C"),
        ("B", "D"),
        ("B", "E"),
        ("C", "F"),
        ("C", "G"),
        ("C", "H"),
        ("D", "I"),
        ("E", "I"),
    )
    return Graph(nodes, edges, target="I", title="The article's diagram, redrawn")


def concept_graph() -> Graph:
    """The book's corrected map: behaviour in, interest inferred, a model on the path, a feedback loop.

    Every node carries the chapter of this book that covers it.
    """
    fused, approaches = "Part III: Short, long, fused", "Part I: Recommender approaches"
    nodes = (
        Node("interest", "User's interest\n(latent, never observed)", "latent", (-2.3, 2.2), "Part I: User interest"),
        Node("logs", "Behaviour logs\nclicks, ratings, time", "data", (0.0, 2.2), "Part III: The data: MovieLens"),
        Node("content", "Item content\ngenres, text", "data", (0.0, 0.4), approaches),
        Node("seq", "Recurrent encoder\nGRU / LSTM", "method", (2.3, 3.6), "Part II: LSTM / GRU step by step"),
        Node("cf", "Collaborative filtering,\nmatrix factorisation", "method", (2.3, 2.2), approaches),
        Node("cb", "Content-based\nprofile", "method", (2.3, 0.4), approaches),
        Node("short", "Short-term\nrepresentation", "representation", (4.6, 3.6), fused),
        Node("long", "Long-term\nrepresentation", "representation", (4.6, 1.3), fused),
        Node("fusion", "Fusion\n(gate, concat)", "model", (6.6, 2.45), fused),
        Node("score", "Scoring model\none score per item", "model", (8.5, 2.45), fused),
        Node("ranked", "Ranked list\n(top-K)", "output", (10.4, 2.45), "Part III: Protocol, metrics"),
        Node("feedback", "User feedback\n(new behaviour)", "data", (0.0, 5.0), "Part III: Drift simulator"),
    )
    edges = (
        ("interest", "logs"), ("logs", "seq"), ("logs", "cf"), ("logs", "cb"), ("content", "cb"), ("seq", "short"),
        ("cf", "long"), ("cb", "long"), ("short", "fusion"), ("long", "fusion"), ("fusion", "score"),
        ("score", "ranked"), ("ranked", "feedback"), ("feedback", "logs"),
    )
    return Graph(
        nodes, edges, target="ranked", title="The corrected map", bends=(("ranked", "feedback", BEND),)
    )


# --------------------------------------------------------------------------- graph checks


def successors(graph: Graph, node_id: str) -> list[str]:
    """Ids of the nodes that ``node_id`` has an edge to, in edge order."""
    graph.node(node_id)
    return [b for a, b in graph.edges if a == node_id]


def reachable(graph: Graph, start: str, avoid: Iterable[str] = ()) -> set[str]:
    """All node ids reachable from ``start`` (``start`` included) without passing through ``avoid``."""
    graph.node(start)
    blocked = set(avoid)
    seen = {start}
    stack = [start]
    while stack:
        for b in successors(graph, stack.pop()):
            if b not in seen and b not in blocked:
                seen.add(b)
                stack.append(b)
    return seen


def cannot_reach(graph: Graph) -> list[str]:
    """Ids of the nodes from which no path leads to the graph's target (the dangling ones), in node order."""
    return [n.id for n in graph.nodes if graph.target not in reachable(graph, n.id)]


def paths_avoiding(graph: Graph, roles: Sequence[str] = ("method", "model")) -> list[str]:
    """Ids of nodes (not of these ``roles``) that reach the target without passing a node of these roles.

    In a sound map every route to the recommendations goes through some method or model; the article's
    interest nodes reach the result directly.
    """
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValueError(f"roles: expected roles from {list(ROLES)}, got {unknown}")
    blocked = [n.id for n in graph.nodes if n.role in roles]
    return [
        n.id
        for n in graph.nodes
        if n.id != graph.target
        and n.id not in blocked
        and graph.target in reachable(graph, n.id, avoid=blocked)
    ]


# --------------------------------------------------------------------------- drawing


def draw_map(
    graph: Graph,
    highlight: Iterable[str] = (),
    show_chapters: bool = True,
    box_size: tuple[float, float] = (1.85, 0.8),
) -> Figure:
    """Draw a map with fixed positions and return the figure.

    Args:
        graph: the map (:func:`article_graph` or :func:`concept_graph`).
        highlight: node ids drawn with a thick vermillion border (e.g. the dangling nodes).
        show_chapters: print each node's chapter under its box.
        box_size: ``(width, height)`` of a box in data units.
    """
    w, h = box_size
    if not (w > 0 and h > 0):
        raise ValueError(f"box_size: expected two positive numbers, got {box_size!r}")
    hi = set(highlight)
    ids = {n.id for n in graph.nodes}
    if not hi <= ids:
        raise ValueError(f"highlight: expected node ids from {sorted(ids)}, got {sorted(hi - ids)}")
    xs = [n.xy[0] for n in graph.nodes]
    ys = [n.xy[1] for n in graph.nodes]
    fig, ax = plt.subplots(
        figsize=(1.05 * (max(xs) - min(xs) + w + 0.6), 1.2 * (max(ys) - min(ys) + h + 1.0))
    )
    ax.set_xlim(min(xs) - w / 2 - 0.3, max(xs) + w / 2 + 0.3)
    ax.set_ylim(min(ys) - h / 2 - 0.55, max(ys) + h / 2 + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    _draw_edges(ax, graph, w, h)
    _draw_nodes(ax, graph, w, h, hi, show_chapters)
    ax.set_title(graph.title, fontsize=13)
    fig.tight_layout()
    return fig


def _draw_edges(ax: Any, graph: Graph, w: float, h: float) -> None:
    """Arrows from box border to box border; the edges listed in ``graph.bends`` arc."""
    pos = {n.id: n.xy for n in graph.nodes}
    bend = {(a, b): r for a, b, r in graph.bends}
    for a, b in graph.edges:
        arrow = FancyArrowPatch(pos[a], pos[b], arrowstyle="-|>", mutation_scale=14, color=NEUTRAL["muted"], lw=1.3,
                                connectionstyle=f"arc3,rad={bend.get((a, b), 0.0)}", shrinkA=0, shrinkB=0,
                                patchA=None, patchB=None)
        arrow.set_positions(*_clip(pos[a], pos[b], w, h))
        ax.add_patch(arrow)


def _draw_nodes(ax: Any, graph: Graph, w: float, h: float, hi: set[str], show_chapters: bool) -> None:
    """Rounded boxes filled by role (highlighted ones with a thick border), labels, chapters under the boxes."""
    for n in graph.nodes:
        x, y = n.xy
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.12",
                                    facecolor=ROLES[n.role],
                                    edgecolor=OKABE_ITO["vermillion"] if n.id in hi else NEUTRAL["text"],
                                    lw=3.0 if n.id in hi else 1.0, linestyle="--" if n.role == "latent" else "-",
                                    zorder=3))
        ax.text(x, y, n.label, ha="center", va="center", fontsize=LABEL_PT, zorder=4)
        if show_chapters and n.chapter:
            ax.text(x, y - h / 2 - 0.08, n.chapter.replace(": ", ":\n", 1), ha="center", va="top",
                    fontsize=LABEL_PT, style="italic", color=NEUTRAL["text"], linespacing=1.1, zorder=4)


def _clip(
    a: tuple[float, float], b: tuple[float, float], w: float, h: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Move the end points of segment ``a -> b`` from the box centres to the box borders."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0

    def t_exit(dx: float, dy: float) -> float:
        tx = (w / 2) / abs(dx) if dx else float("inf")
        ty = (h / 2) / abs(dy) if dy else float("inf")
        return min(tx, ty)

    t = t_exit(dx, dy)
    return (x0 + t * dx, y0 + t * dy), (x1 - t * dx, y1 - t * dy)


def key_numbers() -> dict[str, object]:
    """What the concept-map chapter quotes in its prose, by name (the notebook glues them): the article's
    dangling nodes and the nodes its diagram lets one bypass (labels joined by commas), and how many of each the
    corrected map has (none)."""
    article, book = article_graph(), concept_graph()
    label = {n.id: n.label.replace("\n", " ") for n in article.nodes}
    return {
        "cm_dangling": ", ".join(label[i] for i in cannot_reach(article)),
        "cm_bypass": ", ".join(label[i] for i in paths_avoiding(article)),
        "cm_n_dangling_book": len(cannot_reach(book)),
        "cm_n_bypass_book": len(paths_avoiding(book)),
    }
