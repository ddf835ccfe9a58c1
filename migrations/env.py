"""Alembic environment: runs migrations on the engine the app hands over."""

from alembic import context

from queries.db import make_engine
from queries.schema import metadata

engine = context.config.attributes.get("engine") or make_engine()

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
    )
    with context.begin_transaction():
        context.run_migrations()
