"""SQL pieces that differ between SQLite and PostgreSQL: elapsed seconds, and a median
that works on both (SQLite has no percentile function).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    ColumnExpressionArgument,
    Float,
    Integer,
    ScalarSelect,
    Select,
    cast,
    func,
    select,
)


def seconds_between(
    dialect: str, later: ColumnExpressionArgument[Any], earlier: ColumnExpressionArgument[Any]
) -> ColumnElement[float]:
    """``later - earlier`` in seconds (SQLite stores UTC times as text)."""
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    # Epoch seconds of each side (exact; age() would count months as 30 days).
    return cast(func.extract("epoch", later) - func.extract("epoch", earlier), Float)


def whole(dialect: str, value: ColumnElement[float]) -> ColumnElement[int]:
    """floor() of a non-negative number (SQLite's cast truncates, which is the same)."""
    if dialect == "sqlite":
        return cast(value, Integer)
    return cast(func.floor(value), Integer)


def median(values: Select[tuple[float]]) -> ScalarSelect[float]:
    """The median of the one column ``values`` selects (NULLs left out), or NULL.

    Sorts the values and averages the middle one (odd count n) or two (even n):
    ``LIMIT 2 - n % 2 OFFSET (n - 1) / 2``, with n counted in a subquery; plain SQL
    that SQLite and PostgreSQL share (SQLite has no percentile function, and
    numbering the rows with window functions is twice as slow there).
    """
    inner = values.subquery("median_values")
    value = inner.c[0]
    count = select(func.count(value)).scalar_subquery()
    middle = (
        select(value.label("v"))
        .where(value.is_not(None))
        .order_by(value)
        .limit(2 - count % 2)
        .offset((count - 1) // 2)
        .subquery("median_middle")
    )
    return select(cast(func.avg(middle.c.v), Float)).scalar_subquery()
