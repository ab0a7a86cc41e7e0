"""Full-text search over cases and replies (SQLite FTS5, PostgreSQL tsvector)."""
