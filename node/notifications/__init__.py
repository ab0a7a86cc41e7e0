"""Specialty follows, notifications, live unread counts and the email digest."""
