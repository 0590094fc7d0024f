"""Business days: weekends, US federal holidays as observed, store closures."""

from __future__ import annotations

from datetime import date

import pytest

from migems_cli.business_days import BusinessCalendar
from migems_cli.errors import PolicyError

US = BusinessCalendar("US")


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (date(2026, 11, 26), False),  # Thanksgiving
        (date(2026, 11, 27), True),  # the Friday after is not a federal holiday
        (date(2026, 7, 3), False),  # Independence Day observed (July 4 is a Saturday)
        (date(2026, 7, 4), False),  # Saturday
        (date(2026, 12, 25), False),
        (date(2027, 12, 24), False),  # Christmas 2027 falls on a Saturday: observed Friday
        (date(2026, 11, 30), True),
    ],
)
def test_is_business_day(day: date, open_: bool) -> None:
    assert US.is_business_day(day) is open_


def test_counting_skips_weekend_and_thanksgiving() -> None:
    # Friday 2026-11-20: Mon 23, Tue 24, Wed 25, (Thu 26 holiday), Fri 27 -> 4th; Mon 30 -> 5th
    assert US.add(date(2026, 11, 20), 4) == date(2026, 11, 27)
    assert US.add(date(2026, 11, 20), 5) == date(2026, 11, 30)


def test_closures_count_as_days_off() -> None:
    closed = BusinessCalendar("US", [date(2026, 11, 27)])
    assert closed.add(date(2026, 11, 20), 4) == date(2026, 11, 30)


def test_between() -> None:
    assert US.between(date(2026, 11, 20), date(2026, 11, 20)) == 0
    assert US.between(date(2026, 11, 20), date(2026, 11, 30)) == 5
    assert US.between(date(2026, 11, 30), date(2026, 11, 20)) == 0


def test_count_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        US.add(date(2026, 11, 20), 0)


def test_unknown_country_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match="no holiday calendar for 'XX'"):
        BusinessCalendar("XX")
