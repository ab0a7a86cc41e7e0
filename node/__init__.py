"""The Curbside node application: config, storage, CLI, JSON API and web UI."""

__version__ = "0.1.0"
