"""Policy loading: the bundled file is valid; every kind of mistake is named with its line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migems_cli.errors import PolicyError
from migems_cli.policy import Policy
from migems_cli.policy_load import parse_policy
from migems_cli.policy_warnings import policy_warnings


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "p.toml")
    return info.value.problems


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_bundled_policy_encodes_the_seed(policy: Policy) -> None:
    assert policy.return_window_days == 30
    assert policy.damage_report_days == 7
    assert policy.damage_review_days == 30
    assert (policy.refund.min_business_days, policy.refund.max_business_days) == (5, 10)
    assert (policy.processing.min_business_days, policy.processing.max_business_days) == (3, 4)
    assert policy.shipping.destinations == ("US",)
    assert policy.shipping_refunded is False
    assert policy.non_returnable_categories == ("earring",)
    assert [r.id for r in policy.reasons] == ["changed-mind", "damaged", "defective", "wrong-item"]
    assert {r.id: r.return_shipping_paid_by for r in policy.reasons} == {
        "changed-mind": "customer",
        "damaged": "store",
        "defective": "store",
        "wrong-item": "store",
    }
    assert [s.name for s in policy.statuses] == ["Processing", "Shipped", "Partial"]
    zone = policy.shipping.zone_for("US")
    assert zone is not None
    assert (zone.transit.min_business_days, zone.transit.max_business_days) == (10, 15)
    assert len(policy.late_refund_steps) == 4
    assert policy.store.support_email_is_placeholder


def test_bundled_policy_warns_about_the_seed_contradictions(policy: Policy) -> None:
    warnings = policy_warnings(policy)
    assert any("'europe'" in w and "22.00 USD" in w for w in warnings)
    assert any("'Partial' applies to CA" in w for w in warnings)
    assert any("placeholder" in w for w in warnings)


def test_syntax_error_names_line_and_column(policy_text: str) -> None:
    broken = policy_text.replace("window_days = 30", "window_days = = 30")
    [problem] = problems(broken)
    line = line_of(broken, "window_days = = 30")
    assert re.match(rf"p\.toml:{line}: syntax: .+ \(column \d+\)$", problem)


def test_missing_key_is_named_with_its_table_line(policy_text: str) -> None:
    broken = policy_text.replace("report_days = 7\n", "")
    [problem] = problems(broken)
    assert problem == f"p.toml:{line_of(broken, '[damage]')}: damage.report_days: missing key"


def test_unknown_key_typo(policy_text: str) -> None:
    broken = policy_text.replace("window_days = 30", "window_dayz = 30")
    found = problems(broken)
    line = line_of(broken, "window_dayz = 30")
    assert (
        f"p.toml:{line}: returns.window_dayz: unknown key (known keys: window_days, non_returnable_categories, seasons, "
        "extend_to_business_day, season_note, business_day_note)" in found
    )
    assert any("returns.window_days: missing key" in p for p in found)


def test_wrong_type(policy_text: str) -> None:
    broken = policy_text.replace("window_days = 30", 'window_days = "30"')
    [problem] = problems(broken)
    line = line_of(broken, 'window_days = "30"')
    assert problem == f"p.toml:{line}: returns.window_days: must be an integer, not a string"


def test_boolean_is_not_a_number(policy_text: str) -> None:
    broken = policy_text.replace("report_days = 7", "report_days = true")
    assert any(
        "damage.report_days: must be an integer, not a boolean" in p for p in problems(broken)
    )


def test_negative_window(policy_text: str) -> None:
    broken = policy_text.replace("window_days = 30", "window_days = -1")
    [problem] = problems(broken)
    assert problem.endswith("returns.window_days: must not be negative, not -1")


def test_inverted_windows(policy_text: str) -> None:
    broken = policy_text.replace("min_business_days = 5\n", "min_business_days = 11\n", 1)
    found = problems(broken)
    assert any(
        "refund.min_business_days: window is inverted: 11 is more than max_business_days 10" in p
        for p in found
    )
    broken = policy_text.replace("review_until_days = 30", "review_until_days = 6")
    assert any("damage.review_until_days: window is inverted" in p for p in problems(broken))


def test_rule_naming_an_unknown_category(policy_text: str) -> None:
    broken = policy_text.replace(
        'non_returnable_categories = ["earring"]', 'non_returnable_categories = ["earings"]'
    )
    [problem] = problems(broken)
    assert "returns.non_returnable_categories: unknown category 'earings'" in problem


def test_rule_naming_an_unknown_status(policy_text: str) -> None:
    broken = policy_text.replace('status = "Processing"', 'status = "Procesing"')
    [problem] = problems(broken)
    assert problem.endswith("processing.status: unknown status 'Procesing'")


def test_unknown_placeholder_in_a_text(policy_text: str) -> None:
    broken = policy_text.replace('pass = "The item is unused."', 'pass = "The item is {state}."')
    [problem] = problems(broken)
    line = line_of(broken, 'pass = "The item is {state}."')
    assert problem == f"p.toml:{line}: rules.condition.pass: unknown placeholder {{state}}"


def test_every_error_is_reported_not_just_the_first(policy_text: str) -> None:
    broken = (
        policy_text.replace("window_days = 30", "window_days = -1")
        .replace('currency = "USD"', 'currency = "dollars"')
        .replace('support_email = "support@migems.example"', 'support_email = "nobody"')
    )
    found = problems(broken)
    assert len(found) == 3
    assert [p.split(": ")[1] for p in found] == [
        "store.currency",
        "store.support_email",
        "returns.window_days",
    ]


def test_errors_are_listed_section_by_section_in_the_loaders_order(policy_text: str) -> None:
    """The order `policy_sections.build` reads in: a section's table where it stands, and the
    values it checks against another section (the returns' categories, the processing status)
    once that one is read, then the windows, the rules and ring sizes."""
    broken = (
        policy_text.replace('currency = "USD"', 'currency = "dollars"')
        .replace('holiday_country = "US"', 'holiday_country = "USA"')
        .replace("window_days = 30", "window_days = -1\nextra = 1")
        .replace('non_returnable_categories = ["earring"]', 'non_returnable_categories = ["hat"]')
        .replace("report_days = 7", "report_days = 70")
        .replace("min_business_days = 5\n", "min_business_days = 50\n", 1)  # [refund]
        .replace('status = "Processing"', 'status = "Busy"')
        .replace('condition = "unused"', 'condition = "mint"')
        .replace("decimals = 2", "decimals = 9")
    )
    found = problems(broken)
    assert [p.split(": ")[1] for p in found] == [
        "store.currency",
        "calendar.holiday_country",
        "returns.extra",
        "damage.review_until_days",
        "defaults.condition",
        "returns.non_returnable_categories",
        "processing.status",
        "returns.window_days",
        "refund.min_business_days",
        "ring_sizes.decimals",
    ]


def test_error_in_an_array_of_tables_names_its_index(policy_text: str) -> None:
    broken = policy_text.replace(
        'id = "wrong-item"\nlabel = "Wrong item sent"\npath = "defect"',
        'id = "wrong-item"\nlabel = "Wrong item sent"\npath = "defects"',
    )
    [problem] = problems(broken)
    line = line_of(broken, 'path = "defects"')
    assert problem == f"p.toml:{line}: reasons[3].path: must be one of change-of-mind, defect"


def test_unreadable_file(tmp_path: Path) -> None:
    from migems_cli.policy_load import load_policy

    with pytest.raises(PolicyError) as info:
        load_policy(tmp_path / "nope.toml")
    assert "cannot read" in info.value.problems[0]
    bad = tmp_path / "latin.toml"
    bad.write_bytes(b"name = '\xe9'")
    with pytest.raises(PolicyError) as info:
        load_policy(bad)
    assert "not UTF-8" in info.value.problems[0]


def test_a_policy_is_its_own_cache_key(policy_text: str) -> None:
    """Equal and hashed by identity: two loads of the same text never share cached results."""
    first, second = parse_policy(policy_text), parse_policy(policy_text)
    assert first == first
    assert first != second
    assert len({first, second, first}) == 2
    assert hash(first) == hash(first)
