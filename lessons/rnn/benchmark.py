"""Measuring LSTM against GRU: parameter counts, time per sequence, memory kept for the backward pass.

:func:`run_benchmark` is called by ``benchmarks/rnn_speed_memory.py``, which writes
``results/lstm_vs_gru_benchmark.json``; the chapter "LSTM vs GRU" reads that file with :func:`load_benchmark`
and draws it with :func:`plot_time_ratio`. Timings depend on the machine and on whatever else runs on it, so
the JSON records the machine, and the chapter quotes ratios (LSTM time / GRU time) rather than absolute times.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lessons.checks import check_size
from lessons.paths import RESULTS_DIR
from lessons.rnn.gru import GRU
from lessons.rnn.lstm import LSTM

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

RESULT_PATH = RESULTS_DIR / "lstm_vs_gru_benchmark.json"


def parameter_counts(input_size: int, hidden_size: int) -> dict[str, int]:
    """Number of parameters of one layer, by formula, for input size ``I`` and hidden size ``H``.

    * ``gru_single_bias``: ``3H(I + H + 1)``, one bias per gate (Cho et al.'s GRU, ``variant="cho"``);
    * ``gru_numpy_pytorch``: ``3H(I + H) + 4H``, the book's PyTorch-convention GRU (``b_r, b_z, b_in, b_hn``);
    * ``gru_torch``: ``3H(I + H + 2)``, ``torch.nn.GRU`` with its two bias vectors;
    * ``lstm_single_bias``: ``4H(I + H + 1)``, the book's LSTM;
    * ``lstm_torch``: ``4H(I + H + 2)``, ``torch.nn.LSTM``.
    """
    n_in, H = check_size("input_size", input_size), check_size("hidden_size", hidden_size)
    return {
        "gru_single_bias": 3 * H * (n_in + H + 1),
        "gru_numpy_pytorch": 3 * H * (n_in + H) + 4 * H,
        "gru_torch": 3 * H * (n_in + H + 2),
        "lstm_single_bias": 4 * H * (n_in + H + 1),
        "lstm_torch": 4 * H * (n_in + H + 2),
    }


def time_interleaved(fns: dict[str, Callable[[], Any]], budget_s: float = 0.5,
                     min_repeats: int = 3) -> dict[str, dict[str, float]]:
    """CPU time of each ``fns[name]()`` in milliseconds, calling the functions in turn (a, b, a, b, ...).

    After one warm-up call each, the round is repeated until ``budget_s`` of wall time has passed (at least
    ``min_repeats`` rounds). CPU time of this process (``time.process_time``) rather than wall time, and
    interleaving, keep other programs on a shared machine from biasing one cell against the other.
    Returns ``{name: {"min_ms", "median_ms", "repeats"}}``; the minimum is the steadier figure.
    """
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    start = time.perf_counter()
    rounds = 0
    while rounds < min_repeats or (time.perf_counter() - start < budget_s and rounds < 1000):
        for name, fn in fns.items():
            t0 = time.process_time()
            fn()
            times[name].append(time.process_time() - t0)
        rounds += 1
    return {name: {"min_ms": 1e3 * min(ts), "median_ms": 1e3 * float(np.median(ts)), "repeats": len(ts)}
            for name, ts in times.items()}


def numpy_trace_values(cell: GRU | LSTM, xs: np.ndarray) -> int:
    """How many numbers the NumPy cell's :class:`~lessons.rnn.Trace` keeps for ``backward`` (not xs)."""
    tr = cell.forward(xs)
    arrays = [tr.h, *tr.gates.values(), *tr.pre.values(), *tr.cache.values()]
    if tr.c is not None:
        arrays.append(tr.c)
    return int(sum(a.size for a in arrays))


def torch_saved_bytes(module: Any, x: Any) -> int:
    """How many bytes autograd keeps for the backward pass of ``module(x)``, parameters and input excluded.

    Counted with ``torch.autograd.graph.saved_tensors_hooks``: every distinct storage saved by the graph
    (including oneDNN's byte workspace), except the parameters' and the input's.
    """
    import torch

    skip = {p.untyped_storage().data_ptr() for p in module.parameters()} | {x.untyped_storage().data_ptr()}
    seen: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        s = t.untyped_storage()
        if s.data_ptr() not in skip:
            seen[s.data_ptr()] = s.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        module(x)
    return int(sum(seen.values()))


def _numpy_setting(kind: str, size: int, seq_len: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    cell = GRU(size, size, rng=seed) if kind == "gru" else LSTM(size, size, rng=seed)
    xs, dh = rng.normal(size=(seq_len, size)), rng.normal(size=(seq_len, size))
    return {"row": {"impl": "numpy", "cell": kind, "size": size, "batch": 1, "seq_len": seq_len,
                    "dtype": "float64", "parameters": cell.num_parameters(),
                    "saved_values_per_step_per_unit": numpy_trace_values(cell, xs) / (seq_len * size)},
            "forward": lambda: cell.forward(xs),
            "forward_backward": lambda: cell.backward(cell.forward(xs), dh)}


def _torch_setting(kind: str, size: int, seq_len: int, batch: int, seed: int, onednn: bool) -> dict[str, Any]:
    import torch

    torch.manual_seed(seed)
    module = (torch.nn.GRU if kind == "gru" else torch.nn.LSTM)(size, size)
    x = torch.randn(seq_len, batch, size)

    def forward() -> None:
        with torch.backends.mkldnn.flags(enabled=onednn), torch.no_grad():
            module(x)

    def forward_backward() -> None:
        module.zero_grad(set_to_none=True)
        with torch.backends.mkldnn.flags(enabled=onednn):
            out, _ = module(x)
            out.sum().backward()

    with torch.backends.mkldnn.flags(enabled=onednn):
        saved = torch_saved_bytes(module, x) / x.element_size()
    return {"row": {"impl": "torch" if onednn else "torch, oneDNN off", "cell": kind, "size": size,
                    "batch": batch, "seq_len": seq_len, "dtype": "float32",
                    "parameters": sum(p.numel() for p in module.parameters()),
                    "saved_values_per_step_per_unit": saved / (seq_len * size * batch)},
            "forward": forward, "forward_backward": forward_backward}


def run_benchmark(sizes: tuple[int, ...] = (16, 64, 256), seq_len: int = 50,
                  torch_batches: tuple[int, ...] = (1, 64), seed: int = 0,
                  budget_s: float = 0.5) -> dict[str, Any]:
    """Every measurement for GRU and LSTM at each size (input size = hidden size): the NumPy cells on one
    sequence, ``torch.nn`` on batches, with PyTorch's oneDNN kernels on and off. Returns the JSON record
    ``{"config", "rows"}`` (the script adds provenance). Torch runs on one thread.

    ``oneDNN`` (formerly MKL-DNN) is the library PyTorch calls for float32 LSTMs on CPU; GRUs do not use it,
    so "torch, oneDNN off" compares both cells in PyTorch's generic implementation.
    """
    import torch

    torch.set_num_threads(1)
    settings: list[tuple[str, int, Callable[[str], dict[str, Any]]]] = []
    for size in sizes:
        settings.append(("numpy", size, lambda k, s=size: _numpy_setting(k, s, seq_len, seed)))
        for onednn in (True, False):
            for batch in torch_batches:
                settings.append(("torch", size, lambda k, s=size, b=batch, o=onednn:
                                 _torch_setting(k, s, seq_len, b, seed, o)))
    rows = []
    for _, _, make in settings:
        both = {kind: make(kind) for kind in ("gru", "lstm")}
        for phase in ("forward", "forward_backward"):
            timed = time_interleaved({k: v[phase] for k, v in both.items()}, budget_s)
            for kind, t in timed.items():
                both[kind]["row"][f"{phase}_ms"] = t["min_ms"]
                both[kind]["row"][f"{phase}_ms_median"] = t["median_ms"]
                both[kind]["row"][f"{phase}_repeats"] = t["repeats"]
        rows.extend(both[k]["row"] for k in ("gru", "lstm"))
    config = {"sizes": list(sizes), "seq_len": seq_len, "torch_batches": list(torch_batches), "seed": seed,
              "budget_s_per_measurement": budget_s, "torch_threads": 1, "torch_dtype": "float32",
              "numpy_dtype": "float64", "input_size": "equal to the hidden size",
              "timing": "CPU time (process_time) of GRU and LSTM calls interleaved; minimum and median over "
                        "repeats after one warm-up; forward = inference without autograd; forward_backward = "
                        "forward, loss = sum of outputs, backward"}
    return {"config": config, "rows": rows}


def load_benchmark(path: Path | str = RESULT_PATH) -> dict[str, Any]:
    """The JSON record written by ``benchmarks/rnn_speed_memory.py``."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no benchmark at {path}; run: python benchmarks/rnn_speed_memory.py")
    return json.loads(path.read_text(encoding="utf-8"))


def ratio_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """LSTM / GRU ratios (parameters, forward time, forward+backward time, saved values) for every setting."""
    by_key = {(r["impl"], r["batch"], r["size"], r["cell"]): r for r in record["rows"]}
    out = []
    for (impl, batch, size, cell), lstm in sorted(by_key.items()):
        if cell != "lstm" or (impl, batch, size, "gru") not in by_key:
            continue
        gru = by_key[(impl, batch, size, "gru")]
        out.append({"impl": impl, "batch": batch, "size": size,
                    "parameters": lstm["parameters"] / gru["parameters"],
                    "forward_time": lstm["forward_ms"] / gru["forward_ms"],
                    "forward_backward_time": lstm["forward_backward_ms"] / gru["forward_backward_ms"],
                    "saved_values": (lstm["saved_values_per_step_per_unit"]
                                     / gru["saved_values_per_step_per_unit"])})
    return out


def plot_time_ratio(record: dict[str, Any]) -> go.Figure:
    """Plotly bar chart: LSTM time / GRU time (forward+backward) per size and implementation; 4/3 marked."""
    import plotly.graph_objects as go

    from lessons.pictures.palette import NEUTRAL, SEQUENCE

    rows = ratio_rows(record)
    fig = go.Figure()
    for j, (impl, batch) in enumerate(sorted({(r["impl"], r["batch"]) for r in rows})):
        sel = [r for r in rows if r["impl"] == impl and r["batch"] == batch]
        label = "NumPy cell, 1 sequence" if impl == "numpy" else f"{impl}, batch {batch}"
        fig.add_bar(x=[f"H = {r['size']}" for r in sel], y=[r["forward_backward_time"] for r in sel],
                    name=label, marker_color=SEQUENCE[j % len(SEQUENCE)],
                    hovertemplate="%{x}: LSTM/GRU = %{y:.2f}<extra>" + label + "</extra>")
    fig.add_hline(y=4 / 3, line_dash="dash", line_color=NEUTRAL["text"],
                  annotation_text="4/3 (ratio of weight-matrix sizes)", annotation_position="top left")
    fig.add_hline(y=1.0, line_color=NEUTRAL["muted"])
    fig.update_layout(barmode="group", yaxis_title="LSTM time / GRU time (forward + backward)",
                      xaxis_title="input size = hidden size", height=380, margin={"t": 30},
                      legend={"orientation": "h", "y": -0.25})
    return fig


def summary_numbers(record: dict[str, Any]) -> dict[str, float]:
    """The numbers the chapter quotes, by name: ranges of LSTM/GRU time ratios per implementation and the
    values saved for backward per step and hidden unit.

    Keys ``{impl}_fb_min``/``_max`` (forward+backward ratio over sizes and batches) with ``impl`` in
    ``numpy``, ``generic`` (torch, oneDNN off), ``onednn_b1`` and ``onednn_b64`` (torch defaults, batch 1 or
    64); ``generic_fb_largest`` (largest size, largest batch); ``saved_{impl}_{cell}`` (mean over settings).
    """
    ratios = ratio_rows(record)
    batches = sorted({r["batch"] for r in ratios if r["impl"] == "torch"})
    groups = {"numpy": [r for r in ratios if r["impl"] == "numpy"],
              "generic": [r for r in ratios if r["impl"] == "torch, oneDNN off"],
              "onednn_b1": [r for r in ratios if r["impl"] == "torch" and r["batch"] == batches[0]],
              "onednn_b64": [r for r in ratios if r["impl"] == "torch" and r["batch"] == batches[-1]]}
    out: dict[str, float] = {}
    for name, rows in groups.items():
        values = [r["forward_backward_time"] for r in rows]
        out[f"{name}_fb_min"], out[f"{name}_fb_max"] = min(values), max(values)
        f_values = [r["forward_time"] for r in rows]
        out[f"{name}_f_min"], out[f"{name}_f_max"] = min(f_values), max(f_values)
    largest = max(r["size"] for r in ratios)
    (big,) = [r for r in groups["generic"] if r["size"] == largest and r["batch"] == batches[-1]]
    out["generic_fb_largest"] = big["forward_backward_time"]
    out["largest_size"] = float(largest)
    impl_names = {"numpy": "numpy", "torch, oneDNN off": "generic", "torch": "onednn"}
    for impl, short in impl_names.items():
        for cell in ("gru", "lstm"):
            vals = [r["saved_values_per_step_per_unit"] for r in record["rows"]
                    if r["impl"] == impl and r["cell"] == cell]
            out[f"saved_{short}_{cell}"] = float(np.mean(vals))
            out[f"saved_{short}_{cell}_min"], out[f"saved_{short}_{cell}_max"] = min(vals), max(vals)
    return out
