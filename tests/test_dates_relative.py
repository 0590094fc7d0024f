"""today/yesterday resolved to exact dates, and written dates to exact days.

The clock is replaced (`today_in`), so `--today yesterday` and `MIGEMS_TODAY=yesterday` can be
checked to the day, not only "before today". Written dates whose day or month is 1 or 2 are the
ones a wrong default day in the two-parse check (`_written`) would turn into another date.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from migems_cli import dates
from migems_cli.dates import fixed_today, parse_date, resolve_today
from migems_cli.errors import InputError

CLOCK = date(2026, 11, 3)
ZONE = "America/New_York"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The real date is CLOCK; records the time zones asked for."""
    asked: list[str] = []

    def today_in(time_zone: str) -> date:
        asked.append(time_zone)
        return CLOCK

    monkeypatch.setattr(dates, "today_in", today_in)
    return asked


@pytest.mark.parametrize(
    ("option", "env", "expected"),
    [
        ("yesterday", None, date(2026, 11, 2)),
        (" Yesterday ", None, date(2026, 11, 2)),
        ("today", None, CLOCK),
        ("TODAY", "yesterday", CLOCK),  # the option wins over the environment
        (None, "yesterday", date(2026, 11, 2)),
        (None, "today", CLOCK),
        (None, None, CLOCK),
        ("", "", CLOCK),
        ("2026-01-31", "yesterday", date(2026, 1, 31)),
        (None, "2026-01-31", date(2026, 1, 31)),
        ("yesterday", "2026-01-31", date(2026, 11, 2)),
    ],
)
def test_resolve_today_exact(clock, option, env, expected):
    assert resolve_today(option, env, ZONE) == expected
    fixed = expected != CLOCK and expected != date(2026, 11, 2)
    assert clock == ([] if fixed else [ZONE])


def test_fixed_today_reads_like_other_dates():
    assert fixed_today("03/02/2026", None) == date(2026, 3, 2)
    assert fixed_today("03/02/2026", None, dayfirst=True) == date(2026, 2, 3)
    assert fixed_today(None, "Nov 3 2026") == date(2026, 11, 3)
    assert fixed_today("yesterday", "2026-01-01") is None
    assert fixed_today(None, None) is None
    with pytest.raises(InputError) as raised:
        fixed_today(None, "soon")
    assert raised.value.field == "MIGEMS_TODAY"
    with pytest.raises(InputError) as raised:
        fixed_today("soon", "2026-01-01")
    assert raised.value.field == "--today"


def test_check_with_today_yesterday_requests_on_the_day_before(run, clock, monkeypatch):
    result = run(
        "check", "--delivered", "2026-10-20", "--category", "ring", "--today", "yesterday", "--json"
    )
    assert result.code == 0, result.err
    claim = json.loads(result.out)["claim"]
    assert claim["requested"] == "2026-11-02"
    monkeypatch.setenv("MIGEMS_TODAY", "yesterday")
    result = run("check", "--delivered", "yesterday", "--json")
    claim = json.loads(result.out)["claim"]
    assert (claim["delivered"], claim["requested"]) == ("2026-11-01", "2026-11-02")


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("Nov 3 2026", False, date(2026, 11, 3)),
        ("Nov 3 2026", True, date(2026, 11, 3)),
        ("Jan 1 2026", False, date(2026, 1, 1)),
        ("Jan 2 2026", False, date(2026, 1, 2)),
        ("Feb 1 2026", False, date(2026, 2, 1)),
        ("Feb 2 2026", False, date(2026, 2, 2)),
        ("2 Feb 2026", True, date(2026, 2, 2)),
        ("1 jan 2026", True, date(2026, 1, 1)),
        ("Dec 31 2026", False, date(2026, 12, 31)),
        ("Feb. 29 2028", False, date(2028, 2, 29)),
        ("sept 30 2026", False, date(2026, 9, 30)),
        ("2026 Nov 3", False, date(2026, 11, 3)),
    ],
)
def test_written_dates_exact(text, dayfirst, expected):
    assert parse_date(text, "delivered", CLOCK, dayfirst) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Nov 2026", "add the day"),
        ("Jan 2026", "add the day"),
        ("Feb 2026", "add the day"),
        ("Nov 3", "add the year"),
        ("Jan 1", "add the year"),
        ("Feb 2", "add the year"),
        ("Nov 31", "add the year"),  # not a date in year 1 or 4 either: still "add the year"
        ("Feb 29", "add the year"),
        ("Nov 3 2026 1am", "without a time"),
        ("Feb 30 2026", "not a date"),
    ],
)
def test_written_dates_refused(text, fragment):
    with pytest.raises(InputError) as raised:
        parse_date(text, "requested", CLOCK)
    assert fragment in raised.value.message
    assert (raised.value.field, raised.value.value) == ("requested", text)


def test_yesterday_on_the_first_date_known_is_refused():
    with pytest.raises(InputError) as raised:
        parse_date("yesterday", "delivered", date.min)
    assert raised.value.message == "is before 0001-01-01, the first date known"
    assert parse_date("yesterday", "delivered", date(1, 1, 2)) == date.min


def test_the_accepted_forms_are_listed():
    with pytest.raises(InputError) as raised:
        parse_date("soonish", "delivered", CLOCK)
    assert raised.value.message == (
        "not a date; use YYYY-MM-DD, MM/DD/YYYY (DD/MM/YYYY with --dayfirst), 'Nov 3 2026', "
        "today or yesterday"
    )


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("2026-11-03", False),
        ("é", False),
        ("Nov 30 2026 é", False),  # ASCII 0 and 9 beside other non-ASCII text
        ("Nov 9 2029 ü", False),
        ("Nov \uff13 2026", True),  # full-width 3
        ("٣ Nov 2026", True),  # Arabic-Indic
    ],
)
def test_non_ascii_digits_are_told_apart_from_ascii_ones(text, found):
    assert dates.non_ascii_digit(text) is found


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Nov 31 2026", "not a date (day is out of range for month)"),
        ("Nov 3 2026 25:00", "not a date (hour must be in 0..23)"),
    ],
)
def test_dateutils_reason_without_the_text_it_repeats(text, message):
    with pytest.raises(InputError) as raised:
        parse_date(text, "delivered", CLOCK)
    assert raised.value.message == message
