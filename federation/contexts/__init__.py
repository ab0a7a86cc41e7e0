"""JSON-LD contexts bundled with Curbside, read by :mod:`federation.jsonld`.

These are data files, not code. The W3C/W3ID contexts are byte-for-byte copies
of the published documents; ``curbside-v1.jsonld`` is Curbside's own vocabulary
(namespace ``https://w3id.org/curbside/ns#``, served as
``https://w3id.org/curbside/v1``). Changing a published context changes what
every peer's documents mean: add terms, never repurpose one.
"""
