"""Reading the model: items are named by their film titles ("Title (year)", shortened to fit), ids only where no
title is known; the explanation figure writes the titles beside the top-10 bars."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.casestudy.explain import explain_user, item_names
from lessons.casestudy.train import TrainConfig, build_model
from lessons.data.movielens import display_title, load_titles
from lessons.data.split import SequentialSplit, make_toy_split
from lessons.data.wheels import wheel_path
from lessons.pictures.casestudy_plots import explain_slider


@pytest.mark.parametrize(("title", "shown"), [
    ("Toy Story (1995)", "Toy Story (1995)"),
    ("Usual Suspects, The (1995)", "The Usual Suspects (1995)"),
    ("Postino, Il (1994)", "Il Postino (1994)"),
    ("Appartement, L' (1996)", "L'Appartement (1996)"),
    ("Shanghai Triad (Yao a yao yao dao waipo qiao) (1995)", "Shanghai Triad (1995)"),
    ("Horseman on the Roof, The (Hussard sur le toit, Le) (1995)", "The Horseman on the Roof (1995)"),
    ("Austin Powers: International Man of Mystery (1997)", "Austin Powers… (1997)"),
    ("Heat", "Heat"),
])
def test_display_title_reads_as_a_reader_expects(title: str, shown: str) -> None:
    assert display_title(title, 32) == shown


def test_display_title_fits_and_keeps_the_year() -> None:
    long = "To Wong Foo, Thanks for Everything! Julie Newmar (1995)"
    for width in (12, 20, 28, 40):
        out = display_title(long, width)
        assert len(out) <= width and out.endswith("(1995)")
    with pytest.raises(ValueError, match="width must be at least 10"):
        display_title(long, 5)


def _has(name: str) -> bool:
    try:
        wheel_path(name)
    except FileNotFoundError:
        return False
    return True


@pytest.mark.skipif(not _has("ml-100k"), reason="MovieLens not fetched (make data)")
def test_ml100k_titles_name_every_rated_film() -> None:
    from lessons.data.movielens import load_movielens

    titles = load_titles("ml-100k")
    assert titles["1"] == "Toy Story (1995)" and titles["12"] == "Usual Suspects, The (1995)"
    rated = set(load_movielens("ml-100k")["item"])
    assert rated - set(titles) == {"267"}  # the one film MovieLens calls "unknown"
    with pytest.raises(ValueError, match="name must be one of"):
        load_titles("ml-20m")


@pytest.mark.skipif(not _has("ml-1m"), reason="MovieLens not fetched (make data)")
def test_ml1m_ids_are_their_own_titles() -> None:
    titles = load_titles("ml-1m")
    assert titles["Toy Story (1995)"] == "Toy Story (1995)" and len(titles) == 3883


def _named(split: SequentialSplit, dataset: str, labels: list[str]) -> SequentialSplit:
    fields = {f: getattr(split, f) for f in SequentialSplit.__dataclass_fields__ if not f.startswith("_")}
    return SequentialSplit(**{**fields, "dataset": dataset, "item_labels": np.array(labels, dtype=str)})


def test_item_names_fall_back_to_ids_without_titles() -> None:
    split = make_toy_split(n_users=12, n_items=8, seed=0)
    names = item_names(split)
    assert names.shape == (split.n_items,)
    assert list(names) == [f"item {lab}" for lab in split.item_labels]


@pytest.mark.skipif(not _has("ml-100k"), reason="MovieLens not fetched (make data)")
def test_item_names_of_movielens_are_titles() -> None:
    split = _named(make_toy_split(n_users=12, n_items=4, seed=0), "ml-100k", ["1", "12", "267", "999999"])
    assert list(item_names(split)) == ["Toy Story (1995)", "The Usual Suspects (1995)", "item 267", "item 999999"]


@pytest.mark.skipif(not _has("ml-100k"), reason="MovieLens not fetched (make data)")
def test_explanation_and_its_figure_show_titles() -> None:
    toy = make_toy_split(n_users=12, n_items=6, seed=1)
    split = _named(toy, "ml-100k", ["1", "2", "3", "4", "5", "12"])
    model = build_model(TrainConfig(model="fused-gate-gru", dim=8, dropout=0.0), split.n_items, split.n_users)
    expl = explain_user(model, split, 2, k=3)
    known = set(item_names(split))
    assert set(expl.labels) <= known and "The Usual Suspects (1995)" in known
    assert all(set(row) <= known for row in expl.top_labels)
    fig = explain_slider(expl)
    bars = fig.data[3]
    assert list(bars.y) == ["3.", "2.", "1."] and list(bars.text) == list(expl.top_labels[-1][::-1])
    assert all(list(frame.data[3].text) == list(expl.top_labels[int(frame.name) - 1][::-1]) for frame in fig.frames)
