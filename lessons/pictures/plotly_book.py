"""How plotly figures reach the HTML book: one copy of plotly.js per site, no CDN.

Plotly >= 6 renders in Jupyter to a mime type that Jupyter Book 1 drops (with only a warning), and its
"notebook" renderer embeds the whole 4.8 MB plotly.js in *every* figure and links MathJax from a CDN.
The book's build therefore uses the renderer below: each figure becomes a small HTML snippet that
calls the global ``Plotly``, and ``book/_ext/book_html.py`` loads ``_static/offline/plotly.min.js`` (copied
from the installed plotly package, so the versions always match) on every page.

The build selects it by setting ``LESSONS_PLOTLY_RENDERER=book`` (in the Makefile, the one place);
importing :mod:`lessons` then calls :func:`activate`. On Binder or a local Jupyter nothing changes and
plotly's own renderer is used.
"""

from __future__ import annotations

import os

import plotly.io as pio
from plotly.io._base_renderers import HtmlRenderer

ENV_VAR = "LESSONS_PLOTLY_RENDERER"
NAME = "book"


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


def activate() -> None:
    """Register the renderer and make it the default."""
    pio.renderers[NAME] = BookRenderer()
    pio.renderers.default = NAME


if os.environ.get(ENV_VAR) == NAME:
    activate()
