"""Bar charts drawn on the server as SVG: no script, no library, nothing from another site."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int
    text_x: int


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int


def bar_chart(items: list[tuple[str, int]], *, width: int = 640, label_width: int = 220, bar_height: int = 22):
    """Horizontal bars for (label, value) pairs, scaled to the largest value; the template draws them."""
    space = width - label_width - 48
    largest = max((value for _label, value in items), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(items):
        bar_width = round(space * value / largest)
        bars.append(
            Bar(
                label=label,
                value=value,
                y=i * (bar_height + 8),
                width=bar_width,
                text_x=label_width + bar_width + 6,
            )
        )
    return BarChart(
        bars=bars,
        width=width,
        height=max(1, len(items)) * (bar_height + 8),
        label_width=label_width,
        bar_height=bar_height,
    )
