"""The node's own identity: its row in the database and its signing key."""
