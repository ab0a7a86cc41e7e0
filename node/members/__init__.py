"""Members of this node: accounts, roles, API tokens, the /api/v1/me endpoint."""
