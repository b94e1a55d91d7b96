"""Bar charts as plain geometry the templates draw as SVG: server-rendered, no JavaScript."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 160
PLOT_WIDTH = 360


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    y: int
    width: int


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    height: int
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH


def bar_chart(title: str, values: Sequence[tuple[str, Decimal | int]]) -> BarChart:
    """Horizontal bars scaled to the largest value; negative values draw as empty bars."""
    largest = max((Decimal(v) for _label, v in values), default=Decimal(0))
    bars = []
    for index, (label, value) in enumerate(values):
        amount = Decimal(value)
        width = int(amount / largest * PLOT_WIDTH) if largest > 0 and amount > 0 else 0
        bars.append(Bar(label=label, value=amount, y=index * (BAR_HEIGHT + GAP), width=width))
    return BarChart(title=title, bars=tuple(bars), height=max(len(bars), 1) * (BAR_HEIGHT + GAP))
