"""Accounts in the web UI: sign-up with email confirmation, login with throttling and
TOTP two-factor, password reset, sessions, settings, and the member's verification pages.
"""
