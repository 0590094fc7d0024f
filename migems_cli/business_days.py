"""Business-day arithmetic: Monday to Friday, less public holidays and store closures."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from migems_cli.errors import PolicyError

if TYPE_CHECKING:
    from migems_cli.policy import Policy

_DAY = timedelta(days=1)


class BusinessCalendar:
    """Counts business days for one holiday country and a set of closure dates.

    "N business days after D" counts business days strictly after D: D itself never counts,
    whatever day it is. Results are memoised, so batch work pays for each date once.
    """

    def __init__(self, country: str, closures: Iterable[date] = (), source: str = "policy") -> None:
        import holidays  # heavy: only the commands that count business days import it

        try:
            self._holidays = holidays.country_holidays(country)
        except NotImplementedError:
            raise PolicyError(
                source,
                [f"{source}:1: calendar.holiday_country: no holiday calendar for {country!r}"],
            ) from None
        self._closures = frozenset(closures)
        self._open: dict[date, bool] = {}
        self._after: dict[tuple[date, int], date] = {}

    def is_business_day(self, day: date) -> bool:
        known = self._open.get(day)
        if known is None:
            known = day.weekday() < 5 and day not in self._closures and day not in self._holidays
            self._open[day] = known
        return known

    def add(self, start: date, count: int) -> date:
        """The `count`-th business day strictly after `start` (`count` >= 1).

        Raises `OverflowError` when that day would fall after `date.max` (9999-12-31).
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        key = (start, count)
        found = self._after.get(key)
        if found is None:
            day = start
            left = count
            while left:
                if day == date.max:
                    raise OverflowError(f"{count} business days after {start} run past {day}")
                day += _DAY
                if self.is_business_day(day):
                    left -= 1
            found = day
            self._after[key] = found
        return found

    def between(self, start: date, end: date) -> int:
        """Business days in (start, end]: how many have passed since `start` by `end`."""
        if end <= start:
            return 0
        count = 0
        day = start
        while day < end:
            day += _DAY
            if self.is_business_day(day):
                count += 1
        return count


def business_calendar(policy: Policy, source: str | None = None) -> BusinessCalendar:
    """The calendar `policy` names; an unknown holiday country is a `PolicyError` naming
    `source` (by default the policy's own file)."""
    days = policy.calendar
    return BusinessCalendar(days.holiday_country, days.closures, source or policy.source)
