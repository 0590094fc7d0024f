"""Order statuses: what each means, and what applies to one order, as pure data.

Kept apart from `migems_cli.schedule` so `migems status` starts fast: nothing here counts
business days (the caller passes a ship window computed with `schedule.ship_window`).
"""

import re
from typing import TYPE_CHECKING, Any, NamedTuple

from migems_cli.errors import InputError
from migems_cli.policy import Policy, Status

if TYPE_CHECKING:
    from migems_cli.schedule import ShipWindow

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def country_code(text: str, field: str = "country") -> str:
    """`text` as an upper-case two-letter country code. Raises `InputError` naming `field`."""
    code = text.strip().upper()
    if not _COUNTRY.match(code):
        raise InputError(field, text, "not a two-letter country code, like US")
    return code


class StatusInfo(NamedTuple):
    status: Status
    window: "ShipWindow | None"  # the ship window, for the processing status with an order date
    country: str | None
    applies_to_country: bool | None

    def to_dict(self) -> dict[str, Any]:
        s = self.status
        out: dict[str, Any] = {
            "name": s.name,
            "meaning": s.meaning,
            "typical_duration": s.typical_duration,
            "customer_advice": s.customer_advice,
            "countries": list(s.countries),
        }
        if self.window is not None:
            out["ships_from"] = self.window.ships_from.isoformat()
            out["ships_by"] = self.window.ships_by.isoformat()
        if self.country is not None:
            out["country"] = self.country
            out["applies_to_country"] = self.applies_to_country
        return out


class StatusReport(NamedTuple):
    statuses: tuple[StatusInfo, ...]
    refusal: str  # the policy's words when the store does not ship to `country`, else ""

    def to_dict(self) -> dict[str, Any]:
        return {"statuses": [s.to_dict() for s in self.statuses]}


def find_status(policy: Policy, name: str) -> Status:
    """The status called `name`, in any case. Raises `InputError` listing the known ones."""
    found = policy.status(name)
    if found is None:
        known = ", ".join(s.name for s in policy.statuses)
        raise InputError("NAME", name, f"unknown status (known: {known})")
    return found


def status_info(
    policy: Policy,
    name: str | None = None,
    country: str | None = None,
    window: "ShipWindow | None" = None,
) -> StatusReport:
    """Every order status, or the one called `name`, with what applies to this order.

    `window` (from `ship_window`) is attached to the policy's processing status; `country` says
    for each status whether it can apply there (a status without countries applies to every
    destination). Raises `InputError` for an unknown name or a malformed country.
    """
    chosen = (find_status(policy, name),) if name is not None else policy.statuses
    code = country_code(country) if country is not None else None
    processing = policy.processing_status.casefold()
    ships = code in policy.shipping.destinations if code is not None else None
    infos = []
    for status in chosen:
        applies = None
        if code is not None:
            applies = code in status.countries if status.countries else bool(ships)
        infos.append(
            StatusInfo(
                status=status,
                window=window if status.name.casefold() == processing else None,
                country=code,
                applies_to_country=applies,
            )
        )
    return StatusReport(
        statuses=tuple(infos),
        refusal=policy.shipping.refusal if ships is False else "",
    )
