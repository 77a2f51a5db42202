"""The vanilla (Elman) recurrent network in NumPy, the cell whose gradients vanish.

For one step: ``h_new = phi(W_xh x + W_hh h + b_h)`` with ``phi = tanh`` (default) or ``relu``, the
equations of ``torch.nn.RNN`` (whose two biases ``bias_ih + bias_hh`` are one bias ``b_h`` here).

The Jacobian of one step, ``dh_t/dh_{t-1} = diag(phi'(a_t)) W_hh``, is what multiplies along a sequence
during backpropagation; :meth:`RNN.jacobians` returns it for every step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lessons.checks import check_choice
from lessons.rnn._cell import Cell, one_step_xs
from lessons.rnn.gru import _check_torch_shape
from lessons.rnn.trace import Trace

if TYPE_CHECKING:  # pragma: no cover
    import torch

NONLINEARITIES = ("tanh", "relu")


class RNN(Cell):
    """A single-layer Elman RNN over one sequence, float64.

    Parameters ``W_xh (H, I)``, ``W_hh (H, H)``, ``b_h (H,)``; ``nonlinearity`` is ``"tanh"`` or ``"relu"``.
    """

    _names = ("W_xh", "W_hh", "b_h")

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh",
                 rng: Any = None) -> None:
        super().__init__(input_size, hidden_size)
        self.nonlinearity = check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
        self._init_parameters(rng)

    def _repr_extra(self) -> str:
        return f", nonlinearity={self.nonlinearity!r}"

    def _phi(self, a: np.ndarray) -> np.ndarray:
        return np.tanh(a) if self.nonlinearity == "tanh" else np.maximum(a, 0.0)

    def _dphi(self, a: np.ndarray, h: np.ndarray) -> np.ndarray:
        """phi'(a), written with the output h = phi(a) for tanh (relu'(0) taken as 0, like torch)."""
        return 1 - h**2 if self.nonlinearity == "tanh" else (a > 0).astype(np.float64)

    def forward(self, xs: Any, h0: Any = None) -> Trace:
        """Run over ``xs: (T, input_size)`` from ``h0: (hidden_size,)``.

        ``trace.h`` is (T, H); ``trace.pre["h"]`` (T, H) holds the arguments of phi.
        """
        xs = self._check_xs(xs)
        h = self._check_state("h0", h0)
        T, H = xs.shape[0], self.hidden_size
        hs, pre = np.zeros((T, H)), np.zeros((T, H))
        h0_arr = h.copy()
        for t in range(T):
            a = self.W_xh @ xs[t] + self.W_hh @ h + self.b_h
            h = self._phi(a)
            hs[t], pre[t] = h, a
        return Trace(xs=xs, h0=h0_arr, h=hs, gates={}, pre={"h": pre}, cell=self.kind())

    def step(self, x: Any, h: Any) -> dict[str, np.ndarray]:
        """One step; returns ``{"x", "h_prev", "h", "pre_h"}`` as 1-D arrays."""
        return self.forward(one_step_xs(self, x), h).at(0)

    def backward(self, trace: Trace, dh: Any) -> dict[str, np.ndarray]:
        """BPTT with ``dh: (T, H)`` = dLoss/dh_t; gradients for ``W_xh, W_hh, b_h``, ``"xs"`` and ``"h0"``."""
        self._check_trace(trace)
        dh = self._check_dh(dh, trace.T)
        grads = {name: np.zeros_like(p) for name, p in self.parameters().items()}
        dxs = np.zeros_like(trace.xs)
        h_prev_all = trace.h_prev
        carry = np.zeros(self.hidden_size)
        for t in reversed(range(trace.T)):
            da = (dh[t] + carry) * self._dphi(trace.pre["h"][t], trace.h[t])
            grads["W_xh"] += np.outer(da, trace.xs[t])
            grads["W_hh"] += np.outer(da, h_prev_all[t])
            grads["b_h"] += da
            dxs[t] = self.W_xh.T @ da
            carry = self.W_hh.T @ da
        grads["xs"], grads["h0"] = dxs, carry
        return grads

    def jacobians(self, trace: Trace) -> np.ndarray:
        """(T, H, H): ``J[t] = dh_{t+1}/dh_t = diag(phi'(a_{t+1})) W_hh`` for every step of the trace."""
        d = self._dphi(trace.pre["h"], trace.h)  # (T, H)
        return d[:, :, None] * self.W_hh[None, :, :]

    @classmethod
    def from_torch(cls, module: torch.nn.RNN) -> RNN:
        """The NumPy twin of a single-layer, unidirectional ``torch.nn.RNN``."""
        import torch

        if not isinstance(module, torch.nn.RNN):
            raise ValueError(f"module must be a torch.nn.RNN, got {type(module).__name__}")
        _check_torch_shape(module)
        cell = cls(module.input_size, module.hidden_size, nonlinearity=module.nonlinearity, rng=0)
        cell.W_xh = module.weight_ih_l0.detach().double().numpy().copy()
        cell.W_hh = module.weight_hh_l0.detach().double().numpy().copy()
        if module.bias:
            cell.b_h = (module.bias_ih_l0 + module.bias_hh_l0).detach().double().numpy().copy()
        else:
            cell.b_h = np.zeros(module.hidden_size)
        return cell

    def to_torch(self, batch_first: bool = False) -> torch.nn.RNN:
        """An equivalent float64 ``torch.nn.RNN``."""
        import torch

        module = torch.nn.RNN(self.input_size, self.hidden_size, nonlinearity=self.nonlinearity,
                              batch_first=batch_first, dtype=torch.float64)
        with torch.no_grad():
            module.weight_ih_l0.copy_(torch.from_numpy(self.W_xh))
            module.weight_hh_l0.copy_(torch.from_numpy(self.W_hh))
            module.bias_ih_l0.copy_(torch.from_numpy(self.b_h))
            module.bias_hh_l0.zero_()
        return module
