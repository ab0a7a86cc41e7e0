"""Storage: SQLAlchemy 2 async models, the engine wrapper and alembic migrations."""
