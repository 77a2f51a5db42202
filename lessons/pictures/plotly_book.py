"""How plotly figures reach the HTML book: one copy of plotly.js per site, no CDN.

Plotly >= 6 renders in Jupyter to a mime type that Jupyter Book 1 drops (with only a warning), and its
"notebook" renderer embeds the whole 4.8 MB plotly.js in *every* figure and links MathJax from a CDN.
The book's build therefore uses the renderer below: each figure becomes a small HTML snippet that
calls the global ``Plotly``, and ``book/_ext/book_html.py`` loads ``_static/offline/plotly.min.js`` on the pages
that draw one. That file is plotly.js's official "cartesian" bundle (scatter, bar, heatmap and a few more traces;
1.5 MB instead of 4.8 MB), pinned in ``package.json`` at the version the Python plotly package ships
(``tests/test_plotly_bundle.py`` checks the pin and that every trace the book draws is in the bundle).

The build selects it by setting ``LESSONS_PLOTLY_RENDERER=book`` (in the Makefile, the one place);
importing :mod:`lessons` then calls :func:`activate`. On Binder or a local Jupyter nothing changes and
plotly's own renderer is used.

:data:`TEMPLATE` is the book's plotly template (``pio.templates["book"]``, the default as soon as
:mod:`lessons.pictures` is imported, in the book and in a kernel alike): colours from
:mod:`lessons.pictures.palette`, a transparent background so that a figure sits on the page's own colour, legends
without a white box, and ``book/_static/book.css`` recolours its text and grid under the theme's dark mode.
"""

from __future__ import annotations

import os

import plotly.graph_objects as go
import plotly.io as pio
from plotly.io._base_renderers import HtmlRenderer

from lessons.pictures.palette import CLEAR, NEUTRAL, SEQUENCE

ENV_VAR = "LESSONS_PLOTLY_RENDERER"
NAME = "book"


TEMPLATE_NAME = "book"
_AXIS = dict(gridcolor=NEUTRAL["grid"], zerolinecolor=NEUTRAL["grid"], linecolor=NEUTRAL["grid"], automargin=True,
             title_standoff=8)
TEMPLATE = go.layout.Template(layout=dict(
    paper_bgcolor=CLEAR, plot_bgcolor=CLEAR, colorway=list(SEQUENCE),
    font=dict(color=NEUTRAL["text"], size=13),
    title=dict(font=dict(size=15), x=0, xanchor="left", xref="paper", y=0.98, yanchor="top"),
    legend=dict(bgcolor=CLEAR), xaxis=_AXIS, yaxis=_AXIS, hoverlabel=dict(font_size=12),
))
"""The book's look for every plotly figure, layered over ``plotly_white``."""


def use_book_template() -> None:
    """Register :data:`TEMPLATE` as ``pio.templates["book"]`` and make ``plotly_white+book`` the default."""
    pio.templates[TEMPLATE_NAME] = TEMPLATE
    pio.templates.default = f"plotly_white+{TEMPLATE_NAME}"


class BookRenderer(HtmlRenderer):
    """``text/html`` snippets without plotly.js or MathJax; the page provides plotly.js once."""

    def __init__(self) -> None:
        super().__init__(connected=False, full_html=False, global_init=False,
                         config={"displaylogo": False, "responsive": True}, include_plotlyjs=False)

    def to_mimebundle(self, fig_dict: dict) -> dict[str, str]:
        html = pio.to_html(fig_dict, config=self.config, include_plotlyjs=False, include_mathjax=False,
                           full_html=False, default_width="100%", default_height=525,
                           validate=False, auto_play=False)
        return {"text/html": html}


def use_book_matplotlib() -> None:
    """Matplotlib figures of the HTML book: SVG (sharp at any zoom; text kept as text) and no text under 10 pt.

    Applies to the running IPython kernel only (a plain Python process has no inline backend to configure).
    """
    import matplotlib as mpl

    mpl.rcParams.update({"svg.fonttype": "none", "font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11,
                         "xtick.labelsize": 10, "ytick.labelsize": 10, "legend.fontsize": 10})
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - IPython is part of the book's requirements
        return
    if get_ipython() is not None:
        set_matplotlib_formats("svg")


def activate() -> None:
    """Register the renderer and make it the default; matplotlib figures as SVG (:func:`use_book_matplotlib`);
    DataFrames through the book's table helper (:func:`lessons.pictures.tables.use_book_tables`)."""
    pio.renderers[NAME] = BookRenderer()
    pio.renderers.default = NAME
    use_book_matplotlib()
    from lessons.pictures.tables import use_book_tables

    use_book_tables()


if os.environ.get(ENV_VAR) == NAME:
    activate()
