"""Every return rule on both sides of every boundary, against the SPEC's table."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest

from migems_cli.claims import Claim, parse_claim
from migems_cli.policy import Policy
from migems_cli.rules import evaluate, judge

DELIVERED = date(2026, 10, 1)
DAYS = (0, 1, 7, 8, 29, 30, 31, 45)
REASONS = ("changed-mind", "damaged", "defective", "wrong-item")
CATEGORIES = ("rings", "earrings", "necklace", "")
CONDITIONS = ("unused", "worn", "used")


def spec_decision(
    reason: str,
    day: int,
    category: str,
    custom: bool,
    sale: bool,
    condition: str,
    packaging: bool,
    photos: bool,
) -> str:
    """The SPEC's table, written out independently of migems_cli.rules."""
    if reason == "changed-mind":
        ok = (
            day <= 30
            and condition == "unused"
            and packaging
            and category != "earrings"
            and not custom
            and not sale
        )
        if not ok:
            return "ineligible"
        return "review" if category == "" else "eligible"  # is it a pair of earrings?
    if day > 30:
        return "ineligible"
    needs_photos = reason in ("damaged", "defective")
    if day >= 8 or (needs_photos and not photos) or sale:
        return "review"
    return "eligible"


def claim_for(policy: Policy, reason: str, day: int, **extra: str | bool) -> Claim:
    values: dict[str, str | bool | None] = {
        "delivered": DELIVERED.isoformat(),
        "requested": (DELIVERED + timedelta(days=day)).isoformat(),
        "reason": reason,
        **extra,
    }
    return parse_claim(policy, values, date(2026, 12, 31))


def test_full_matrix_matches_the_spec(policy: Policy) -> None:
    mismatches = []
    combos = itertools.product(
        REASONS,
        DAYS,
        CATEGORIES,
        (False, True),
        (False, True),
        CONDITIONS,
        (True, False),
        (False, True),
    )
    count = 0
    for reason, day, category, custom, sale, condition, packaging, photos in combos:
        claim = claim_for(
            policy,
            reason,
            day,
            category=category,
            custom=custom,
            sale=sale,
            condition=condition,
            packaging=packaging,
            photos=photos,
            price="100",
        )
        got = judge(policy, claim)
        want = spec_decision(reason, day, category, custom, sale, condition, packaging, photos)
        count += 1
        if got.decision != want:
            mismatches.append((reason, day, category, custom, sale, condition, packaging, photos))
            continue
        defect = reason != "changed-mind"
        assert got.remedy == (
            "none" if want == "ineligible" else "replacement-or-refund" if defect else "refund"
        )
        assert got.refund_amount == (Decimal("100.00") if want == "eligible" else None)
        payer = None if want == "ineligible" else "store" if defect else "customer"
        assert got.return_shipping_paid_by == payer
        assert bool(got.failed_rules) == (want == "ineligible")
    assert count == 4 * 8 * 4 * 2 * 2 * 3 * 2 * 2
    assert mismatches == []


@pytest.mark.parametrize(
    ("day", "decision"), [(29, "eligible"), (30, "eligible"), (31, "ineligible")]
)
def test_return_window_boundary(policy: Policy, day: int, decision: str) -> None:
    verdict = evaluate(policy, claim_for(policy, "changed-mind", day, category="rings"))
    assert verdict.decision == decision
    assert verdict.days_left == 30 - day
    window = next(r for r in verdict.rules if r.id == "return-window")
    assert window.outcome == ("pass" if day <= 30 else "fail")
    assert f"day {day}" in window.detail


@pytest.mark.parametrize(
    ("day", "outcome"), [(0, "pass"), (7, "pass"), (8, "review"), (30, "review"), (31, "fail")]
)
@pytest.mark.parametrize("reason", ["damaged", "defective", "wrong-item"])
def test_damage_window_boundaries(policy: Policy, reason: str, day: int, outcome: str) -> None:
    verdict = evaluate(policy, claim_for(policy, reason, day, photos=True))
    window = next(r for r in verdict.rules if r.id == "damage-window")
    assert window.outcome == outcome
    assert verdict.days_left == 7 - day
    decision = {"pass": "eligible", "review": "review", "fail": "ineligible"}[outcome]
    assert verdict.decision == decision


