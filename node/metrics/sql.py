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

    Numbers the sorted values with window functions and averages the middle one (odd
    count) or two (even count): plain SQL that SQLite 3.25+ and PostgreSQL share.
    With floor division, (n + 1) // 2 and (n + 2) // 2 are the middle positions.
    """
    inner = values.subquery("median_values")
    value = inner.c[0]
    numbered = (
        select(
            value.label("v"),
            func.row_number().over(order_by=value).label("position"),
            func.count().over().label("n"),
        )
        .where(value.is_not(None))
        .subquery("median_numbered")
    )
    n = numbered.c.n
    middle = ((n + 1) // 2, (n + 2) // 2)
    return (
        select(cast(func.avg(numbered.c.v), Float))
        .where(numbered.c.position.in_(middle))
        .scalar_subquery()
    )
