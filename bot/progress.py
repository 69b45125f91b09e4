"""A progress bar for long commands (imports): done of total, share, rate, on one redrawn line.

Shown only on a terminal: in CI, pipes and cron jobs the bar writes nothing, so logs keep only
the commands' one-line results.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO

_WIDTH = 24


class ProgressBar:
    """``advance(n)`` as work is done; redrawn at most every ``every`` seconds, and at the end."""

    def __init__(
        self,
        label: str,
        total: int,
        unit: str = "rows",
        out: IO[str] | None = None,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        every: float = 0.2,
    ) -> None:
        self._label, self._total, self._unit = label, total, unit
        self._out = out or sys.stderr
        self.enabled = self._out.isatty() if enabled is None else enabled
        self._clock, self._every = clock, every
        self._started = self._drawn = clock()
        self.done = self._shown = 0

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.enabled and (self._clock() - self._drawn >= self._every or self.done >= self._total):
            self._draw()

    def line(self) -> str:
        share = self.done / self._total if self._total else 1.0
        filled = round(share * _WIDTH)
        elapsed = max(self._clock() - self._started, 1e-9)
        rate = self.done / elapsed
        bar = "#" * filled + "." * (_WIDTH - filled)
        return f"{self._label} [{bar}] {self.done:,}/{self._total:,} {self._unit} ({share:.0%}), {rate:,.0f} {self._unit}/s"

    def _draw(self) -> None:
        self._drawn, self._shown = self._clock(), self.done
        self._out.write("\r" + self.line() + "\x1b[K")
        self._out.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            if self._shown != self.done:
                self._draw()
            self._out.write("\n")
            self._out.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
