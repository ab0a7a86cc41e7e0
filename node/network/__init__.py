"""The node's federation runtime: HTTP client, inbound pipeline, workers, peer auth."""