def test_deadlines_are_calendar_days_from_delivery(policy: Policy) -> None:
    j = judge(policy, claim_for(policy, "changed-mind", 3))
    assert j.deadlines.return_by == date(2026, 10, 31)
    assert j.deadlines.report_damage_by == date(2026, 10, 8)
    assert j.deadlines.damage_review_until == date(2026, 10, 31)


def test_missing_photos_asks_for_photos(policy: Policy) -> None:
    verdict = evaluate(policy, claim_for(policy, "damaged", 2))
    assert verdict.decision == "review"
    assert verdict.next_steps == (
        "Ask the customer for photos and details of the damage or defect.",
    )


def test_wrong_item_needs_no_photos(policy: Policy) -> None:
    verdict = evaluate(policy, claim_for(policy, "wrong-item", 2))
    assert verdict.decision == "eligible"
    photos = next(r for r in verdict.rules if r.id == "photos")
    assert (photos.outcome, photos.detail) == ("pass", "Photos are not required for this reason.")


def test_damaged_sale_item_goes_to_review(policy: Policy) -> None:
    verdict = evaluate(policy, claim_for(policy, "damaged", 2, photos=True, sale=True))
    assert verdict.decision == "review"
    assert [r.id for r in verdict.rules if r.outcome == "review"] == ["sale"]


def test_damaged_custom_earrings_follow_the_defect_path(policy: Policy) -> None:
    verdict = evaluate(
        policy,
        claim_for(policy, "defective", 5, photos=True, custom=True, category="Earrings"),
    )
    assert verdict.decision == "eligible"
    by_id = {r.id: r for r in verdict.rules}
    assert by_id["category"].outcome == "pass"
    assert "covered" in by_id["category"].detail
    assert by_id["custom"].outcome == "pass"


def test_ineligible_lists_each_failed_rule_and_a_next_step_for_each(policy: Policy) -> None:
    claim = claim_for(
        policy, "changed-mind", 40, category="earring", condition="worn", packaging=False, sale=True
    )
    verdict = evaluate(policy, claim)
    failed = verdict.failed_rules
    assert failed == ("return-window", "condition", "packaging", "category", "sale")
    assert len(verdict.next_steps) == len(failed) + 1
    assert (
        verdict.next_steps[-1]
        == "If the customer disagrees, they can contact support@migems.example."
    )


def test_refund_excludes_shipping(policy: Policy) -> None:
    claim = claim_for(policy, "changed-mind", 1, price="120", shipping="9.99", category="rings")
    verdict = evaluate(policy, claim)
    assert verdict.to_dict()["refund_amount"] == "120.00"
    assert verdict.to_dict()["claim"]["shipping"] == "9.99"
    assert any("120.00 USD" in step for step in verdict.next_steps)


def test_no_price_means_no_amount(policy: Policy) -> None:
    verdict = evaluate(policy, claim_for(policy, "changed-mind", 1, category="rings"))
    assert verdict.decision == "eligible"
    assert verdict.to_dict()["refund_amount"] is None
    assert any("the item price" in step for step in verdict.next_steps)


def test_absent_category_is_a_review_on_change_of_mind(policy: Policy) -> None:
    verdict = evaluate(policy, claim_for(policy, "changed-mind", 1))
    assert verdict.decision == "review"
    category = next(r for r in verdict.rules if r.id == "category")
    assert category.outcome == "review"
    assert category.detail == (
        "Category not given: ask which item it is; earrings are non-returnable on a change of mind."
    )
    assert verdict.next_steps == (
        "Ask which item it is: earrings are non-returnable on a change of mind.",
    )


def test_absent_category_does_not_matter_for_a_defect(policy: Policy) -> None:
    verdict = evaluate(policy, claim_for(policy, "damaged", 1, photos=True))
    assert verdict.decision == "eligible"
    category = next(r for r in verdict.rules if r.id == "category")
    assert category.outcome == "pass"
    assert "does not matter" in category.detail
