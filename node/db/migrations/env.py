"""Alembic environment: runs on the connection node.db.migrate passes in."""

from alembic import context

from node.db.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `curbside db upgrade DIR`, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=metadata(),
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
