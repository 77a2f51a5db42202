"""Pure figure functions: data in, a matplotlib or plotly figure out. One module per topic.

Shared by all of them: :mod:`~lessons.pictures.palette` (every colour, defined once),
:mod:`~lessons.pictures.animation` (every plotly slider), :mod:`~lessons.pictures.plotly_book` (how figures reach
the HTML book: the book's plotly template, SVG matplotlib) and :mod:`~lessons.pictures.tables` (how tables look).
"""

from lessons.pictures import plotly_book as _plotly_book

_plotly_book.use_book_template()
