"""Documents built from the chart layer: the board report, the tasking pack, CSVs."""
