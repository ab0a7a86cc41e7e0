"""Package data of node.deid (a package so that setuptools ships its files)."""
