"""Server-drawn SVG charts: geometry computed here, drawn by the templates.

No script and no inline style (the CSP forbids both): bars are <rect>s with classes the
stylesheet colours, and each chart sits above the table it is drawn from.
"""

from __future__ import annotations

from dataclasses import dataclass

from firmpay.core.money import format_amount

WIDTH = 640
HEIGHT = 220
AXIS = 24  # room under the bars for the month labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[Label]


def _scale(values: list[int], room: float) -> float:
    top = max(values, default=0)
    return room / top if top > 0 else 0.0


def months_chart(months, currency: str) -> Chart:
    """Two bars a month: invoiced, then collected (a net refund month draws no bar)."""
    room = HEIGHT - AXIS
    scale = _scale([max(m.invoiced, m.collected) for m in months], room)
    slot = WIDTH / max(len(months), 1)
    bar_width = slot * 0.38
    bars, labels = [], []
    for index, month in enumerate(months):
        left = index * slot + slot * 0.1
        for offset, (value, css, what) in enumerate(
            (
                (month.invoiced, "bar-invoiced", "invoiced"),
                (month.collected, "bar-collected", "collected"),
            )
        ):
            height = max(value, 0) * scale
            bars.append(
                Bar(
                    x=round(left + offset * bar_width, 1),
                    y=round(room - height, 1),
                    width=round(bar_width, 1),
                    height=round(height, 1),
                    css=css,
                    title=f"{month.month:%b %Y} {what}: {format_amount(value, currency)}",
                )
            )
        labels.append(Label(x=round(left + bar_width, 1), y=HEIGHT - 6, text=f"{month.month:%b}"))
    return Chart(width=WIDTH, height=HEIGHT, bars=bars, labels=labels)


def ageing_chart(buckets, currency: str) -> Chart:
    """One horizontal bar per age bucket, older buckets in warmer colours."""
    row = 34
    label_room = 120
    scale = _scale([b.amount for b in buckets], WIDTH - label_room - 10)
    bars, labels = [], []
    for index, bucket in enumerate(buckets):
        y = index * row + 6
        bars.append(
            Bar(
                x=label_room,
                y=y,
                width=round(bucket.amount * scale, 1),
                height=row - 12,
                css=f"bar-age bar-{bucket.key}",
                title=f"{bucket.label}: {format_amount(bucket.amount, currency)}",
            )
        )
        labels.append(Label(x=0, y=y + row / 2, text=bucket.label))
    return Chart(width=WIDTH, height=row * len(buckets) + 6, bars=bars, labels=labels)
