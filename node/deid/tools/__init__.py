"""Build-time helpers for the de-identification data files (not used at run time)."""
