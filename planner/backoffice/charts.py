"""A dashboard figure: a bar chart and the table of figures it draws, as plain data.

The geometry comes from outcomes.charts; this adds what the back office shows with every
chart: a description for screen readers, each bar's value as text, and the full table (which
is also the CSV). Pure: no Flask, no database.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from planner.outcomes.charts import BAR_HEIGHT, Bar, BarChart, bar_chart

__all__ = ["BAR_HEIGHT", "Figure", "figure"]


@dataclass(frozen=True)
class Figure:
    key: str                               # stable name: element ids and the CSV's URL
    title: str
    description: str                       # the chart's point, in words, for <desc>
    columns: tuple[str, ...]               # the table's (and CSV's) header
    rows: tuple[tuple[object, ...], ...]   # one per bar, in the bars' order
    chart: BarChart
    bar_texts: tuple[str, ...]             # what each bar says next to it

    @property
    def bars(self) -> tuple[tuple[Bar, str], ...]:
        return tuple(zip(self.chart.bars, self.bar_texts, strict=True))

    @property
    def width(self) -> int:
        # Room for the longest value text after the longest bar.
        return self.chart.label_width + self.chart.plot_width + 200


def figure(key: str, title: str, description: str, columns: Sequence[str],
           rows: Sequence[Sequence[object]], *, value_column: int = 1,
           bar_text: Sequence[str] | None = None) -> Figure:
    """A figure whose bars are `rows`' first column against their `value_column`.

    `bar_text` overrides the text beside each bar (by default the value, with thousands
    separators), so a bar can say "12 for 5 places" rather than only "12".
    """
    values = [(str(row[0]), Decimal(str(row[value_column] or 0))) for row in rows]
    texts = tuple(bar_text) if bar_text is not None else tuple(f"{int(v):,}" for _label, v in values)
    return Figure(key=key, title=title, description=description, columns=tuple(columns),
                  rows=tuple(tuple(row) for row in rows), chart=bar_chart(title, values),
                  bar_texts=texts)
