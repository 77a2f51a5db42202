"""The one helper that builds plotly sliders, so every static figure of the book moves the same way.

Two kinds of slider, both precomputed (they work in the built HTML book, with no kernel):

* :func:`frame_slider`: step ``k`` shows the frame named ``labels[k]`` (the figure's ``frames`` are built by
  the caller, one per label); used when a whole picture changes;
* :func:`restyle_slider`: step ``k`` restyles one trace with ``updates[k]``; used when several sliders each own
  one trace of the same figure.

Extra keyword arguments (``x``, ``len``, ``y``, ``pad``, ``currentvalue``, ...) are plotly slider attributes
and override the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["frame_slider", "restyle_slider"]


def _slider(steps: list[dict[str, Any]], active: int, prefix: str, options: dict[str, Any]) -> dict[str, Any]:
    if not steps:
        raise ValueError("labels: expected at least one slider position, got none")
    if not 0 <= active < len(steps):
        raise ValueError(f"active: expected a position in [0, {len(steps) - 1}], got {active}")
    return {"active": active, "steps": steps, "currentvalue": {"prefix": prefix}, "pad": {"t": 40}, **options}


def frame_slider(labels: Sequence[str], active: int, prefix: str, *, redraw: bool = True,
                 **options: Any) -> dict[str, Any]:
    """A slider whose step ``k`` jumps (no transition) to the frame named ``labels[k]``.

    ``redraw=False`` is faster but only right when the frames change trace data alone (no layout, no axes).
    Returns the slider as a dict for ``fig.update_layout(sliders=[...])``.
    """
    animate = {"mode": "immediate", "frame": {"duration": 0, "redraw": redraw}, "transition": {"duration": 0}}
    steps = [{"method": "animate", "label": label, "args": [[label], animate]} for label in labels]
    return _slider(steps, active, prefix, options)


def restyle_slider(labels: Sequence[str], updates: Sequence[Mapping[str, Any]], trace: int, active: int,
                   prefix: str, **options: Any) -> dict[str, Any]:
    """A slider whose step ``k`` sets the attributes ``updates[k]`` (e.g. ``{"y": [...], "name": "..."}``)
    of the trace with index ``trace``, leaving every other trace alone.

    ``labels`` and ``updates`` have one entry per position. Returns the slider as a dict.
    """
    if len(labels) != len(updates):
        raise ValueError(f"updates: expected one update per label ({len(labels)}), got {len(updates)}")
    steps = [{"method": "restyle", "label": label, "args": [{k: [v] for k, v in upd.items()}, [trace]]}
             for label, upd in zip(labels, updates, strict=True)]
    return _slider(steps, active, prefix, options)
