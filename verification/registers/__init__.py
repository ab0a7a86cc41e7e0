"""Streaming readers for national licence registers.

Each reader's ``read(path, start_offset=..., start_line_no=...)`` yields
``(Position, RegisterEntry | RowProblem)`` pairs in constant memory; see `base`.
"""
