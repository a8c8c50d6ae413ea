from __future__ import annotations

from datetime import date
from decimal import Decimal

from dreamland.reports.charts import columns, hbars, nice_step


def test_axis_steps_are_round_numbers():
    assert [nice_step(Decimal(x)) for x in ("0.4", "1.75", "3", "233", "2400", "130000")] == [
        1,
        2,
        5,
        250,
        2500,
        200000,
    ]


def test_column_ticks_sit_at_their_values():
    chart = columns(
        [date(2026, m, 1) for m in (1, 2, 3)],
        [("a", [7, 5, 3])],
        labels=["Jan", "Feb", "Mar"],
        value_format=str,
        titles=["n"],
    )
    # axis 0..8 in steps of 2: each tick's height is its share of 8.
    assert [(t.text, t.y) for t in chart["ticks"]] == [("2", 135), ("4", 90), ("6", 45), ("8", 0)]
    assert [r.height for r in chart["rects"]] == [157, 112, 67]


def test_bars_scale_to_the_largest_and_empty_is_said():
    chart = hbars([("a", 10, "10"), ("b", 5, "5")])
    assert [b.width for b in chart["bars"]] == [Decimal("62.0"), Decimal("31.0")]
    assert hbars([("a", 0, "0")])["empty"]
    assert columns([], [], labels=[], value_format=str, titles=[])["empty"]
