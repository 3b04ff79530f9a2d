"""Timing and summary statistics, and the plain-text table the bench prints."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def timed(fn: Callable, *args, **kwargs) -> tuple[float, object]:
    """Seconds that `fn(*args, **kwargs)` took, and its result."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def p95(values: list[float]) -> float:
    """95th percentile, nearest rank (an observed value, never interpolated)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells) -> None:
        self.rows.append([str(c) for c in cells])

    def render(self) -> str:
        widths = [
            max(len(self.columns[i]), *(len(r[i]) for r in self.rows)) if self.rows else 0
            for i in range(len(self.columns))
        ]
        widths = [max(w, len(c)) for w, c in zip(widths, self.columns, strict=True)]

        def line(cells):
            first = cells[0].ljust(widths[0])
            rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
            return "  ".join([first, *rest]).rstrip()

        out = [self.title, line(self.columns), line(["-" * w for w in widths])]
        out += [line(r) for r in self.rows]
        out += [f"  {n}" for n in self.notes]
        return "\n".join(out)


def s(value: float) -> str:
    return f"{value:.3f}"


def ms(value: float) -> str:
    return f"{value * 1000:.1f}"
