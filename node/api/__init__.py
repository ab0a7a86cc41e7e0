"""JSON API plumbing shared by the feature folders: problems, routing, bodies, OpenAPI."""
