"""The gated recurrent unit (GRU) in NumPy: forward pass, step, backpropagation through time.

The book's convention is PyTorch's (``torch.nn.GRU``); one step with input ``x`` and previous state ``h``::

    r = sigmoid(W_xr x + W_hr h + b_r)              reset gate
    z = sigmoid(W_xz x + W_hz h + b_z)              update gate
    n = tanh(W_xn x + b_in + r * (W_hn h + b_hn))   candidate state
    h_new = (1 - z) * n + z * h                     z close to 1 keeps the old state

:func:`gru_step` is exactly these lines in code (the chapter shows it); :meth:`GRU.forward` calls it once per step.

Two other variants are implemented so that the book can compare them with the source article:

* ``"cho"`` (Cho et al., 2014): the reset gate acts *before* the recurrent product,
  ``n = tanh(W_xn x + W_hn (r * h) + b_n)``; same update ``h_new = (1 - z) * n + z * h``.
* ``"article"``: Cho's candidate with the source article's update ``h_new = (1 - z) * h + z * n``.
  This is the same family of models with the roles of ``z`` and ``1 - z`` exchanged: an article-style
  GRU with parameters ``(W_xz, W_hz, b_z)`` equals a Cho GRU with ``(-W_xz, -W_hz, -b_z)``, because
  ``1 - sigmoid(a) = sigmoid(-a)``. In the article's convention ``z`` close to 1 *replaces* the state.

Parameters (one named set per gate; ``H = hidden_size``, ``I = input_size``):

=========  ===================  =====================  =================================
gate        input weight (H, I)  recurrent weight (H,H)  bias (H,)
=========  ===================  =====================  =================================
reset r     ``W_xr``             ``W_hr``                ``b_r``
update z    ``W_xz``             ``W_hz``                ``b_z``
candidate   ``W_xn``             ``W_hn``                ``b_in`` and ``b_hn`` ("pytorch"), ``b_n`` (others)
=========  ===================  =====================  =================================

PyTorch keeps two biases for every gate (``bias_ih`` and ``bias_hh``). For ``r`` and ``z`` they are only
ever added, so one bias ``b_r = b_ir + b_hr`` is the same model; for the candidate, ``b_hn`` is multiplied by
``r`` and is genuinely a separate parameter, so the ``"pytorch"`` variant keeps ``b_in`` and ``b_hn``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lessons.checks import as_float_array, check_choice, check_size
from lessons.rnn._cell import Cell, one_step_xs, sigmoid
from lessons.rnn.trace import Trace

if TYPE_CHECKING:  # pragma: no cover
    import torch

VARIANTS = ("pytorch", "cho", "article")
_GATE_NAMES = ("W_xr", "W_hr", "b_r", "W_xz", "W_hz", "b_z", "W_xn", "W_hn")


# --------------------------------------------------------------------------------------------- one step
def gru_step(x: np.ndarray, h: np.ndarray, p: Any) -> dict[str, np.ndarray]:
    """One GRU step in PyTorch's convention: input ``x (I,)``, state ``h (H,)``, parameters ``p.W_xr ... p.b_hn``."""
    a_r = p.W_xr @ x + p.W_hr @ h + p.b_r                    # reset gate, before the sigmoid
    a_z = p.W_xz @ x + p.W_hz @ h + p.b_z                    # update gate, before the sigmoid
    r, z = sigmoid(a_r), sigmoid(a_z)
    a_n = p.W_xn @ x + p.b_in + r * (p.W_hn @ h + p.b_hn)    # candidate: r scales what the past contributes
    n = np.tanh(a_n)
    h_new = (1 - z) * n + z * h                              # z near 1 keeps the old state
    return {"r": r, "z": z, "n": n, "h": h_new, "pre_r": a_r, "pre_z": a_z, "pre_n": a_n}


def cho_gru_step(x: np.ndarray, h: np.ndarray, p: Any) -> dict[str, np.ndarray]:
    """:func:`gru_step` in Cho et al.'s convention: the reset gate acts *before* ``W_hn``; one bias ``p.b_n``."""
    a_r = p.W_xr @ x + p.W_hr @ h + p.b_r
    a_z = p.W_xz @ x + p.W_hz @ h + p.b_z
    r, z = sigmoid(a_r), sigmoid(a_z)
    a_n = p.W_xn @ x + p.W_hn @ (r * h) + p.b_n
    n = np.tanh(a_n)
    return {"r": r, "z": z, "n": n, "h": (1 - z) * n + z * h, "pre_r": a_r, "pre_z": a_z, "pre_n": a_n}


