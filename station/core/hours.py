"""Opening hours: when the station is awake. Outside them the screen goes black and the camera and
the pose model rest (less heat, less power, no picture of an empty gym at night).

Hours are wall-clock times in the station's own time zone, looked up afresh each time, so a
daylight-saving change needs nothing special: 06:00 is 06:00 on either side of it. Hours may run
past midnight ("18:00-02:00"). The caller keeps the screen on while the clock is not yet set from
the network: a Pi that booted without it thinks it is 1970, or last shutdown's time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from station.errors import StationError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")

Intervals = tuple[tuple[int, int], ...]  # minutes from the day's midnight; an end past 1440 runs into the next day


@dataclass(frozen=True)
class OpeningHours:
    """Open intervals per weekday (Monday first); `days` None: open all the time (no [display] hours)."""

    days: tuple[Intervals, ...] | None = None

    @property
    def always(self) -> bool:
        return self.days is None

    def is_open(self, local: datetime) -> bool:
        """Whether `local` (a wall-clock time where the station stands) is inside the hours."""
        if self.days is None:
            return True
        minute = local.hour * 60 + local.minute
        today, yesterday = self.days[local.weekday()], self.days[(local.weekday() - 1) % 7]
        return any(start <= minute < end for start, end in today) or any(
            end > 1440 and minute < end - 1440 for _, end in yesterday
        )

    @classmethod
    def parse(cls, table: dict[str, Any]) -> OpeningHours:
        """`[display]` keys are days or day ranges (`mon`, `mon-fri`, `sat,sun`, `daily`), values
        "06:00-22:00", several spans "06:00-12:00, 16:00-22:00", or "closed". Days not named are
        closed; an empty table is open all the time. Errors name the key."""
        if not table:
            return cls()
        days: list[Intervals | None] = [None] * 7
        for key, value in table.items():
            where = f"display.{key}"
            if not isinstance(value, str):
                raise StationError(f'Config key {where} must be hours like "06:00-22:00" or "closed", not {value!r}.')
            spans = _spans(value, where)
            for day in _days(key, where):
                if days[day] is not None:
                    raise StationError(f"Config key {where} gives hours for {DAYS[day]} a second time.")
                days[day] = spans
        return cls(tuple(d or () for d in days))


def _days(key: str, where: str) -> list[int]:
    key = key.strip().lower()
    if key in ("daily", "every_day", "mon-sun"):
        return list(range(7))
    out: list[int] = []
    for part in key.split(","):
        part = part.strip()
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise StationError(f"Config key {where} is not a day or days (mon, mon-fri, sat,sun or daily).")
        a, b = DAYS.index(first), DAYS.index(last or first)
        out += [d % 7 for d in range(a, b + 1 if b >= a else b + 8)]  # fri-mon wraps round the week
    return out


def _spans(value: str, where: str) -> Intervals:
    text = value.strip().lower()
    if text == "closed":
        return ()
    spans = []
    for part in text.split(","):
        match = _SPAN.match(part.strip())
        if not match:
            raise StationError(f'Config key {where} must be hours like "06:00-22:00" or "closed", not "{value}".')
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
            raise StationError(f'Config key {where} has a time that is not on the clock: "{part.strip()}".')
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end == start:
            raise StationError(f'Config key {where} opens and closes at the same time: "{part.strip()}".')
        spans.append((start, end if end > start else end + 1440))  # 18:00-02:00 runs past midnight
    return tuple(spans)
