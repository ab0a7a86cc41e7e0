"""De-identification guard for case text and images, run before anything is shared.

A case that leaves a node cannot be fully recalled, so identifying details are caught
before a case or reply is posted. Text: :func:`scan` returns spans of the HIPAA Safe
Harbor identifier kinds found in free text in the network's 14 languages. Images:
:func:`node.deid.images.sanitize_image` re-encodes an upload from pixels only.

This package imports nothing else from ``node``: it is a library the node calls.
See docs/deidentification.md for what is and is not detected.
"""

from node.deid.finding import KINDS, Finding
from node.deid.lexicon import LANGUAGES
from node.deid.scanner import scan

__all__ = ["KINDS", "LANGUAGES", "Finding", "scan"]
