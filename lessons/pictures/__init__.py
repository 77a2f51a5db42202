"""Pure figure functions: data in, a matplotlib or plotly figure out. One module per topic.

Shared by all of them: :mod:`~lessons.pictures.palette` (every colour, defined once),
:mod:`~lessons.pictures.animation` (every plotly slider) and :mod:`~lessons.pictures.plotly_book` (how plotly
figures reach the HTML book).
"""

from lessons.pictures import plotly_book as _plotly_book

_plotly_book.use_book_template()
