"""Outgoing activities: the append-only log, per-peer delivery, the /outbox collection
peers read to catch up, and pulling from theirs."""
