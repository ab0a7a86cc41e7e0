"""Alembic environment: runs on the connection node.db.migrate passes in."""

from alembic import context

from node.db.schema import metadata
from node.search.tables import include_name

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `curbside db upgrade DIR`, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=metadata(),
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # The full-text index (virtual tables, tsvector tables, triggers) is built by
    # a migration in raw SQL the models cannot express: never autogenerate a drop.
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
