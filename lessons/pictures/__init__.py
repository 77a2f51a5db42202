"""Pure figure functions: data in, a matplotlib or plotly figure out. One module per topic."""
