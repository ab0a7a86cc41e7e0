"""The inbound pipeline (authenticate, parse, check, dispatch) and the handler registry."""
