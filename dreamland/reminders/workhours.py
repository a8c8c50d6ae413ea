"""Working minutes: how long an inbound message has waited, counting only working hours.

Working hours are the same window [start, end) on each working day, in the local time zone
(settings.TIME_ZONE, Asia/Almaty): by default Monday to Friday 09:00 to 18:00. A message that
comes in on Friday at 17:50 has waited 30 working minutes on Monday at 09:20; one that comes
in on Saturday starts waiting on Monday at 09:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

MAX_DAYS_BACK = 400  # far more than any N minutes needs; bounds the walk for a wrong setting


@dataclass(frozen=True)
class WorkingHours:
    days: frozenset[int]  # ISO weekdays, Monday = 1
    start: time
    end: time
    tz: ZoneInfo

    @classmethod
    def of(cls, *, days: str, start: time, end: time) -> WorkingHours:
        """From the stored columns: `days` like "12345"."""
        return cls(
            days=frozenset(int(d) for d in days if d.isdigit() and 1 <= int(d) <= 7),
            start=start,
            end=end,
            tz=ZoneInfo(settings.TIME_ZONE),
        )

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The working window of a local day, or None on a day off."""
        if day.isoweekday() not in self.days or self.start >= self.end:
            return None
        return (
            datetime.combine(day, self.start, tzinfo=self.tz),
            datetime.combine(day, self.end, tzinfo=self.tz),
        )


def working_minutes_between(start: datetime, end: datetime, hours: WorkingHours) -> float:
    """Working minutes from `start` to `end` (0 when end is not after start)."""
    if end <= start:
        return 0.0
    total = timedelta()
    day = start.astimezone(hours.tz).date()
    last = end.astimezone(hours.tz).date()
    while day <= last:
        window = hours.window(day)
        if window is not None:
            lo, hi = max(window[0], start), min(window[1], end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 60


def working_cutoff(now: datetime, minutes: int, hours: WorkingHours) -> datetime | None:
    """The latest moment T with `minutes` working minutes between T and `now`: a message that
    came in at or before T has waited at least that long. None when there are no working days."""
    if not hours.days or hours.start >= hours.end:
        return None
    remaining = timedelta(minutes=minutes)
    day = now.astimezone(hours.tz).date()
    for _ in range(MAX_DAYS_BACK):
        window = hours.window(day)
        if window is not None:
            lo, hi = window[0], min(window[1], now)
            if hi > lo:
                if hi - lo >= remaining:
                    return hi - remaining
                remaining -= hi - lo
        day -= timedelta(days=1)
    return None
