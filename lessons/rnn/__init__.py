"""NumPy recurrent cells, the teaching core of the book: GRU, LSTM and the vanilla RNN.

Each cell keeps one named set of parameters per gate, runs ``forward(xs) -> Trace``, a single ``step``,
and ``backward(trace, dh)`` (backpropagation through time written out), and converts to and from the
matching ``torch.nn`` module. :mod:`lessons.rnn.gradcheck` checks every gradient by finite differences.
"""

from lessons.mathfn import sigmoid
from lessons.rnn import gradcheck
from lessons.rnn.gru import GRU
from lessons.rnn.lstm import LSTM
from lessons.rnn.trace import Trace
from lessons.rnn.vanilla import RNN

__all__ = ["GRU", "LSTM", "RNN", "Trace", "gradcheck", "sigmoid"]
