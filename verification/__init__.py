"""Licence register adapters, matching and the verification workflow.

Never imports ``node``.
"""
