"""HTTP plumbing shared by every route: middlewares, and later templates and static files."""
