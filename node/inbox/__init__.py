"""Incoming activities: the shared inbox, durable storage, and the worker that applies them."""
