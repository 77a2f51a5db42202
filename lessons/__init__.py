"""Lesson code of *Long & Short*: GRU and LSTM models of users' long- and short-term interests.

Every figure, table and number in the book comes from a function in this package.
"""

import os as _os

__version__ = "0.1.0"

# The book build asks for its offline plotly renderer through this variable (see lessons/pictures/plotly_book.py).
if _os.environ.get("LESSONS_PLOTLY_RENDERER") == "book":
    from lessons.pictures import plotly_book as _plotly_book  # noqa: F401  (registers and activates the renderer)
