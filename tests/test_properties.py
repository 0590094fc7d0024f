"""Invariants of the rules and of business-day arithmetic, for any input hypothesis finds."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from migems_cli.business_days import BusinessCalendar
from migems_cli.claims import parse_claim
from migems_cli.rules import judge

CALENDAR = BusinessCalendar("US")
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))
claims = st.fixed_dictionaries(
    {
        "reason": st.sampled_from(["changed-mind", "damaged", "defective", "wrong-item"]),
        "category": st.sampled_from(["", "rings", "earrings", "sets"]),
        "custom": st.booleans(),
        "sale": st.booleans(),
        "condition": st.sampled_from(["unused", "worn", "used"]),
        "packaging": st.booleans(),
        "photos": st.booleans(),
        "price": st.decimals(min_value=0, max_value=100000, places=2).map(str),
    }
)
RANK = {"eligible": 2, "review": 1, "ineligible": 0}


def _judge(policy, values: dict[str, object], delivered: date, day: int):  # type: ignore[no-untyped-def]
    raw = {
        **values,
        "delivered": delivered.isoformat(),
        "requested": (delivered + timedelta(days=day)).isoformat(),
    }
    return judge(policy, parse_claim(policy, raw, date(2040, 1, 1)))  # type: ignore[arg-type]


@given(claims, days, st.integers(0, 60), st.integers(1, 60))
def test_asking_later_never_makes_a_claim_better(policy, values, delivered, day, later) -> None:
    early = _judge(policy, values, delivered, day)
    late = _judge(policy, values, delivered, day + later)
    assert RANK[late.decision] <= RANK[early.decision]
    assert late.days_left == early.days_left - later
    assert late.deadlines == early.deadlines


@given(claims, days, st.integers(0, 60))
def test_amount_is_the_price_exactly_when_eligible(policy, values, delivered, day) -> None:
    j = _judge(policy, values, delivered, day)
    if j.decision == "eligible":
        assert j.refund_amount == Decimal(str(values["price"])).quantize(Decimal("0.01"))
    else:
        assert j.refund_amount is None
    assert (j.remedy == "none") == (j.decision == "ineligible")
    assert (j.return_shipping_paid_by is None) == (j.decision == "ineligible")
    assert bool(j.failed_rules) == (j.decision == "ineligible")


@given(days, st.integers(1, 40))
@settings(max_examples=300)
def test_nth_business_day_after_is_a_business_day_and_grows(start, n) -> None:
    nth = CALENDAR.add(start, n)
    assert nth > start
    assert CALENDAR.is_business_day(nth)
    assert nth.weekday() < 5
    assert CALENDAR.add(start, n + 1) > nth
    assert CALENDAR.between(start, nth) == n
    # exactly n business days in (start, nth]
    assert (
        sum(
            CALENDAR.is_business_day(start + timedelta(days=k))
            for k in range(1, (nth - start).days + 1)
        )
        == n
    )


@given(days)
def test_the_start_day_never_counts(start) -> None:
    # whether D is a business day or not, the first business day after it is later than D
    first = CALENDAR.add(start, 1)
    assert first > start
    assert all(
        not CALENDAR.is_business_day(start + timedelta(days=k))
        for k in range(1, (first - start).days)
    )
