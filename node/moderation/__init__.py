"""Moderation: reports (local, and Flag to the origin node), hiding and removing posts,
revealing who is behind a pseudonym (admins, audited), and blocking a peer node."""
