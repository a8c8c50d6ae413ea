"""Working minutes: only Monday to Friday 09:00 to 18:00 Asia/Almaty counts (by default)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from dreamland.reminders.workhours import WorkingHours, working_cutoff, working_minutes_between

ALMATY = ZoneInfo("Asia/Almaty")
HOURS = WorkingHours(days=frozenset({1, 2, 3, 4, 5}), start=time(9), end=time(18), tz=ALMATY)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """December 2026: the 4th is a Friday, the 7th a Monday."""
    return datetime(2026, 12, day, hour, minute, tzinfo=ALMATY)


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        (at(4, 10), at(4, 10, 30), 30),  # inside one day
        (at(4, 17, 50), at(7, 9, 20), 30),  # Friday evening to Monday morning
        (at(5, 11), at(7, 9, 15), 15),  # sent on Saturday: the wait starts on Monday
        (at(4, 7), at(4, 9, 5), 5),  # before the day starts
        (at(3, 17), at(4, 10), 120),  # overnight
        (at(4, 19), at(4, 23), 0),  # after hours
        (at(4, 10), at(4, 9), 0),  # backwards
    ],
)
def test_it_counts_only_working_minutes(start: datetime, end: datetime, minutes: int) -> None:
    assert working_minutes_between(start, end, HOURS) == minutes


@pytest.mark.parametrize(
    ("now", "minutes", "cutoff"),
    [
        (at(4, 10, 30), 30, at(4, 10)),
        (at(7, 9, 20), 30, at(4, 17, 50)),  # Monday 09:20 reaches back to Friday 17:50
        (at(5, 14), 30, at(4, 17, 30)),  # Saturday: Friday's last half hour
        (at(7, 9, 0), 60, at(4, 17)),
        (at(4, 8), 10, at(3, 17, 50)),  # before Friday's start: Thursday's end
    ],
)
def test_the_cutoff_is_the_latest_message_that_has_waited_long_enough(
    now: datetime, minutes: int, cutoff: datetime
) -> None:
    assert working_cutoff(now, minutes, HOURS) == cutoff
    assert working_minutes_between(cutoff, now, HOURS) == minutes


def test_without_working_days_nothing_is_ever_late() -> None:
    none = WorkingHours(days=frozenset(), start=time(9), end=time(18), tz=ALMATY)
    assert working_cutoff(at(4, 12), 30, none) is None


def test_stored_days_are_read_as_iso_weekdays() -> None:
    hours = WorkingHours.of(days="67", start=time(10), end=time(14))
    assert hours.days == {6, 7}
    assert working_minutes_between(at(4, 12), at(5, 11), hours) == 60
