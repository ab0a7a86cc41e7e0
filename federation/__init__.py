"""Curbside's federation protocol as a library.

Signatures, JSON-LD, activity vocabulary, the inbound pipeline and outbound
delivery. It never imports ``node``: the node fills in the registries this
package exposes.
"""
