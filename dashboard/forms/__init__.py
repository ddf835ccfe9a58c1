"""Forms and the checks behind them: administration, recording and uploads."""
