"""Alembic environment: formcheck runs migrations on a connection it opened itself
(formcheck.storage.database), never from an alembic.ini."""

from __future__ import annotations

from alembic import context

from formcheck.storage.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
