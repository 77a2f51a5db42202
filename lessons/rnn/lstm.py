"""The long short-term memory cell (LSTM, with forget gate) in NumPy: forward, step, BPTT.

For one step with input ``x``, previous hidden state ``h`` and previous cell state ``c``
(the equations of ``torch.nn.LSTM``; Hochreiter & Schmidhuber 1997, forget gate by Gers et al. 2000)::

    i = sigmoid(W_xi x + W_hi h + b_i)    input gate
    f = sigmoid(W_xf x + W_hf h + b_f)    forget gate
    g = tanh(W_xg x + W_hg h + b_g)       candidate cell values
    o = sigmoid(W_xo x + W_ho h + b_o)    output gate
    c_new = f * c + i * g
    h_new = o * tanh(c_new)

Every gate uses the *current* input and the *previous* hidden state, and the new cell state feeds the
new hidden state at the same step. :func:`lstm_step` is exactly these lines in code (the chapter shows it);
:meth:`LSTM.forward` calls it once per step.

Parameters (``H = hidden_size``, ``I = input_size``): for each gate ``k`` in ``i, f, g, o`` an input weight
``W_xk (H, I)``, a recurrent weight ``W_hk (H, H)`` and **one** bias ``b_k (H,)``. PyTorch stores two biases
per gate (``bias_ih`` and ``bias_hh``) that are only ever added, so ``b_k = b_ik + b_hk`` is the same model
with ``4H`` fewer parameters: :meth:`LSTM.from_torch` adds them, :meth:`LSTM.to_torch` puts ``b_k`` in
``bias_ih`` and zeros in ``bias_hh``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lessons.rnn._cell import Cell, one_step_xs, sigmoid
from lessons.rnn.gru import _check_torch_shape, trace_from_steps
from lessons.rnn.trace import Trace

if TYPE_CHECKING:  # pragma: no cover
    import torch

GATES = ("i", "f", "g", "o")  # PyTorch's row order in weight_ih / weight_hh


def lstm_step(x: np.ndarray, h: np.ndarray, c: np.ndarray, p: Any) -> dict[str, np.ndarray]:
    """One LSTM step: input ``x (I,)``, states ``h, c (H,)``, parameters ``p.W_xi ... p.b_o``."""
    a_i = p.W_xi @ x + p.W_hi @ h + p.b_i      # input gate, before the sigmoid
    a_f = p.W_xf @ x + p.W_hf @ h + p.b_f      # forget gate
    a_g = p.W_xg @ x + p.W_hg @ h + p.b_g      # candidate values, before the tanh
    a_o = p.W_xo @ x + p.W_ho @ h + p.b_o      # output gate
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c_new = f * c + i * g                      # keep part of the memory, write part of the candidate
    h_new = o * np.tanh(c_new)                 # show part of the memory
    return {"i": i, "f": f, "g": g, "o": o, "c": c_new, "h": h_new,
            "pre_i": a_i, "pre_f": a_f, "pre_g": a_g, "pre_o": a_o}


class LSTM(Cell):
    """A single-layer LSTM cell over one sequence, float64.

    ``LSTM(input_size, hidden_size, rng=None)``; parameters ``W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xg, W_hg,
    b_g, W_xo, W_ho, b_o``, all uniform in ``(-1/sqrt(H), 1/sqrt(H))`` at the start, like PyTorch.
    """

    _names = tuple(f"{p}{k}" for k in GATES for p in ("W_x", "W_h", "b_"))

    def __init__(self, input_size: int, hidden_size: int, rng: Any = None) -> None:
        super().__init__(input_size, hidden_size)
        self._init_parameters(rng)

    def forward(self, xs: Any, h0: Any = None, c0: Any = None) -> Trace:
        """Run the LSTM over ``xs: (T, input_size)`` from ``h0, c0: (hidden_size,)`` (zeros if None).

        Each step is one call of :func:`lstm_step`. Returns a :class:`Trace` with ``h``, ``c`` (T, H),
        ``gates["i"], ["f"], ["g"], ["o"]`` and ``pre``.
        """
        xs = self._check_xs(xs)
        h0_arr, c0_arr = self._check_state("h0", h0), self._check_state("c0", c0)
        h, c, rows = h0_arr, c0_arr, []
        for x in xs:
            rows.append(lstm_step(x, h, c, self))
            h, c = rows[-1]["h"], rows[-1]["c"]
        return trace_from_steps(xs, h0_arr, rows, gate_names=GATES, c0=c0_arr, cell=self.kind())

    def step(self, x: Any, h: Any, c: Any) -> dict[str, np.ndarray]:
        """One step from ``h, c: (H,)`` with input ``x: (I,)`` (a number if ``I == 1``).

        Returns a dict of 1-D arrays: ``"x", "h_prev", "c_prev", "h", "c", "i", "f", "g", "o"`` and
        ``"pre_i"`` ... ``"pre_o"``.
        """
        return self.forward(one_step_xs(self, x), h, c).at(0)

    def backward(self, trace: Trace, dh: Any, dc: Any = None) -> dict[str, np.ndarray]:
        """Backpropagation through time.

        ``dh: (T, H)`` = dLoss/dh_t for every step; optional ``dc: (T, H)`` = dLoss/dc_t where the loss
        reads the cell state directly. Returns gradients for every parameter name plus ``"xs"`` (T, I),
        ``"h0"`` and ``"c0"`` (H,).
        """
        self._check_trace(trace)
        T, H = trace.T, self.hidden_size
        dh = self._check_dh(dh, T)
        dc_direct = np.zeros((T, H)) if dc is None else self._check_dh_named("dc", dc, T)
        grads = {name: np.zeros_like(p) for name, p in self.parameters().items()}
        dxs = np.zeros_like(trace.xs)
        h_prev_all, c_prev_all = trace.h_prev, trace.c_prev
        dh_carry, dc_carry = np.zeros(H), np.zeros(H)
        for t in reversed(range(T)):
            x, h_prev, c_prev, c = trace.xs[t], h_prev_all[t], c_prev_all[t], trace.c[t]
            i, f, g, o = (trace.gates[k][t] for k in GATES)
            d_h = dh[t] + dh_carry
            tc = np.tanh(c)
            do = d_h * tc
            d_c = dc_direct[t] + dc_carry + d_h * o * (1 - tc**2)
            di, df, dg = d_c * g, d_c * c_prev, d_c * i
            da = {"i": di * i * (1 - i), "f": df * f * (1 - f), "g": dg * (1 - g**2), "o": do * o * (1 - o)}
            dx, dh_prev = np.zeros_like(x), np.zeros(H)
            for k in GATES:
                grads["W_x" + k] += np.outer(da[k], x)
                grads["W_h" + k] += np.outer(da[k], h_prev)
                grads["b_" + k] += da[k]
                dx += getattr(self, "W_x" + k).T @ da[k]
                dh_prev += getattr(self, "W_h" + k).T @ da[k]
            dxs[t] = dx
            dh_carry, dc_carry = dh_prev, d_c * f
        grads["xs"], grads["h0"], grads["c0"] = dxs, dh_carry, dc_carry
        return grads

    def _check_dh_named(self, name: str, value: Any, T: int) -> np.ndarray:
        from lessons.checks import as_float_array

        return as_float_array(name, value, (T, self.hidden_size))

    @classmethod
    def from_torch(cls, module: torch.nn.LSTM) -> LSTM:
        """The NumPy twin of a single-layer, unidirectional ``torch.nn.LSTM`` (``batch_first`` either way)."""
        import torch

        if not isinstance(module, torch.nn.LSTM):
            raise ValueError(f"module must be a torch.nn.LSTM, got {type(module).__name__}")
        _check_torch_shape(module)
        H = module.hidden_size
        W_ih = module.weight_ih_l0.detach().double().numpy()
        W_hh = module.weight_hh_l0.detach().double().numpy()
        if module.bias:
            b = module.bias_ih_l0.detach().double().numpy() + module.bias_hh_l0.detach().double().numpy()
        else:
            b = np.zeros(4 * H)
        cell = cls(module.input_size, H, rng=0)
        for j, k in enumerate(GATES):
            rows = slice(j * H, (j + 1) * H)
            setattr(cell, "W_x" + k, W_ih[rows].copy())
            setattr(cell, "W_h" + k, W_hh[rows].copy())
            setattr(cell, "b_" + k, b[rows].copy())
        return cell

    def to_torch(self, batch_first: bool = False) -> torch.nn.LSTM:
        """An equivalent float64 ``torch.nn.LSTM`` (biases in ``bias_ih``, zeros in ``bias_hh``)."""
        import torch

        module = torch.nn.LSTM(self.input_size, self.hidden_size, batch_first=batch_first,
                               dtype=torch.float64)
        p = self.parameters()
        with torch.no_grad():
            module.weight_ih_l0.copy_(torch.from_numpy(np.vstack([p["W_x" + k] for k in GATES])))
            module.weight_hh_l0.copy_(torch.from_numpy(np.vstack([p["W_h" + k] for k in GATES])))
            module.bias_ih_l0.copy_(torch.from_numpy(np.concatenate([p["b_" + k] for k in GATES])))
            module.bias_hh_l0.zero_()
        return module
