"""Outgoing email: SMTP in production, a folder of .eml files in development."""
