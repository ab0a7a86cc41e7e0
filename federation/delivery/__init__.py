"""Outbound delivery as a library: the retry schedule, how a response is judged, and
sending one signed POST. The node owns the durable log and the per-peer state."""
