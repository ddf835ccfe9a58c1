"""The data layer: schema, importers and query functions returning tidy DataFrames.

Nothing here imports Dash; every query function takes a SQLAlchemy engine first.
"""
