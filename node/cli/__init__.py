"""The ``curbside`` command line, one module per command group."""
