"""Tests for lessons.pictures.concept_map: the article's diagram, the corrected map, checks, figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from lessons.pictures import concept_map as cm


def test_article_graph_is_the_mermaid_diagram() -> None:
    g = cm.article_graph()
    chinese = "用户兴趣 长短期兴趣 推荐系统 短期兴趣 长期兴趣 协同过滤 基于内容 深度学习 推荐结果"
    assert [n.chinese for n in g.nodes] == chinese.split()
    assert set(g.edges) == {tuple(e) for e in "AB AC BD BE CF CG CH DI EI".split()}


def test_article_graph_faults() -> None:
    g = cm.article_graph()
    # the recommender system and all three methods lead nowhere near the recommendations
    assert cm.cannot_reach(g) == ["C", "F", "G", "H"]
    # user interest and the interest nodes reach the result without any method or model
    assert cm.paths_avoiding(g) == ["A", "B", "D", "E"]
    # user interest is a source: nothing points into it, there are no data and no loop
    assert all(b != "A" for _, b in g.edges)
    assert not [n for n in g.nodes if n.role == "data"]
    assert g.target not in {a for a, _ in g.edges}


def test_concept_graph_invariants() -> None:
    g = cm.concept_graph()
    ids = {n.id for n in g.nodes}
    assert {"logs", "long", "short", "fusion", "score", "ranked", "feedback"} <= ids
    assert cm.cannot_reach(g) == []  # every node reaches the recommendations
    assert cm.paths_avoiding(g) == []  # ...and only through a method or model
    methods = [n.id for n in g.nodes if n.role == "method"]
    assert methods and all(g.target in cm.reachable(g, m) for m in methods)
    # the scoring model is a cut: without it, behaviour never reaches the list
    assert g.target not in cm.reachable(g, "logs", avoid=["score"])
    # a feedback loop: from the list back to the logs
    assert "logs" in cm.reachable(g, "ranked")
    # interest is inferred: it is latent and has no incoming edge; data comes after it
    assert g.node("interest").role == "latent"
    assert all(b != "interest" for _, b in g.edges)
    assert cm.successors(g, "interest") == ["logs"]
    # long and short representations both feed the fusion
    assert set(cm.successors(g, "long")) == set(cm.successors(g, "short")) == {"fusion"}
    # every node says where the book covers it
    assert all(n.chapter.startswith(("Part I:", "Part II:", "Part III:")) for n in g.nodes)


def test_graph_validation() -> None:
    n = cm.Node("a", "A", "data", (0.0, 0.0))
    with pytest.raises(ValueError, match="edges"):
        cm.Graph((n,), (("a", "b"),), "a", "t")
    with pytest.raises(ValueError, match="target"):
        cm.Graph((n,), (), "z", "t")
    with pytest.raises(ValueError, match="nodes"):
        cm.Graph((n, n), (), "a", "t")
    with pytest.raises(ValueError, match="nodes"):
        cm.Graph((cm.Node("b", "B", "nonsense", (0.0, 0.0)),), (), "b", "t")
    with pytest.raises(ValueError, match="node_id"):
        cm.concept_graph().node("nope")
    with pytest.raises(ValueError, match="roles"):
        cm.paths_avoiding(cm.concept_graph(), roles=("magic",))


@pytest.mark.parametrize("make", [cm.article_graph, cm.concept_graph])
def test_draw_map_labels(make) -> None:  # noqa: ANN001
    g = make()
    fig = cm.draw_map(g, highlight=cm.cannot_reach(g))
    try:
        assert isinstance(fig, Figure)
        texts = {t.get_text() for t in fig.axes[0].texts}
        assert {n.label for n in g.nodes} <= texts
        assert fig.axes[0].get_title() == g.title
        arrows = [p for p in fig.axes[0].patches if type(p).__name__ == "FancyArrowPatch"]
        assert len(arrows) == len(g.edges)
    finally:
        plt.close(fig)


def test_draw_map_bad_input() -> None:
    with pytest.raises(ValueError, match="highlight"):
        cm.draw_map(cm.concept_graph(), highlight=["nope"])
    with pytest.raises(ValueError, match="box_size"):
        cm.draw_map(cm.concept_graph(), box_size=(0.0, 1.0))


def test_key_numbers_name_the_article_faults_and_none_in_the_book() -> None:
    k = cm.key_numbers()
    assert "Recommender system" in k["cm_dangling"] and "User interest" in k["cm_bypass"]
    assert k["cm_n_dangling_book"] == 0 and k["cm_n_bypass_book"] == 0
