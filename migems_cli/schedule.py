"""Dates: order deadlines and the refund schedule, as pure data.

Nothing here prints or reads the clock: `today` is passed in. Business days come from a
`BusinessCalendar` the caller builds (it imports `holidays`), only when a date needs counting.
"""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from migems_cli.errors import InputError
from migems_cli.money import money_text
from migems_cli.policy import DEADLINE_IDS, Policy, Zone
from migems_cli.rules import TOO_LATE
from migems_cli.statuses import country_code
from migems_cli.texts import day_text, fill, policy_context

if TYPE_CHECKING:
    from migems_cli.business_days import BusinessCalendar

PENDING, DUE, OVERDUE = "pending", "due", "overdue"


def business_days_after(
    calendar: "BusinessCalendar", start: date, count: int, field: str, given: date | None = None
) -> date:
    """The `count`-th business day strictly after `start`; `start` itself when `count` is 0.

    Raises `InputError` naming `field` (and the date `given` for it, by default `start`) when
    that day would fall after `date.max`.
    """
    try:
        return calendar.add(start, count) if count else start
    except OverflowError:
        raise InputError(field, (given or start).isoformat(), TOO_LATE) from None


def destination_zone(policy: Policy, country: str, field: str = "country") -> tuple[str, Zone]:
    """The normalised code and shipping zone of a destination the store ships to.

    Raises `InputError` with the policy's refusal when the store does not ship to `country`.
    """
    code = country_code(country, field)
    zone = policy.shipping.zone_for(code)
    if code not in policy.shipping.destinations or zone is None:
        raise InputError(field, country, policy.shipping.refusal)
    return code, zone


class ShipWindow(NamedTuple):
    ships_from: date
    ships_by: date


def ship_window(policy: Policy, calendar: "BusinessCalendar", ordered: date) -> ShipWindow:
    """The processing window: min and max processing business days after the order date."""
    return ShipWindow(
        ships_from=business_days_after(
            calendar, ordered, policy.processing.min_business_days, "ordered"
        ),
        ships_by=business_days_after(
            calendar, ordered, policy.processing.max_business_days, "ordered"
        ),
    )


class Deadline(NamedTuple):
    id: str
    date: date
    days_left: int  # negative once the date has passed
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date.isoformat(),
            "days_left": self.days_left,
            "description": self.description,
        }


class OrderDeadlines(NamedTuple):
    today: date
    country: str
    zone: str
    deadlines: tuple[Deadline, ...]
    note: str  # the policy's delay note when shipping dates are shown, else ""

    def to_dict(self) -> dict[str, Any]:
        return {"deadlines": [d.to_dict() for d in self.deadlines]}


def order_deadlines(
    policy: Policy,
    calendar: "BusinessCalendar | None",
    ordered: date | None,
    delivered: date | None,
    country: str,
    today: date,
) -> OrderDeadlines:
    """Shipping dates from the order date and return/damage deadlines from the delivery date.

    `calendar` is needed only with `ordered`; at least one of the dates must be given. Raises
    `InputError` for a malformed country, (with the policy's words) for a country the store
    does not ship to, or for a delivery before the order.
    """
    code, zone = destination_zone(policy, country)
    if ordered is not None and delivered is not None and delivered < ordered:
        raise InputError(
            "delivered", delivered.isoformat(), f"is before the order date ({ordered.isoformat()})"
        )
    context = policy_context(policy)
    context.update(
        transit_min=str(zone.transit.min_business_days),
        transit_max=str(zone.transit.max_business_days),
        zone=zone.name,
    )
    dates: dict[str, date] = {}
    notes: dict[str, list[str]] = {}
    if ordered is not None:
        if calendar is None:
            raise ValueError("counting shipping dates needs a business calendar")
        window = ship_window(policy, calendar, ordered)
        dates["ships_from"] = window.ships_from
        dates["ships_by"] = window.ships_by
        transit = zone.transit
        dates["arrives_from"] = business_days_after(
            calendar, window.ships_from, transit.min_business_days, "ordered", ordered
        )
        dates["arrives_by"] = business_days_after(
            calendar, window.ships_by, transit.max_business_days, "ordered", ordered
        )
    if delivered is not None:
        from migems_cli.rules import deadlines  # the one place return deadlines are computed

        found = deadlines(policy, delivered, ordered)
        dates["return_by"] = found.return_by
        dates["report_damage_by"] = found.report_damage_by
        dates["damage_review_until"] = found.damage_review_until
        if found.season is not None or found.moved:  # said after the deadline's own text
            from migems_cli.rules import deadline_notes

            if found.season is not None:  # the season's window, in days as counted
                counted = dict(found.moved).get("return_by", found.return_by)
                context["window"] = str((counted - delivered).days)
            notes = deadline_notes(policy, found, ordered, context)
    if not dates:
        raise ValueError("order_deadlines needs an order date, a delivery date or both")
    return OrderDeadlines(
        today=today,
        country=code,
        zone=zone.name,
        deadlines=tuple(
            Deadline(
                id=key,
                date=dates[key],
                days_left=(dates[key] - today).days,
                description=" ".join(
                    [fill(policy.deadline_texts[key], context), *notes.get(key, ())]
                ),
            )
            for key in DEADLINE_IDS
            if key in dates
        ),
        note=policy.shipping.delay_note if ordered is not None else "",
    )


class RefundSchedule(NamedTuple):
    received: date
    today: date
    expected_from: date
    expected_by: date
    state: str  # pending, due or overdue
    business_days_elapsed: int
    refund_amount: Decimal | None
    currency: str
    next_steps: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "received": self.received.isoformat(),
            "expected_from": self.expected_from.isoformat(),
            "expected_by": self.expected_by.isoformat(),
            "state": self.state,
            "business_days_elapsed": self.business_days_elapsed,
            "refund_amount": money_text(self.refund_amount)
            if self.refund_amount is not None
            else None,
            "currency": self.currency,
            "next_steps": list(self.next_steps),
        }


def refund_state(expected_from: date, expected_by: date, today: date) -> str:
    """pending before `expected_from`, due through `expected_by`, overdue after it."""
    if today < expected_from:
        return PENDING
    return DUE if today <= expected_by else OVERDUE


def refund_schedule(
    policy: Policy,
    calendar: "BusinessCalendar",
    received: date,
    today: date,
    price: Decimal | None = None,
    shipping: Decimal | None = None,
) -> RefundSchedule:
    """When a refund is expected after the returned item was received, and where it stands today.

    The amount is the item price (plus `shipping` only if the policy refunds shipping, which the
    store's does not); None without a price. Raises `InputError` when `received` is after `today`.
    """
    if received > today:
        raise InputError(
            "received", received.isoformat(), f"must not be after today ({today.isoformat()})"
        )
    expected_from = business_days_after(
        calendar, received, policy.refund.min_business_days, "received"
    )
    expected_by = business_days_after(
        calendar, received, policy.refund.max_business_days, "received"
    )
    state = refund_state(expected_from, expected_by, today)
    amount = price
    if amount is not None and shipping is not None and policy.shipping_refunded:
        amount += shipping
    context = policy_context(policy)
    context.update(
        received=day_text(received),
        expected_from=day_text(expected_from),
        expected_by=day_text(expected_by),
    )
    steps = policy.late_refund_steps if state == OVERDUE else (policy.refund_notes[state],)
    return RefundSchedule(
        received=received,
        today=today,
        expected_from=expected_from,
        expected_by=expected_by,
        state=state,
        business_days_elapsed=calendar.between(received, today),
        refund_amount=amount,
        currency=policy.store.currency,
        next_steps=tuple(fill(step, context) for step in steps if step),
    )