def article_gru_step(x: np.ndarray, h: np.ndarray, p: Any) -> dict[str, np.ndarray]:
    """Cho's candidate with the source article's update ``(1 - z) h + z n`` (z near 1 *replaces* the state)."""
    out = cho_gru_step(x, h, p)
    out["h"] = (1 - out["z"]) * h + out["z"] * out["n"]
    return out


#: The step function of each variant.
STEPS = {"pytorch": gru_step, "cho": cho_gru_step, "article": article_gru_step}


def trace_from_steps(xs: np.ndarray, h0: np.ndarray, rows: list[dict[str, np.ndarray]],
                     gate_names: tuple[str, ...], c0: np.ndarray | None = None, cell: str = "") -> Trace:
    """Stack the per-step dicts of a step function (keys ``h``, [``c``], gate names, ``pre_`` + gate names).

    ``cell`` names the cell that made the steps (:meth:`Cell.kind`), so that another cell's ``backward`` refuses
    the trace."""
    H = h0.shape[0]

    def stack(key: str) -> np.ndarray:
        return np.array([row[key] for row in rows]).reshape(len(rows), H)

    return Trace(xs=xs, h0=h0.copy(), h=stack("h"), gates={k: stack(k) for k in gate_names},
                 pre={k: stack("pre_" + k) for k in gate_names},
                 c=None if c0 is None else stack("c"), c0=None if c0 is None else c0.copy(), cell=cell)


