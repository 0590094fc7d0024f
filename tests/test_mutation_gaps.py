"""Behaviour the mutation run (tools/mutate.py) found unguarded in the core modules.

Each test names the mutant it kills; see tools/mutants_equivalent.txt for the ones that change
nothing.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from migems_cli.business_days import BusinessCalendar
from migems_cli.errors import InputError, PolicyError
from migems_cli.money import parse_money
from migems_cli.schedule import order_deadlines


def rules_of(out: str) -> dict[str, tuple[str, str]]:
    return {rule["id"]: (rule["outcome"], rule["detail"]) for rule in json.loads(out)["rules"]}


def test_defects_exempt_custom_and_non_returnable_items_and_say_so(run):
    """rules.assess: the "exempt" texts of category and custom (an emptied key went unseen)."""
    result = run(
        *("check", "--delivered", "2026-01-10", "--requested", "2026-01-12", "--json"),
        *("--reason", "damaged", "--photos", "--custom", "--category", "earrings"),
    )
    assert result.code == 0, result.err
    rules = rules_of(result.out)
    assert rules["category"] == (
        "pass",
        "Non-returnable category (earrings), but covered when it arrives damaged, defective or "
        "incorrect.",
    )
    assert rules["custom"] == (
        "pass",
        "Customized items are covered when they arrive damaged, defective or incorrect.",
    )
    assert list(rules) == ["damage-window", "photos", "category", "custom", "sale"]


def test_the_default_error_source_of_a_calendar():
    """business_days: the source an error names when none is given (an emptied "policy" went
    unseen)."""
    with pytest.raises(PolicyError) as raised:
        BusinessCalendar("XX")
    assert raised.value.problems == [
        "policy:1: calendar.holiday_country: no holiday calendar for 'XX'"
    ]


def test_order_deadlines_refuses_misuse_by_code(policy):
    """schedule.order_deadlines: its two guards against a caller's mistake (removing either went
    unseen): an order date without a calendar, and neither date."""
    with pytest.raises(ValueError, match=r"^counting shipping dates needs a business calendar$"):
        order_deadlines(policy, None, date(2026, 11, 2), None, "US", date(2026, 11, 3))
    with pytest.raises(ValueError, match=r"^order_deadlines needs an order date, a delivery date"):
        order_deadlines(policy, None, None, None, "US", date(2026, 11, 3))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9€", "the store's currency is USD ($); write 120.00, $120 or 120 USD"),
        ("10 ü", "not an amount; use digits with at most two decimals, like 120.00"),
        ("\u0663", "not an amount; write digits as ASCII 0-9"),  # Arabic-Indic 3
        ("$120 USD", "not an amount; use digits with at most two decimals, like 120.00"),  # 2 marks
    ],
)
def test_ascii_digits_beside_other_non_ascii_text_are_digits(text, message):
    """money.parse_money: an ASCII 9 or 0 in non-ASCII text is not a foreign digit (a "< '9'"
    went unseen)."""
    with pytest.raises(InputError) as raised:
        parse_money(text, "price", "USD", "$")
    assert raised.value.message == message
