"""Drawing: plotly figures, server-drawn first frames, maps, sparklines, formatting and sentences."""
