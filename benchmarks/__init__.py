"""Benchmarks that build a large synthetic database and print timings (not tests)."""
