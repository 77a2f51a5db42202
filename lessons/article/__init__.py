"""The source article, checked: its worked GRU example in every reading, its errata, its LSTM example and its
code listing.

* :mod:`lessons.article.gru_example`: the example's numbers and its four readings, step by step;
* :mod:`lessons.article.errata`: every printed number the stated parameters contradict, with a proof;
* :mod:`lessons.article.lstm_example`: the same numbers in an LSTM, and the article's shifted time indices;
* :mod:`lessons.article.worked_example`: the chapter's entry point (``key_numbers``, the CLI
  ``python -m lessons.article.worked_example --json``);
* :mod:`lessons.article.listing`: the article's Keras listing, checked statically.

Figures of the example are in :mod:`lessons.pictures.article_plots`.
"""
