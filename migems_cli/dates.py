"""Dates as agents type them: ISO, US or day-first slashes, month names, today, yesterday."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from migems_cli.errors import InputError

# Digits are ASCII only: `\d`, `int()` and dateutil also take full-width, Arabic-Indic and other
# Unicode digits, which an agent never means to type (`non_ascii_digit` refuses them first).
_ISO = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", re.ASCII)
_SLASHES = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$", re.ASCII)
_MONTH = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b\.?",
    re.IGNORECASE | re.ASCII,
)
_TIME = re.compile(r"[0-9]:[0-9]|\b[ap]\.?m\b", re.IGNORECASE | re.ASCII)  # 00:00, 9am, 9 p.m.
_YEAR = re.compile(r"\b[0-9]{4}\b", re.ASCII)
ASCII_DIGITS = "write digits as ASCII 0-9"
_FORMS = "YYYY-MM-DD, MM/DD/YYYY (DD/MM/YYYY with --dayfirst), 'Nov 3 2026', today or yesterday"


def parse_date(text: str, field: str, today: date, dayfirst: bool = False) -> date:
    """The date `text` names; `today` resolves today/yesterday.

    Raises `InputError` naming `field` for anything that is not one of the accepted forms or not
    a real calendar date.
    """
    value = text.strip()
    lowered = value.lower()
    if lowered == "today":
        return today
    if lowered == "yesterday":
        if today == date.min:
            raise InputError(field, text, f"is before {date.min.isoformat()}, the first date known")
        return today - timedelta(days=1)
    if non_ascii_digit(value):
        raise InputError(field, text, f"not a date; {ASCII_DIGITS}")
    if _ISO.match(value):
        year, month, day = (int(part) for part in value.split("-"))
        return _real(field, text, year, month, day)
    slashes = _SLASHES.match(value)
    if slashes:
        first, second, year = (int(part) for part in slashes.groups())
        month, day = (second, first) if dayfirst else (first, second)
        return _real(field, text, year, month, day)
    if _MONTH.search(value) and _YEAR.search(value):
        return _written(value, field, text, dayfirst)
    if _MONTH.search(value):
        raise InputError(field, text, "add the year, for example 'Nov 3 2026'")
    raise InputError(field, text, f"not a date; use {_FORMS}")


def non_ascii_digit(text: str) -> bool:
    """Whether `text` holds a digit other than ASCII 0-9 (full-width, Arabic-Indic, ...)."""
    return not text.isascii() and any(ch.isdigit() and not "0" <= ch <= "9" for ch in text)


def _real(field: str, text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise InputError(field, text, f"not a real date ({exc})") from None


def _written(value: str, field: str, text: str, dayfirst: bool) -> date:
    from dateutil import parser  # only written month names need dateutil

    # Parsed twice with different default days: a text without a day ("November 2026") takes the
    # default's, so the two parses differ, and the text is refused rather than read as the 1st.
    default, other = datetime(1, 1, 1), datetime(4, 2, 2)
    try:
        parsed = parser.parse(value, dayfirst=dayfirst, default=default)
        again = parser.parse(value, dayfirst=dayfirst, default=other)
    except (ValueError, OverflowError) as exc:
        why = str(exc).partition(": ")[0]  # dateutil repeats the text after ": "
        raise InputError(field, text, f"not a date ({why})") from None
    if parsed.time() != default.time() or parsed.tzinfo is not None or _TIME.search(value):
        raise InputError(field, text, "give a date without a time")
    if parsed.day != again.day:
        raise InputError(field, text, "add the day, for example 'Nov 3 2026'")
    if parsed.date() != again.date():
        raise InputError(field, text, "add the year, for example 'Nov 3 2026'")
    year = int(_YEAR.findall(value)[-1])  # as written: dateutil reads 0004 as 2004
    if parsed.year != year:
        return _real(field, text, year, parsed.month, parsed.day)
    return parsed.date()


def today_in(time_zone: str) -> date:
    """Today's date in the policy's time zone (the only place that reads the clock)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(time_zone)).date()


def fixed_today(option: str | None, env: str | None, dayfirst: bool = False) -> date | None:
    """The date `--today` or else `MIGEMS_TODAY` fixes, or None when neither does.

    Read like every other date (`--dayfirst` included). `today`/`yesterday` there mean the real
    ones, so they are None/one day less: see `resolve_today`.
    """
    for text, field in ((option, "--today"), (env, "MIGEMS_TODAY")):
        if text:
            if text.strip().lower() in ("today", "yesterday"):
                return None
            return parse_date(text, field, date.min, dayfirst)
    return None


def resolve_today(
    option: str | None, env: str | None, time_zone: str, dayfirst: bool = False
) -> date:
    """`--today`, else `MIGEMS_TODAY`, else the current date in the policy's time zone."""
    fixed = fixed_today(option, env, dayfirst)
    if fixed is not None:
        return fixed
    real = today_in(time_zone)
    text = (option or env or "").strip().lower()
    return real - timedelta(days=1) if text == "yesterday" else real
