"""How the CLI fails: one line on stderr, a non-zero exit, no traceback."""

from __future__ import annotations


class CliError(Exception):
    """Bad input or a state the command cannot work with; the message is the one line."""
