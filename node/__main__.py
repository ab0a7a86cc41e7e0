"""``python -m node`` is the ``curbside`` command."""

from node.cli.main import main

if __name__ == "__main__":
    main()
