"""Opening hours: days and spans parsed with errors that name the key; across midnight; daylight saving."""

import itertools
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from station.core.hours import OpeningHours
from station.errors import StationError

LONDON = ZoneInfo("Europe/London")


def test_no_hours_means_always_open():
    hours = OpeningHours.parse({})
    assert hours.always and hours.is_open(datetime(2026, 11, 29, 3, 0))


def test_weekdays_weekends_and_closed_days():
    hours = OpeningHours.parse({"mon-fri": "06:00-22:00", "sat": "08:00-12:00, 14:00-18:00", "sun": "closed"})
    monday = datetime(2026, 11, 30)
    assert not hours.is_open(monday.replace(hour=5, minute=59))
    assert hours.is_open(monday.replace(hour=6)) and hours.is_open(monday.replace(hour=21, minute=59))
    assert not hours.is_open(monday.replace(hour=22))
    saturday = datetime(2026, 11, 28)
    assert hours.is_open(saturday.replace(hour=9)) and not hours.is_open(saturday.replace(hour=13))
    assert hours.is_open(saturday.replace(hour=17)) and not hours.is_open(datetime(2026, 11, 29, 12))


def test_a_fake_clock_across_midnight_with_hours_that_run_past_it():
    hours = OpeningHours.parse({"fri": "18:00-02:00", "sat": "closed"})
    start = datetime(2026, 11, 27, 17, 0)  # a Friday
    seen = [(start + timedelta(minutes=30 * i), hours.is_open(start + timedelta(minutes=30 * i))) for i in range(20)]
    opened = [t for t, is_open in seen if is_open]
    assert opened[0] == datetime(2026, 11, 27, 18, 0) and opened[-1] == datetime(2026, 11, 28, 1, 30)
    assert len(opened) == 16  # 18:00 to 01:30 in half hours: Friday's hours hold on past Saturday's midnight


def test_a_24_hour_day_and_a_week_that_wraps():
    hours = OpeningHours.parse({"fri-mon": "00:00-24:00"})
    assert all(hours.is_open(datetime(2026, 11, 27 + d, 12)) for d in range(4))  # Fri, Sat, Sun, Mon
    assert not hours.is_open(datetime(2026, 12, 1, 12))  # Tuesday


def test_daylight_saving_changes_keep_the_wall_clock_hours():
    hours = OpeningHours.parse({"daily": "06:00-22:00"})
    # 29 March 2026: clocks go forward at 01:00 UTC. 05:30 UTC is 06:30 BST (open); a day earlier it was 05:30 GMT.
    spring = datetime(2026, 3, 29, 5, 30, tzinfo=timezone.utc).astimezone(LONDON)
    assert spring.hour == 6 and hours.is_open(spring)
    day_before = datetime(2026, 3, 28, 5, 30, tzinfo=timezone.utc).astimezone(LONDON)
    assert day_before.hour == 5 and not hours.is_open(day_before)
    # 25 October 2026: clocks go back. 21:30 UTC is 21:30 GMT (open); the day before it was 22:30 BST (closed).
    autumn = datetime(2026, 10, 25, 21, 30, tzinfo=timezone.utc).astimezone(LONDON)
    assert autumn.hour == 21 and hours.is_open(autumn)
    before = datetime(2026, 10, 24, 21, 30, tzinfo=timezone.utc).astimezone(LONDON)
    assert before.hour == 22 and not hours.is_open(before)
    # Walking the fall-back night in UTC minutes: the repeated 01:00-02:00 hour stays closed, 06:00 opens once.
    night = [datetime(2026, 10, 24, 23, 0, tzinfo=timezone.utc) + timedelta(minutes=15 * i) for i in range(40)]
    states = [(t, hours.is_open(t.astimezone(LONDON))) for t in night]
    flips = [t for (_, was), (t, now) in itertools.pairwise(states) if was != now]
    assert [t.astimezone(LONDON).strftime("%H:%M") for t in flips] == ["06:00"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"monday": "06:00-22:00"}, "display.monday is not a day"),
        ({"mon": "6-22"}, 'display.mon must be hours like "06:00-22:00"'),
        ({"mon": "06:00-25:00"}, "display.mon has a time that is not on the clock"),
        ({"mon": "06:00-06:00"}, "display.mon opens and closes at the same time"),
        ({"mon-fri": "06:00-22:00", "fri": "closed"}, "display.fri gives hours for fri a second time"),
        ({"mon": 6}, "display.mon must be hours"),
    ],
)
def test_bad_hours_are_one_sentence_naming_the_key(table, message):
    with pytest.raises(StationError, match=message):
        OpeningHours.parse(table)