class GRU(Cell):
    """A single-layer GRU cell over one sequence, float64.

    ``GRU(input_size, hidden_size, variant="pytorch", rng=None)``; ``rng`` is ``None``, an int seed or a
    ``np.random.Generator``; every parameter starts uniform in ``(-1/sqrt(H), 1/sqrt(H))`` like PyTorch.
    See the module docstring for the equations and the parameter names.
    """

    def __init__(self, input_size: int, hidden_size: int, variant: str = "pytorch", rng: Any = None) -> None:
        super().__init__(input_size, hidden_size)
        self.variant = check_choice("variant", variant, VARIANTS)
        self._names = _GATE_NAMES + (("b_in", "b_hn") if variant == "pytorch" else ("b_n",))
        self._init_parameters(rng)

    def _repr_extra(self) -> str:
        return f", variant={self.variant!r}"

    # ------------------------------------------------------------------ forward
    def forward(self, xs: Any, h0: Any = None) -> Trace:
        """Run the GRU over ``xs: (T, input_size)`` from ``h0: (hidden_size,)`` (zeros if None).

        Each step is one call of :func:`gru_step` (or its ``"cho"``/``"article"`` twin). Returns a :class:`Trace`
        with ``h (T, H)``, ``gates["r"], gates["z"], gates["n"]`` and the matching pre-activations in ``pre``
        (each ``(T, H)``).
        """
        xs = self._check_xs(xs)
        h0_arr = self._check_state("h0", h0)
        step, h, rows = STEPS[self.variant], h0_arr, []
        for x in xs:
            rows.append(step(x, h, self))
            h = rows[-1]["h"]
        trace = trace_from_steps(xs, h0_arr, rows, gate_names=("r", "z", "n"), cell=self.kind())
        # for backward: what W_hn produces ("pytorch": W_hn h + b_hn) or multiplies (others: r * h)
        if self.variant == "pytorch":
            trace.cache["hn"] = np.array([self.W_hn @ h + self.b_hn for h in trace.h_prev]).reshape(trace.T, -1)
        else:
            trace.cache["hn"] = trace.gates["r"] * trace.h_prev
        return trace

    def step(self, x: Any, h: Any) -> dict[str, np.ndarray]:
        """One step from state ``h: (H,)`` with input ``x: (I,)`` (a number if ``I == 1``).

        Returns a dict of 1-D arrays: ``"x", "h_prev", "h", "r", "z", "n", "pre_r", "pre_z", "pre_n"``.
        """
        return self.forward(one_step_xs(self, x), h).at(0)

    # ------------------------------------------------------------------ backward
    def backward(self, trace: Trace, dh: Any) -> dict[str, np.ndarray]:
        """Backpropagation through time.

        ``dh: (T, H)`` holds dLoss/dh_t for every step (zeros where the loss does not look at h_t).
        Returns dLoss/d(parameter) for every parameter name, plus ``"xs"`` (T, I) and ``"h0"`` (H,).
        """
        self._check_trace(trace)
        dh = self._check_dh(dh, trace.T)
        grads = {name: np.zeros_like(p) for name, p in self.parameters().items()}
        dxs = np.zeros_like(trace.xs)
        h_prev_all = trace.h_prev
        carry = np.zeros(self.hidden_size)  # dLoss/dh_t flowing back from step t+1
        for t in reversed(range(trace.T)):
            x, h_prev = trace.xs[t], h_prev_all[t]
            r, z, n = trace.gates["r"][t], trace.gates["z"][t], trace.gates["n"][t]
            hn = trace.cache["hn"][t]
            d = dh[t] + carry
            # update: h = (1 - z) n + z h_prev   (article: h = (1 - z) h_prev + z n)
            if self.variant == "article":
                dn, dz, dh_prev = d * z, d * (n - h_prev), d * (1 - z)
            else:
                dn, dz, dh_prev = d * (1 - z), d * (h_prev - n), d * z
            da_n = dn * (1 - n**2)
            grads["W_xn"] += np.outer(da_n, x)
            dx = self.W_xn.T @ da_n
            if self.variant == "pytorch":  # a_n = W_xn x + b_in + r * (W_hn h_prev + b_hn)
                grads["b_in"] += da_n
                dr = da_n * hn
                dhn = da_n * r
                grads["W_hn"] += np.outer(dhn, h_prev)
                grads["b_hn"] += dhn
                dh_prev += self.W_hn.T @ dhn
            else:  # a_n = W_xn x + W_hn (r * h_prev) + b_n
                grads["b_n"] += da_n
                grads["W_hn"] += np.outer(da_n, hn)
                drh = self.W_hn.T @ da_n
                dr = drh * h_prev
                dh_prev += drh * r
            da_r = dr * r * (1 - r)
            da_z = dz * z * (1 - z)
            for g, da in (("r", da_r), ("z", da_z)):
                grads["W_x" + g] += np.outer(da, x)
                grads["W_h" + g] += np.outer(da, h_prev)
                grads["b_" + g] += da
                dx += getattr(self, "W_x" + g).T @ da
                dh_prev += getattr(self, "W_h" + g).T @ da
            dxs[t] = dx
            carry = dh_prev
        grads["xs"] = dxs
        grads["h0"] = carry
        return grads

    # ------------------------------------------------------------------ torch
    @classmethod
    def from_torch(cls, module: torch.nn.GRU, variant: str = "pytorch") -> GRU:
        """The NumPy twin of a single-layer, unidirectional ``torch.nn.GRU`` (``batch_first`` either way).

        Only the ``"pytorch"`` variant computes what ``torch.nn.GRU`` computes; any other raises.
        """
        import torch

        if variant != "pytorch":
            raise ValueError(f"variant must be 'pytorch' to copy a torch.nn.GRU (torch applies the reset "
                             f"gate after the recurrent product), got {variant!r}")
        if not isinstance(module, torch.nn.GRU):
            raise ValueError(f"module must be a torch.nn.GRU, got {type(module).__name__}")
        _check_torch_shape(module)
        H = module.hidden_size
        W_ih = module.weight_ih_l0.detach().double().numpy()
        W_hh = module.weight_hh_l0.detach().double().numpy()
        if module.bias:
            b_ih = module.bias_ih_l0.detach().double().numpy()
            b_hh = module.bias_hh_l0.detach().double().numpy()
        else:
            b_ih = b_hh = np.zeros(3 * H)
        cell = cls(module.input_size, H, variant="pytorch", rng=0)
        rows = {"r": slice(0, H), "z": slice(H, 2 * H), "n": slice(2 * H, 3 * H)}
        for g in ("r", "z", "n"):
            setattr(cell, "W_x" + g, W_ih[rows[g]].copy())
            setattr(cell, "W_h" + g, W_hh[rows[g]].copy())
        cell.b_r = b_ih[rows["r"]] + b_hh[rows["r"]]
        cell.b_z = b_ih[rows["z"]] + b_hh[rows["z"]]
        cell.b_in = b_ih[rows["n"]].copy()
        cell.b_hn = b_hh[rows["n"]].copy()
        return cell

    def to_torch(self, batch_first: bool = False) -> torch.nn.GRU:
        """An equivalent float64 ``torch.nn.GRU``.

        ``b_r``, ``b_z``, ``b_in`` go to ``bias_ih``; ``bias_hh`` holds ``0, 0, b_hn``.
        """
        import torch

        if self.variant != "pytorch":
            raise ValueError(f"variant must be 'pytorch' for to_torch (torch.nn.GRU has no other form), "
                             f"got {self.variant!r}")
        H = self.hidden_size
        module = torch.nn.GRU(self.input_size, H, batch_first=batch_first, dtype=torch.float64)
        zeros = np.zeros(H)
        with torch.no_grad():
            module.weight_ih_l0.copy_(torch.from_numpy(np.vstack([self.W_xr, self.W_xz, self.W_xn])))
            module.weight_hh_l0.copy_(torch.from_numpy(np.vstack([self.W_hr, self.W_hz, self.W_hn])))
            module.bias_ih_l0.copy_(torch.from_numpy(np.concatenate([self.b_r, self.b_z, self.b_in])))
            module.bias_hh_l0.copy_(torch.from_numpy(np.concatenate([zeros, zeros, self.b_hn])))
        return module


