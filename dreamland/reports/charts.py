"""Chart geometry for the server-rendered SVG partials: Python does the arithmetic, the template
only places shapes, so a chart is translated and escaped like any other markup.

Horizontal bars use percentages of the SVG's width (no viewBox), so bars stretch with the page
while text keeps its size: long Russian labels sit on their own line above each bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any

BAR_ROW = 38  # px per horizontal bar: label line + bar
BAR_MAX = Decimal(62)  # per cent of the width for the longest bar; its value text follows it
COLUMN_HEIGHT = 180  # px of plot area for monthly columns
TOP = 16  # px above the plot for the highest tick's text
AXIS = 22  # px under the plot for month labels


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    width: Decimal  # per cent of the plot width
    y: int
    css: str = ""


def hbars(items: Sequence[tuple[str, Decimal | int, str]], css: str = "") -> dict[str, Any]:
    """(label, value, shown value) rows as bars scaled to the largest value."""
    top = max((Decimal(v) for _l, v, _t in items), default=Decimal(0))
    bars = [
        Bar(
            label,
            text,
            (Decimal(v) * BAR_MAX / top).quantize(Decimal("0.1")) if top else Decimal(0),
            i * BAR_ROW,
            css,
        )
        for i, (label, v, text) in enumerate(items)
    ]
    return {"bars": bars, "height": len(bars) * BAR_ROW, "empty": not top}


@dataclass(frozen=True)
class Rect:
    x: Decimal  # per cent
    width: Decimal  # per cent
    y: int
    height: int
    css: str
    title: str


@dataclass(frozen=True)
class Tick:
    y: int
    text: str


@dataclass(frozen=True)
class XLabel:
    x: Decimal  # per cent, the slot's middle
    text: str


def columns(
    months: Sequence[date],
    series: Sequence[tuple[str, Sequence[Decimal | int]]],
    *,
    labels: Sequence[str],
    value_format: object,
    titles: Sequence[str],
) -> dict[str, Any]:
    """Monthly columns, one bar per series side by side in each month's slot.

    `series` is [(css class, values per month)]; `labels` the months' axis texts; every
    `titles[i]` names series i in the bars' tooltips.
    """
    assert callable(value_format)
    highest = max((Decimal(v) for _c, values in series for v in values), default=Decimal(0))
    step = nice_step(highest / 4) if highest else Decimal(0)
    # The axis ends on the first tick at or above the highest value.
    top = (
        step * (highest / step).to_integral_value(rounding=ROUND_CEILING) if highest else Decimal(0)
    )
    n = max(len(months), 1)
    slot = Decimal(100) / n
    width = slot * Decimal("0.7") / max(len(series), 1)
    rects = []
    for k, (css, values) in enumerate(series):
        for i, v in enumerate(values):
            h = int(Decimal(v) * COLUMN_HEIGHT / top) if top else 0
            rects.append(
                Rect(
                    x=(slot * i + slot * Decimal("0.15") + width * k).quantize(Decimal("0.01")),
                    width=width.quantize(Decimal("0.01")),
                    y=COLUMN_HEIGHT - h,
                    height=h,
                    css=css,
                    title=f"{labels[i]} · {titles[k]}: {value_format(v)}",
                )
            )
    every = 1 if n <= 12 else (n + 11) // 12  # at most 12 month labels: they must not overlap
    xlabels = [
        XLabel((slot * i + slot / 2).quantize(Decimal("0.01")), labels[i])
        for i in range(len(months))
        if i % every == 0
    ]
    ticks = (
        [
            Tick(COLUMN_HEIGHT - COLUMN_HEIGHT * q // 4, value_format(top * q / 4))
            for q in (1, 2, 3, 4)
        ]
        if top
        else []
    )
    return {
        "rects": rects,
        "xlabels": xlabels,
        "ticks": ticks,
        "plot_height": COLUMN_HEIGHT,
        "top": TOP,
        "height": TOP + COLUMN_HEIGHT + AXIS,
        "empty": not top,
    }


def nice_step(raw: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 x 10^n (at least 1: counts and money need no fractions)
    that is not below `raw`, so the axis reads 0, 250, 500… rather than 0, 233, 466…"""
    if raw <= 1:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1)
    for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if magnitude * factor >= raw:
            return magnitude * factor
    return magnitude * 10
