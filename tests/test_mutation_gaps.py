"""Behaviour the mutation run (tools/mutate.py) found unguarded in the core modules.

Each test names the mutant it kills; see tools/mutants_equivalent.txt for the ones that change
nothing.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from migems_cli.business_days import BusinessCalendar, business_calendar
from migems_cli.claims import (
    check_sized,
    parse_claim,
    parse_condition,
    parse_delivered,
    parse_requested,
)
from migems_cli.errors import InputError, PolicyError
from migems_cli.money import parse_money
from migems_cli.policy_load import parse_policy
from migems_cli.rules import deadlines, evaluate
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


def test_deadlines_past_the_calendar_name_the_delivered_date(policy):
    """rules.deadlines: a delivery whose deadlines fall after 9999-12-31 is the delivered date's
    error (an emptied field name went unseen)."""
    with pytest.raises(InputError) as raised:
        deadlines(policy, date(9999, 12, 20))
    assert (raised.value.field, raised.value.value) == ("delivered", "9999-12-20")
    assert raised.value.message == "too late in the calendar: its deadlines fall after 9999-12-31"


def test_an_unknown_category_passes_when_nothing_is_non_returnable(policy_text):
    """rules.assess: with no non-returnable category, a change of mind without a category passes
    the category rule (an emptied rule id went unseen)."""
    text = policy_text.replace(
        'non_returnable_categories = ["earring"]', "non_returnable_categories = []"
    )
    assert text != policy_text
    policy = parse_policy(text)
    claim = parse_claim(
        policy,
        {"delivered": "2026-11-01", "requested": "2026-11-05", "reason": "changed-mind"},
        date(2026, 11, 26),
    )
    verdict = evaluate(policy, claim)
    assert [(r.id, r.outcome, r.detail) for r in verdict.rules if r.id == "category"] == [
        ("category", "pass", "This category (items) can be returned.")
    ]
    assert verdict.decision == "eligible"


def _category_detail(policy, category: str) -> tuple[str, str]:
    values = {"delivered": "2026-11-01", "requested": "2026-11-05", "category": category}
    verdict = evaluate(policy, parse_claim(policy, values, date(2026, 11, 26)))
    (rule,) = [r for r in verdict.rules if r.id == "category"]
    return rule.outcome, rule.detail


def test_the_category_texts_name_the_claims_category_or_every_non_returnable_one(policy_text):
    """rules.explain: a given category is named as given; an unknown one names every
    non-returnable category in the policy's order, comma-separated (an `or` for `and` and an
    emptied ", " went unseen)."""
    policy = parse_policy(policy_text)
    assert _category_detail(policy, "rings") == ("pass", "This category (rings) can be returned.")
    assert _category_detail(policy, "earrings") == ("fail", "Non-returnable category: earrings.")
    text = policy_text.replace(
        'non_returnable_categories = ["earring"]',
        'non_returnable_categories = ["earring", "necklace"]',
    )
    assert text != policy_text
    assert _category_detail(parse_policy(text), "") == (
        "review",
        "Category not given: ask which item it is; necklaces, earrings are non-returnable on a "
        "change of mind.",
    )


@pytest.mark.parametrize(
    ("sized", "kinds"),
    [('["ring", "bracelet"]', "rings, bracelets"), ("[]", "no category")],
)
def test_a_size_for_an_item_without_sizes_names_the_categories_with_sizes(
    policy_text, sized, kinds
):
    """claims._sized: every category that takes a ring size, in the policy's order, or none (an
    emptied ", " and "no category" went unseen: the bundled policy sizes only rings)."""
    text = policy_text.replace('sized_categories = ["ring"]', f"sized_categories = {sized}")
    assert text != policy_text
    values = {"delivered": "2026-11-20", "want": "exchange", "category": "necklace"}
    with pytest.raises(InputError) as raised:
        parse_claim(parse_policy(text), {**values, "exchange_size": "US 7"}, date(2026, 11, 26))
    assert (raised.value.field, raised.value.value) == ("exchange_size", "US 7")
    assert raised.value.message == f"a ring size, but the item is a necklace; sizes are for {kinds}"


def test_check_sized_says_what_parse_claim_says_of_a_size_for_an_item_without_sizes(policy):
    """claims.check_sized (batch lists its error with a row's other bad cells): it reads the
    row's category (an emptied "category" went unseen)."""
    values = {"want": "exchange", "category": "necklace", "exchange_size": "US 7"}
    with pytest.raises(InputError) as raised:
        check_sized(policy, values)
    assert str(raised.value) == (
        "exchange_size: a ring size, but the item is a necklace; sizes are for rings (got 'US 7')"
    )
    check_sized(policy, {**values, "category": "ring"})  # a ring takes a size
    check_sized(policy, {**values, "category": "necklaces!"})  # the category's own error says it


@pytest.mark.parametrize(("value", "got"), [(None, "''"), ("", "''"), ("  ", "'  '")])
def test_a_missing_delivered_date_is_required_and_shows_what_was_given(value, got):
    """claims.parse_delivered: nothing is shown as '', blanks as typed (`value and ''` went
    unseen)."""
    with pytest.raises(InputError) as raised:
        parse_delivered(value, date(2026, 11, 26))
    assert str(raised.value) == f"delivered: required (got {got})"


def test_a_bad_requested_date_names_requested():
    """claims.parse_requested: the field its errors name (an emptied "requested" went unseen)."""
    with pytest.raises(InputError) as raised:
        parse_requested("2026-02-30", date(2026, 11, 26))
    assert raised.value.field == "requested"
    assert parse_requested(" ", date(2026, 11, 26)) == date(2026, 11, 26)


def test_an_unknown_condition_lists_the_known_ones(policy):
    """claims._condition: the known conditions, comma-separated (an emptied ", " went unseen)."""
    with pytest.raises(InputError) as raised:
        parse_condition(policy, "xyzzy")
    assert raised.value.message == "unknown condition; known conditions: unused, worn, used"


def test_a_calendar_error_names_the_given_source_or_the_policys_file(policy_text):
    """business_days.business_calendar: the source an unknown holiday country is blamed on (an
    `and` for `or` went unseen)."""
    text = policy_text.replace('holiday_country = "US"', 'holiday_country = "XX"')
    assert text != policy_text
    policy = parse_policy(text, "mine.toml")
    for source, named in ((None, "mine.toml"), ("other.toml", "other.toml")):
        with pytest.raises(PolicyError) as raised:
            business_calendar(policy, source)
        assert raised.value.problems == [
            f"{named}:1: calendar.holiday_country: no holiday calendar for 'XX'"
        ]
