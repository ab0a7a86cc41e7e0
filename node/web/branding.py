"""The product name beside a node's name, said once.

A node's name defaults to "Curbside <country>" (node/config.py) but an operator may
choose any name. Where the product name is shown next to it (the page header, the
issuer an authenticator app lists), a name that already starts with it would say it
twice: "Curbside Curbside United States".
"""

from __future__ import annotations

PRODUCT = "Curbside"


def without_product(name: str) -> str:
    """The node's name after a leading product name ("United States"), else all of it."""
    head, _, rest = name.partition(" ")
    if head.casefold() == PRODUCT.casefold():
        return rest.strip()
    return name


def with_product(name: str) -> str:
    """The node's name led by the product name once: "Curbside United States"."""
    place = without_product(name)
    return f"{PRODUCT} {place}" if place else PRODUCT
