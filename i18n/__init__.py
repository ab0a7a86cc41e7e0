"""Languages, catalogs, negotiation and formatting. Never imports ``node``."""
