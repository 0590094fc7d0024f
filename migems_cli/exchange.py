"""The new ring size an exchange names: a size in any system of the chart, or a measured length.

`parse_exchange_size` reuses `ring_sizes`' look-up and measurement, so `--exchange-size "UK P"`
orders the ring `ring-size --uk P` names, and `--exchange-size 17.3mm` the one `ring-size
--diameter 17.3` names. Only commands (and batch rows) given a size import this module.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from migems_cli.errors import InputError
from migems_cli.policy import Policy, RingSystem
from migems_cli.ring_sizes import (
    PI,
    Chart,
    Row,
    build_chart,
    lookup,
    measure,
    parse_length,
    round_mm,
)

FIELD = "exchange_size"
# A system's name (one of its aliases) and the size after it: "US 7.5", "uk:P", "EU56".
_NAMED = re.compile(r"^(?P<name>[A-Za-z]+)\s*:?\s*(?P<size>\S.*)$")
_UNIT = re.compile(r"[A-Za-z]\s*$")  # a length ends with its unit: "17.3mm", "54.4 mm"


class ExchangeSize(NamedTuple):
    """The ring size an exchange asks for: the chart row to order, and the advice to pass on."""

    query: str  # as typed
    given_as: (
        str  # the system id it was written in ("us", "uk", ...), or "diameter"/"circumference"
    )
    label: str  # the size to order in the chart's system: "US/CA 7"
    size: dict[str, Any]  # the chart row: us, uk, eu, jp, ch, de, diameter_mm, circumference_mm
    advice: tuple[str, ...]
    labels: tuple[tuple[str, str], ...] = ()  # (system name, size as written) for people

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": dict(self.size),
            "query": self.query,
            "given_as": self.given_as,
            "advice": list(self.advice),
        }


@lru_cache(maxsize=4)
def chart_of(policy: Policy) -> Chart:
    """The policy's chart, built once per policy (a batch of exchanges reads it for each row)."""
    return build_chart(policy.ring_sizes)


def aliases(policy: Policy) -> dict[str, RingSystem]:
    """Each name a system can be written with, lower-case: its id and each part of its name
    ("US/CA": us, ca)."""
    found: dict[str, RingSystem] = {}
    for system in policy.ring_sizes.systems:
        for name in (system.id, *system.name.split("/")):
            key = name.strip().casefold()
            if key.isalpha():
                found.setdefault(key, system)
    return found


@lru_cache(maxsize=1024)
def parse_exchange_size(policy: Policy, text: str) -> ExchangeSize:
    """The size `text` names: "US 7.5", "UK P", "EU 56", "JP 13", "CH 16", "DE 17.3", or a
    measured length with its unit ("17.3mm", "54.4 mm", "1.73cm", "2.14in").

    A length is an inner diameter when it lies in the plausible diameters (the policy's
    plausible circumferences divided by pi) and an inner circumference when it lies in the
    plausible circumferences: the two ranges do not overlap (a ring 35 mm round is 11 mm
    across), so the length itself says which it is. A bare number is refused: "7" could be a US
    size or a length. Raises `InputError` naming `exchange_size`, listing the forms.
    """
    value = text.strip()
    chart = chart_of(policy)
    rings = policy.ring_sizes
    if value[:1].isdigit() or value[:1] in ".,":
        return _measured(policy, chart, text, value)
    named = _NAMED.match(value)
    systems = aliases(policy)
    system = systems.get(named.group("name").casefold()) if named else None
    size = named.group("size") if named else ""
    if system is None:  # "UKP", "US7": a system's name run into the size
        lowered = value.casefold()
        for name in sorted(systems, key=len, reverse=True):
            if lowered.startswith(name) and len(value) > len(name):
                system, size = systems[name], value[len(name) :].lstrip(" :")
                break
    if system is None or not size:
        raise InputError(FIELD, text, f"not a ring size; {forms(policy)}")
    try:
        found = lookup(chart, rings, system.id, size)
    except InputError as exc:
        raise InputError(FIELD, text, exc.message) from None
    row = found.match
    between = len(found.matches) > 1 or not found.exact
    advice = tuple(
        rings.advice[key]
        for key in ("between_sizes", "warm_fingers", "more_room")
        if key != "between_sizes" or between
    )
    return _size(chart, text, system.id, row, advice)


def _measured(policy: Policy, chart: Chart, text: str, value: str) -> ExchangeSize:
    if not _UNIT.search(value):
        raise InputError(FIELD, text, f"a bare number could be a size or a length; {forms(policy)}")
    mm = parse_length(value, FIELD)
    rings = policy.ring_sizes
    low, high = rings.min_circumference_mm, rings.max_circumference_mm
    as_diameter = low <= mm * PI <= high
    as_circumference = low <= mm <= high
    if as_diameter == as_circumference:
        places = rings.decimals
        why = (
            "could be an inner diameter or an inner circumference"
            if as_diameter
            else "is not a plausible finger"
        )
        raise InputError(
            FIELD,
            text,
            f"{round_mm(mm, places)} mm {why}: an inner diameter runs from "
            f"{round_mm(low / PI, places)} to {round_mm(high / PI, places)} mm, an inner "
            f"circumference from {round_mm(low, places)} to {round_mm(high, places)} mm",
        )
    kind = "diameter" if as_diameter else "circumference"
    try:
        found_size = measure(chart, rings, kind, value)
    except InputError as exc:
        raise InputError(FIELD, text, exc.message) from None
    return _size(chart, text, kind, found_size.match, found_size.advice)


def _size(
    chart: Chart, text: str, given_as: str, row: Row, advice: tuple[str, ...]
) -> ExchangeSize:
    labels = tuple(
        (system.name, row.sizes[system.id].label)
        for system in chart.systems
        if row.sizes[system.id].value is not None
    )
    return ExchangeSize(text, given_as, chart.label(row), chart.dicts((row,))[0], advice, labels)


def forms(policy: Policy) -> str:
    """The ways to write a size, with examples from the middle of the policy's chart."""
    chart = chart_of(policy)
    middle = len(chart.rows) // 2
    # each system's size nearest the chart's middle that can be typed (no ½ or ¼)
    sizes = ", ".join(
        f"{system.id.upper()} {label}"
        for system in chart.systems
        for label in _typeable(chart, system.id, middle)[:1]
    )
    row = chart.rows[middle]
    names = ", ".join(system.name for system in chart.systems)
    return (
        f"write a size with its system ({sizes}; systems: {names}) or a measured length with "
        f"its unit: {row.diameter_mm}mm (an inner diameter) or {row.circumference_mm}mm (an "
        "inner circumference)"
    )


def _typeable(chart: Chart, system_id: str, middle: int) -> list[str]:
    rows = sorted(chart.rows, key=lambda r: abs(r.index - middle))
    return [
        size.label
        for size in (r.sizes[system_id] for r in rows)
        if size.value is not None and size.label.isascii()
    ]
