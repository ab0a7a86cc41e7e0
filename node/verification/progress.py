"""A one-line progress bar for long imports: bytes read of the file's size, on a TTY.

Redrawn at most a few times a second with a carriage return; nothing is written
when the stream is not a terminal, so logs and pipes stay clean.
"""

from __future__ import annotations

import time
from typing import TextIO

_WIDTH = 30
_INTERVAL_S = 0.25


def _size(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.1f} {unit}" if unit != "B" else f"{int(count)} B"
        count /= 1000
    return f"{count:.1f} GB"


class ProgressBar:
    def __init__(self, stream: TextIO, total_bytes: int, label: str) -> None:
        self.stream = stream
        self.total = max(total_bytes, 1)
        self.label = label
        self.enabled = stream.isatty()
        self.started = time.monotonic()
        self._drawn_at = 0.0
        self._drawn = False

    def __call__(self, done_bytes: int, rows: int) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self._drawn_at < _INTERVAL_S and done_bytes < self.total):
            return
        self._drawn_at = now
        share = min(done_bytes / self.total, 1.0)
        filled = int(share * _WIDTH)
        rate = rows / max(now - self.started, 1e-6)
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (_WIDTH - filled)}] {share:6.1%} "
            f"{_size(done_bytes)} / {_size(self.total)}  {rows:,} rows  {rate:,.0f} rows/s "
        )
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
