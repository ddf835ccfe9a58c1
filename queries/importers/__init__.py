"""Importers: validate a whole input first, then store it in one transaction."""
