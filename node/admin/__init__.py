"""The moderators' and administrators' pages: peers, the verification review queue,
members' status, reports, de-identification flags, pseudonym reveals and the audit log.

The pages decide nothing themselves: they call the services and actions the JSON API
and the CLI use (node/peers, node/verification, node/moderation), so a rule holds the
same everywhere.
"""
