"""Clinical cases and their threads: the JSON API, storage, and their activities."""
