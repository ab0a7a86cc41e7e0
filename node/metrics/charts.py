"""Geometry of the metrics page's bar charts, drawn server-side as SVG.

The template turns a ``Chart`` into an ``<svg>`` with a title, a description and a
data table beside it; this module only does the arithmetic (bar positions, a
"nice" value axis), so the drawing is testable without parsing SVG.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 260
# Room for the value labels on the start side and the category labels below.
MARGIN_START = 44
MARGIN_END = 8
MARGIN_TOP = 12
MARGIN_BOTTOM = 40
TICKS = 4


@dataclass(frozen=True)
class Piece:
    """One series' part of a bar."""

    series: int
    value: int
    y: float
    height: float


@dataclass(frozen=True)
class Bar:
    label: str
    x: float
    width: float
    total: int
    pieces: tuple[Piece, ...]

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]


def nice_ceiling(value: int) -> int:
    """The axis top: TICKS equal steps of a round size (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8
    times a power of ten, whole numbers only) that reach ``value``."""
    if value <= 0:
        return TICKS
    raw_step = value / TICKS
    magnitude = 10 ** math.floor(math.log10(raw_step)) if raw_step >= 1 else 1
    for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        step = factor * magnitude
        if step == int(step) and step * TICKS >= value:
            return int(step * TICKS)
    return int(10 * magnitude * TICKS)


def stacked_bars(labels: Sequence[str], series: Sequence[Sequence[int]]) -> Chart:
    """One bar per label, each stacking the series' values bottom-up in series order."""
    if any(len(values) != len(labels) for values in series):
        raise ValueError("every series needs one value per label")
    totals = [sum(values[i] for values in series) for i in range(len(labels))]
    top_value = nice_ceiling(max(totals, default=0))
    left, right = float(MARGIN_START), float(WIDTH - MARGIN_END)
    top, bottom = float(MARGIN_TOP), float(HEIGHT - MARGIN_BOTTOM)
    scale = (bottom - top) / top_value
    slot = (right - left) / max(len(labels), 1)
    bar_width = slot * 0.7
    bars = []
    for index, label in enumerate(labels):
        pieces = []
        base = bottom
        for number, values in enumerate(series):
            height = values[index] * scale
            base -= height
            pieces.append(
                Piece(series=number, value=values[index], y=round(base, 2), height=round(height, 2))
            )
        bars.append(
            Bar(
                label=label,
                x=round(left + slot * index + (slot - bar_width) / 2, 2),
                width=round(bar_width, 2),
                total=totals[index],
                pieces=tuple(pieces),
            )
        )
    step = top_value // TICKS
    ticks = tuple(
        Tick(y=round(bottom - step * n * scale, 2), value=step * n) for n in range(TICKS + 1)
    )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        bars=tuple(bars),
        ticks=ticks,
    )
