"""Member verification on this node: the imported licence register, claims, reviews.

The pure rules (register readers, name matching, the state graph, re-import
decisions) live in the ``verification`` package; this folder stores and applies them.
"""
