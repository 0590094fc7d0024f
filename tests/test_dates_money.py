"""Dates and money as agents type them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from migems_cli.dates import parse_date
from migems_cli.errors import InputError
from migems_cli.money import money_text, parse_money

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("2026-11-03", False, date(2026, 11, 3)),
        ("2026-11-03", True, date(2026, 11, 3)),
        (" 2026-1-9 ", False, date(2026, 1, 9)),
        ("11/03/2026", False, date(2026, 11, 3)),
        ("03/11/2026", True, date(2026, 11, 3)),
        ("3/11/2026", False, date(2026, 3, 11)),
        ("Nov 3 2026", False, date(2026, 11, 3)),
        ("November 3, 2026", False, date(2026, 11, 3)),
        ("3 November 2026", True, date(2026, 11, 3)),
        ("3 Nov 2026", False, date(2026, 11, 3)),
        ("today", False, TODAY),
        ("TODAY", False, TODAY),
        ("yesterday", False, date(2026, 11, 25)),
        ("2028-02-29", False, date(2028, 2, 29)),
    ],
)
def test_accepted_dates(text: str, dayfirst: bool, expected: date) -> None:
    assert parse_date(text, "delivered", TODAY, dayfirst) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2026-02-30", "not a real date"),
        ("2027-02-29", "not a real date"),
        ("2026-13-01", "not a real date"),
        ("13/01/2026", "not a real date"),  # month 13 without --dayfirst
        ("soonish", "not a date"),
        ("-5", "not a date"),
        ("lots", "not a date"),
        ("", "not a date"),
        ("5", "not a date"),
        ("2026/11/03", "not a date"),
        ("Nov 3", "add the year"),
        ("Nov 3 2026 10:30", "without a time"),
        ("Nov 31 2026", "not a date"),
        ("tomorrow", "not a date"),
    ],
)
def test_rejected_dates_name_the_field(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        parse_date(text, "delivered", TODAY)
    assert info.value.field == "delivered"
    assert info.value.value == text
    assert fragment in info.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("120", "120.00"), ("120.5", "120.50"), ("0.99", "0.99"), (".5", "0.50"), (" 7.00 ", "7.00")],
)
def test_money(text: str, expected: str) -> None:
    amount = parse_money(text, "price")
    assert isinstance(amount, Decimal)
    assert money_text(amount) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("-5", "must not be negative"),
        ("lots", "not an amount"),
        ("1.234", "not an amount"),
        ("1,200", "a comma may be a thousands separator"),  # 1,200.00 is read since issue 10
        ("NaN", "not an amount"),
        ("Infinity", "not an amount"),
        ("1e3", "not an amount"),
        ("$12", "not an amount"),
    ],
)
def test_bad_money(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        parse_money(text, "price")
    assert info.value.field == "price"
    assert fragment in info.value.message