def _check_torch_shape(module: Any) -> None:
    """Only what the NumPy cells model: one layer, one direction, no projection."""
    if module.num_layers != 1:
        raise ValueError(f"module.num_layers must be 1, got {module.num_layers}")
    if module.bidirectional:
        raise ValueError("module.bidirectional must be False, got True")
    if getattr(module, "proj_size", 0):
        raise ValueError(f"module.proj_size must be 0, got {module.proj_size}")
    for name, p in module.named_parameters():
        bad = int((~p.detach().isfinite()).sum())
        if bad:
            raise ValueError(f"module.{name} must be finite, got {bad} NaN or infinite value(s)")


def convention_gaps(xs: Any, hidden_size: int = 6, seed: int = 0) -> dict[str, float]:
    """How far apart the three GRU conventions are on one sequence ``xs: (T, input_size)``.

    Each pair of cells is built from the same random draws (``rng=seed``) and compared by the largest absolute
    difference of their states ``h: (T, hidden_size)``:

    - ``"flip"``: ``"article"`` against ``"cho"`` with the update gate's parameters negated, the same model
      because ``1 - sigmoid(a) = sigmoid(-a)`` (zero up to rounding);
    - ``"reset"``: ``"cho"`` against ``"pytorch"`` with the same weights (``b_in = b_n``, ``b_hn = 0``): the reset
      gate before or after the recurrent product ``W_hn`` (not zero in general);
    - ``"diag"``: the same pair once ``W_hn`` is diagonal (zero up to rounding).
    """
    xs = as_float_array("xs", xs, (None, None))
    size = check_size("hidden_size", hidden_size)
    article = GRU(xs.shape[1], size, variant="article", rng=seed)
    cho = GRU(xs.shape[1], size, variant="cho", rng=seed)
    cho.set_parameters(W_xz=-article.W_xz, W_hz=-article.W_hz, b_z=-article.b_z)
    gaps = {"flip": _state_gap(article, cho, xs)}
    cho = GRU(xs.shape[1], size, variant="cho", rng=seed)
    pt = GRU(xs.shape[1], size, variant="pytorch", rng=seed)
    pt.set_parameters(b_in=cho.b_n, b_hn=np.zeros(size))
    gaps["reset"] = _state_gap(cho, pt, xs)
    diag = np.diag(np.diag(cho.W_hn))
    cho.set_parameters(W_hn=diag)
    pt.set_parameters(W_hn=diag)
    gaps["diag"] = _state_gap(cho, pt, xs)
    return gaps


def _state_gap(a: GRU, b: GRU, xs: np.ndarray) -> float:
    """Largest absolute difference between the states of two cells over ``xs: (T, input_size)``."""
    return float(np.max(np.abs(a.forward(xs).h - b.forward(xs).h)))
