"""Documents: the board report, the tasking pack, PDF drawing, CSV output and downloads."""
