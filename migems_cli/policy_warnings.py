"""What `policy check` says of a policy beyond its errors: the contradictions a valid policy may
hold, and whether this machine knows its time zone (not part of every load: see below)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from migems_cli.errors import PolicyError
from migems_cli.policy import Policy
from migems_cli.policy_checker import shown
from migems_cli.policy_load import read_policy_bytes


def policy_warnings(policy: Policy) -> list[str]:
    """Contradictions that a valid policy may hold: each one is a line for `policy check`."""
    return [line for warn in _WARNINGS for line in warn(policy)]


def _idle_zones(policy: Policy) -> Iterator[str]:
    """Shipping zones that name only countries the store does not ship to."""
    destinations = set(policy.shipping.destinations)
    for zone in policy.shipping.zones:
        named = [c for c in zone.countries if c != "*"]
        if named and not destinations.intersection(named) and "*" not in zone.countries:
            rate = f" and a rate of {zone.rate} {policy.store.currency}" if zone.rate else ""
            yield (
                f"shipping zone {zone.id!r} has transit times{rate}, but the store ships to none "
                f"of its countries (destinations: {', '.join(policy.shipping.destinations)})"
            )


def _statuses_abroad(policy: Policy) -> Iterator[str]:
    """Order statuses that apply to a country the store does not ship to."""
    for status in policy.statuses:
        for country in status.countries:
            if country not in policy.shipping.destinations:
                yield (
                    f"status {status.name!r} applies to {country}, which is not a shipping "
                    "destination"
                )


def _damage_days(policy: Policy) -> Iterator[str]:
    """The seed page's two damage-report windows (its returns policy and its FAQ)."""
    if policy.damage_review_days > policy.damage_report_days:
        yield (
            f"damage reports: the returns policy says {policy.damage_report_days} days, the FAQ "
            f"{policy.damage_review_days}; days {policy.damage_report_days + 1}-"
            f"{policy.damage_review_days} go to review"
        )


def _placeholder_email(policy: Policy) -> Iterator[str]:
    if policy.store.support_email_is_placeholder:
        yield f"store.support_email {policy.store.support_email!r} is a placeholder: replace it"


# In the order `policy check` lists them; a new warning is a function here and its name below.
_WARNINGS: tuple[Callable[[Policy], Iterator[str]], ...] = (
    _idle_zones,
    _statuses_abroad,
    _damage_days,
    _placeholder_email,
)


def check_time_zone(policy: Policy) -> None:
    """Raise `PolicyError` unless the policy's time zone is known to this machine.

    Not part of every load: zoneinfo is only needed by commands that ask for today's date
    (`migems_cli.dates.today_in` makes the same check) and by `policy check`.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(policy.store.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        source = policy.source
        try:
            from migems_cli.policy_lines import key_lines, line_of

            text = read_policy_bytes(Path(source), source).decode("utf-8", "replace")
            line = line_of(key_lines(text), "store.time_zone")
        except PolicyError:
            line = 1
        zone = shown(policy.store.time_zone)
        raise PolicyError(
            source, [f"{source}:{line}: store.time_zone: unknown time zone {zone}"]
        ) from None
