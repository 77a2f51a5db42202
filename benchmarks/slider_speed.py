"""Print the compute time of one slider update for every slider experiment (target: <= 20 ms),
the time to draw the live widget's picture, the size of every static slider figure, and, when the book has
been built (``_build/html``), the size of each built page of Part II (target: <= 8 MB).

Usage: ``python benchmarks/slider_speed.py [--repeat N]``. Prints only; asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")

from lessons import widgets as W  # noqa: E402
from lessons.paths import REPO_ROOT  # noqa: E402
from lessons.pictures import gradients as Gr  # noqa: E402
from lessons.pictures import sliders as S  # noqa: E402

PAGES = ("rnn_vanishing_gradients", "lstm_step_by_step", "gru_step_by_step")


def best_ms(fn: Callable[[], Any], repeat: int) -> float:
    """Best wall time of ``repeat`` calls, in milliseconds (the least disturbed by other processes)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    n = ap.parse_args().repeat

    experiments: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "(a) GRU one step": (lambda: S.gru_step_values(0.7, 1.25, 2.0, 0.3), W.gru_step_widget),
        "(b) LSTM forget bias, T=30": (lambda: S.lstm_memory_curve(2.5, 30), W.lstm_forget_widget),
        "(c) GRU update gate": (lambda: S.gru_update_values(0.35), W.gru_update_widget),
        # a slider move in gradient_widget recomputes one model (the others are cached)
        "gradient norms, 1 model, T=40": (
            lambda: W._model_norms.__wrapped__("LSTM", 2.0, 40, 8),
            W.gradient_widget,
        ),
    }
    print(f"{'experiment':30s} {'compute/update':>15s} {'compute+draw':>13s}   target compute <= 20 ms")
    for name, (compute, make_widget) in experiments.items():
        c_ms = best_ms(compute, n)
        w = make_widget()
        w.controls[next(iter(w.controls))].value  # noqa: B018 (touch the widget once)
        d_ms = best_ms(w.update, max(3, n // 5))
        flag = "ok" if c_ms <= 20 else "SLOW"
        print(f"{name:30s} {c_ms:12.2f} ms {d_ms:10.1f} ms   {flag}")

    print("\nstatic slider figures (plotly JSON, precomputed frames):")
    figures = {
        "(a) gru_step_slider_figure": S.gru_step_slider_figure,
        "(b) lstm_forget_slider_figure": S.lstm_forget_slider_figure,
        "(c) gru_update_slider_figure": S.gru_update_slider_figure,
        "gradient_slider_figure": Gr.gradient_slider_figure,
    }
    for name, make in figures.items():
        t0 = time.perf_counter()
        fig = make()
        build = time.perf_counter() - t0
        print(f"{name:32s} {len(fig.to_json()) / 1e6:6.3f} MB JSON, built in {build:5.2f} s")

    html = REPO_ROOT / "_build" / "html" / "notebooks"
    if html.is_dir():
        print("\nbuilt pages (target <= 8 MB):")
        for page in PAGES:
            p = html / f"{page}.html"
            if p.exists():
                mb = p.stat().st_size / 1e6
                print(f"{page + '.html':34s} {mb:6.2f} MB  {'ok' if mb <= 8 else 'TOO BIG'}")
            else:
                print(f"{page + '.html':34s} not built")
    else:
        print(f"\n(no built book at {html}; run `make book` to measure page sizes)")


if __name__ == "__main__":
    main()
