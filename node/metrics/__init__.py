"""Crowdsourcing figures, as SERMO reports them, for this node and the network."""
