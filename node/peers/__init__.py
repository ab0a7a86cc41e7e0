"""Peer nodes this node's operator chose to federate with (the allowlist)."""
