"""Lesson code of *Long & Short*: GRU and LSTM models of users' long- and short-term interests.

Every figure, table and number in the book comes from a function in this package.
"""

__version__ = "0.1.0"
