"""Ring sizes from the policy's systems: the chart, look-ups by any system, and measurements."""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from migems_cli.errors import InputError
from migems_cli.policy import RingSizes, RingSystem

# pi as the exact value of the nearest double: the only irrational in ring sizing, and far finer
# than any rounding the chart shows.
PI = Fraction(math.pi)
UNITS: Mapping[str, Fraction] = {"mm": Fraction(1), "cm": Fraction(10), "in": Fraction("25.4")}
GLYPHS: Mapping[Fraction, str] = {
    Fraction(1, 4): "¼",
    Fraction(1, 2): "½",
    Fraction(3, 4): "¾",
    Fraction(1, 3): "⅓",
    Fraction(2, 3): "⅔",
    Fraction(1, 8): "⅛",
    Fraction(3, 8): "⅜",
    Fraction(5, 8): "⅝",
    Fraction(7, 8): "⅞",
}
# Digits are ASCII, and at most twelve of them: `\d` takes full-width and Arabic-Indic digits,
# and int() refuses more than 4,300 digits with a ValueError.
_DECIMAL = re.compile(r"[0-9]{1,12}(?:[.,][0-9]{1,12})?")
_SLASHED = re.compile(
    r"(?:(?P<whole>[0-9]{1,12})(?:\s+|\s*-\s*))?(?P<num>[0-9]{1,12})\s*/\s*(?P<den>[0-9]{1,12})"
)
_GLYPHED = re.compile(
    r"(?:(?P<whole>[0-9]{1,12})\s*-?\s*)?(?P<glyph>[" + "".join(GLYPHS.values()) + "])"
)
_LETTER = re.compile(
    r"^(?P<letter>[A-Za-z])\s*(?:(?P<half>½|1\s*/\s*2|\.5)|\+\s*(?P<plus>[0-9]{1,12}))?$"
)
_LENGTH = re.compile(
    r"^(?P<number>[0-9]{1,12}(?:[.,][0-9]{0,12})?|[.,][0-9]{1,12})\s*(?P<unit>[a-z]*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Size:
    """One system's size on a row: its value (letters: the letter's index) and how it is written."""

    value: Fraction | None  # None: the row's length lies below the system's first size
    label: str

    def to_json(self, system: RingSystem) -> Any:
        """Letters as their label; numbers as JSON numbers (integers when the step is whole)."""
        if self.value is None:
            return None
        if system.label == "letters":
            return self.label
        if system.step.denominator == 1 and self.value.denominator == 1:
            return int(self.value)
        return float(self.value)


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the chart: the size in every system, and its inner diameter and circumference."""

    index: int
    sizes: Mapping[str, Size]
    diameter: Fraction  # exact, from the chart system's formula
    diameter_mm: Decimal  # rounded to the policy's decimals: what is shown and compared
    circumference_mm: Decimal

    def length(self, measure: str) -> Decimal:
        return self.diameter_mm if measure == "diameter" else self.circumference_mm

    def to_dict(self, systems: tuple[RingSystem, ...]) -> dict[str, Any]:
        row: dict[str, Any] = {s.id: self.sizes[s.id].to_json(s) for s in systems}
        row["diameter_mm"] = float(self.diameter_mm)
        row["circumference_mm"] = float(self.circumference_mm)
        return row


@dataclass(frozen=True, slots=True)
class Chart:
    """Every size of the chart system from `chart.from` to `chart.to`, in every system."""

    rows: tuple[Row, ...]
    systems: tuple[RingSystem, ...]
    chart_system: RingSystem
    decimals: int

    def dicts(self, rows: tuple[Row, ...] | None = None) -> list[dict[str, Any]]:
        return [row.to_dict(self.systems) for row in (self.rows if rows is None else rows)]

    def to_dict(self) -> dict[str, Any]:
        return {"sizes": self.dicts()}

    def around(self, first: int, last: int, neighbours: int) -> tuple[Row, ...]:
        """Rows `first`..`last` (indices) and `neighbours` rows on either side."""
        return self.rows[max(0, first - neighbours) : last + neighbours + 1]

    def label(self, row: Row) -> str:
        """'US/CA 7¼': the row named by the chart system."""
        return f"{self.chart_system.name} {row.sizes[self.chart_system.id].label}"

    def range_text(self, system: RingSystem) -> str:
        labels = [
            r.sizes[system.id].label for r in self.rows if r.sizes[system.id].value is not None
        ]
        return f"{labels[0]} to {labels[-1]}" if labels else "none"


@dataclass(frozen=True, slots=True)
class Lookup:
    """A size quoted in one system: the chart rows that carry it, and the rows around them."""

    system: RingSystem
    query: str
    size: Size
    exact: bool  # False: no row carries this size; `matches` holds the row to order
    matches: tuple[Row, ...]
    shown: tuple[Row, ...]
    chart: Chart

    @property
    def match(self) -> Row:
        """The size to order: of several rows carrying the size, the larger (as the seed advises
        between two sizes)."""
        return self.matches[-1]

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "lookup": {
                "system": self.system.id,
                "query": self.query,
                "size": self.size.to_json(self.system),
                "exact": self.exact,
            },
            "matches": self.chart.dicts(self.matches),
        }
        if len(self.matches) > 1 or not self.exact:
            document["match"] = self.chart.dicts((self.match,))[0]
        document["sizes"] = self.chart.dicts(self.shown)
        return document


@dataclass(frozen=True, slots=True)
class Measurement:
    """A measured finger or ring: the size to order, the sizes either side, and the advice."""

    kind: str  # "circumference" or "diameter": what was measured
    query: str
    diameter_mm: Decimal
    circumference_mm: Decimal
    exact: bool  # the measurement equals the match's length at the chart's precision
    match: Row  # the size to order: the smallest size at least as large as the measurement
    below: Row | None  # the next smaller size, when the measurement falls between two sizes
    fraction: Decimal | None  # 0..1: where it falls from `below` (0) to `match` (1)
    shown: tuple[Row, ...]
    advice: tuple[str, ...]
    chart: Chart

    @property
    def measured_mm(self) -> Decimal:
        return self.diameter_mm if self.kind == "diameter" else self.circumference_mm

    def to_dict(self) -> dict[str, Any]:
        between = None
        if not self.exact:
            between = {
                "below": self.chart.dicts((self.below,))[0] if self.below else None,
                "above": self.chart.dicts((self.match,))[0],
                "fraction": float(self.fraction) if self.fraction is not None else None,
            }
        return {
            "measurement": {
                "kind": self.kind,
                "query": self.query,
                "diameter_mm": float(self.diameter_mm),
                "circumference_mm": float(self.circumference_mm),
            },
            "exact": self.exact,
            "match": self.chart.dicts((self.match,))[0],
            "between": between,
            "sizes": self.chart.dicts(self.shown),
            "advice": list(self.advice),
        }


def build_chart(rings: RingSizes) -> Chart:
    """The chart the policy describes, one row per size of its chart system."""
    owner = rings.system(rings.chart_system)
    if owner is None:  # the policy loader rejects this; a hand-built RingSizes may not
        raise ValueError(f"unknown chart system {rings.chart_system!r}")
    rows: list[Row] = []
    count = int((rings.chart_to - rings.chart_from) / rings.chart_step)
    for index in range(count + 1):
        size = rings.chart_from + index * rings.chart_step
        length = owner.base_mm + (size - owner.base_size) * owner.mm_per_size
        diameter = length if owner.measure == "diameter" else length / PI
        sizes = {system.id: size_of(system, diameter) for system in rings.systems}
        rows.append(
            Row(
                index=index,
                sizes=sizes,
                diameter=diameter,
                diameter_mm=round_mm(diameter, rings.decimals),
                circumference_mm=round_mm(diameter * PI, rings.decimals),
            )
        )
    return Chart(tuple(rows), rings.systems, owner, rings.decimals)


def size_of(system: RingSystem, diameter: Fraction) -> Size:
    """The size `system` gives an inner `diameter` (mm), rounded half-up to its step."""
    length = diameter if system.measure == "diameter" else diameter * PI
    raw = system.base_size + (length - system.base_mm) / system.mm_per_size
    value = _round(raw, system.step)
    if system.label == "letters":
        last = len(system.letters) - 1
        if value > last:  # after the last letter: Z+1, Z+2 ... in whole steps
            value = _round(raw, Fraction(1))
        if value < 0:
            return Size(None, "—")
    return Size(value, format_size(system, value))


def format_size(system: RingSystem, value: Fraction) -> str:
    """How a size is written: 54, 17.3, 7¼, N½, Z+1."""
    whole = math.floor(value)
    part = value - whole
    if system.label == "letters":
        last = len(system.letters) - 1
        if value > last:
            return f"{system.letters[last]}+{whole - last}"
        return system.letters[whole] + (GLYPHS.get(part, "") if part else "")
    if system.label == "fraction" and (part in GLYPHS or not part):
        return (str(whole) if whole or not part else "") + GLYPHS.get(part, "")
    return _decimal_text(value, _places(system.step))


def parse_size(system: RingSystem, text: str) -> Fraction:
    """The size `text` names in `system` ("N 1/2", "n½", "Z+1", "7 1/4", "54").

    Raises `InputError` (field: the system id) when it is not written as a size of the system.
    """
    value = text.strip()
    if system.base_size == 0 and system.base_mm == 0 and system.mm_per_size == 1:
        # a system whose sizes are millimetres (EU circumference, DE diameter): "17.3mm" too
        value = re.sub(r"\s*mm$", "", value, flags=re.IGNORECASE)
    if system.label == "letters":
        found = _LETTER.match(value)
        last = len(system.letters) - 1
        letter = found.group("letter").upper() if found else ""
        if not found or letter not in system.letters:
            raise InputError(
                system.id,
                text,
                f"not a {system.name} size; write a letter from {system.letters[0]} to "
                f"{system.letters[last]}, a half like N½ or N 1/2, or {system.letters[last]}+1",
            )
        index = Fraction(system.letters.index(letter))
        if found.group("plus") is not None:
            if index != last:
                raise InputError(
                    system.id, text, f"only {system.letters[last]} takes +n (like Z+1)"
                )
            return index + int(found.group("plus"))
        if found.group("half"):
            if index == last:
                raise InputError(
                    system.id, text, f"there is no half size after {system.letters[last]}"
                )
            index += Fraction(1, 2)
        return _on_step(system, text, index)
    return _on_step(system, text, _number(system, text, value))


def _number(system: RingSystem, text: str, value: str) -> Fraction:
    """7, 7.25, 7,25, 7 1/4, 7-1/4, 7¼ or ¾ as a number."""
    if _DECIMAL.fullmatch(value):
        return Fraction(value.replace(",", "."))
    slashed = _SLASHED.fullmatch(value)
    if slashed and int(slashed.group("den")) != 0:
        whole = int(slashed.group("whole") or 0)
        return whole + Fraction(int(slashed.group("num")), int(slashed.group("den")))
    glyphed = _GLYPHED.fullmatch(value)
    if glyphed:
        part = next(k for k, v in GLYPHS.items() if v == glyphed.group("glyph"))
        return int(glyphed.group("whole") or 0) + part
    raise InputError(
        system.id, text, f"not a {system.name} size; write a number like 7, 7.5 or 7 1/4"
    )


def lookup(chart: Chart, rings: RingSizes, system_id: str, text: str) -> Lookup:
    """The rows whose `system_id` size is `text`, with neighbours.

    Raises `InputError` when the system is unknown, the text is not a size, or the size lies
    outside the chart (the message names the chart's range in that system).
    """
    system = rings.system(system_id)
    if system is None:
        raise InputError(system_id, text, "the policy defines no such ring-size system")
    value = parse_size(system, text)
    size = Size(value, format_size(system, value))
    carried = [r for r in chart.rows if r.sizes[system.id].value is not None]
    low = carried[0].sizes[system.id].value if carried else None
    high = carried[-1].sizes[system.id].value if carried else None
    if low is None or high is None or not low <= value <= high:
        raise InputError(
            system.id,
            text,
            f"{system.name} {size.label} is not in the chart; its {system.name} sizes run from "
            f"{chart.range_text(system)}",
        )
    matches = tuple(r for r in carried if r.sizes[system.id].value == value)
    exact = bool(matches)
    if not exact:
        # A size between the chart's rows is a length between two sizes: as for a measurement
        # of that length (see `measure`), the smallest row at least as large, so that `--de
        # 17.4` and `--diameter 17.4` order the same ring.
        length = round_mm(
            system.base_mm + (value - system.base_size) * system.mm_per_size, rings.decimals
        )
        kind = system.measure
        matches = (next((r for r in carried if r.length(kind) >= length), carried[-1]),)
    shown = chart.around(matches[0].index, matches[-1].index, rings.neighbours)
    return Lookup(system, text, size, exact, matches, shown, chart)


def parse_length(text: str, field: str) -> Fraction:
    """A length in mm from "54.4", "54.4mm", "5.44 cm" or "2.14in". Raises `InputError`."""
    value = text.strip()
    negative = value.startswith("-")
    found = _LENGTH.match(value[1:].strip() if negative else value)
    unit = (found.group("unit").lower() if found else "") or "mm"
    if not found or unit not in UNITS:
        raise InputError(
            field, text, "not a length; write a number with mm (default), cm or in, like 54.4"
        )
    number = Fraction(found.group("number").replace(",", "."))
    if negative or number == 0:
        raise InputError(field, text, "must be more than zero")
    return number * UNITS[unit]


def measure(chart: Chart, rings: RingSizes, kind: str, text: str) -> Measurement:
    """The size to order for a measured inner `kind` ("circumference" or "diameter") `text`.

    Between two sizes the larger is chosen. Raises `InputError` for a length that is not
    plausible for a finger or lies outside the chart.
    """
    mm = parse_length(text, kind)
    places = rings.decimals
    diameter = mm if kind == "diameter" else mm / PI
    circumference = diameter * PI
    low, high = rings.min_circumference_mm, rings.max_circumference_mm
    if not low <= circumference <= high:
        scale = PI if kind == "diameter" else Fraction(1)
        raise InputError(
            kind,
            text,
            f"{_decimal_text(mm, places)} mm is not a plausible finger; an inner {kind} runs from "
            f"{_decimal_text(low / scale, places)} to {_decimal_text(high / scale, places)} mm"
            + _other_units(text, mm, circumference / mm, low, high),
        )
    measured = round_mm(mm, places)
    rows = chart.rows
    first, last = rows[0].length(kind), rows[-1].length(kind)
    floor = first - (rows[1].length(kind) - first) if len(rows) > 1 else first
    if measured > last or measured < floor:
        side = "larger than the largest" if measured > last else "smaller than the smallest"
        edge = rows[-1] if measured > last else rows[0]
        raise InputError(
            kind,
            text,
            f"{measured} mm is {side} size in the chart ({chart.label(edge)}, "
            f"{edge.length(kind)} mm {kind})",
        )
    match = next(r for r in rows if r.length(kind) >= measured)
    exact = match.length(kind) == measured
    below = rows[match.index - 1] if not exact and match.index > 0 else None
    fraction = None
    if below is not None:
        span = match.length(kind) - below.length(kind)
        fraction = ((measured - below.length(kind)) / span).quantize(Decimal("0.01"))
    advice = tuple(
        rings.advice[key]
        for key in ("between_sizes", "warm_fingers", "more_room")
        if key != "between_sizes" or not exact
    )
    return Measurement(
        kind=kind,
        query=text,
        diameter_mm=round_mm(diameter, places),
        circumference_mm=round_mm(circumference, places),
        exact=exact,
        match=match,
        below=below,
        fraction=fraction,
        shown=chart.around(match.index, match.index, rings.neighbours),
        advice=advice,
        chart=chart,
    )


def _other_units(
    text: str, mm: Fraction, to_circumference: Fraction, low: Fraction, high: Fraction
) -> str:
    """'; did you mean 2.1in?' when a bare number is a plausible finger in another unit."""
    found = _LENGTH.match(text.strip())
    if not found or found.group("unit"):
        return ""
    number = found.group("number")
    units = [
        unit
        for unit, factor in UNITS.items()
        if factor != 1 and low <= mm * factor * to_circumference <= high
    ]
    if not units:
        return ""
    return "; did you mean " + " or ".join(f"{number}{unit}" for unit in units) + "?"


def round_mm(value: Fraction, places: int) -> Decimal:
    """`value` rounded half-up to `places` decimals, exactly."""
    scaled = math.floor(value * 10**places + Fraction(1, 2))
    return Decimal(scaled).scaleb(-places)


def _round(value: Fraction, step: Fraction) -> Fraction:
    return math.floor(value / step + Fraction(1, 2)) * step


def _places(step: Fraction) -> int:
    places = 0
    while (step * 10**places).denominator != 1 and places < 6:
        places += 1
    return places


def _decimal_text(value: Fraction, places: int) -> str:
    return str(round_mm(value, places))


def _on_step(system: RingSystem, text: str, value: Fraction) -> Fraction:
    if value % system.step:
        raise InputError(
            system.id,
            text,
            f"{system.name} sizes go in steps of {format_size_step(system)}",
        )
    return value


def format_size_step(system: RingSystem) -> str:
    """The step of a system as people say it: ¼, ½ letter, 0.1, 1."""
    if system.label == "letters":
        return "a half letter" if system.step == Fraction(1, 2) else "a letter"
    if system.label == "fraction" and system.step in GLYPHS:
        return GLYPHS[system.step]
    return _decimal_text(system.step, _places(system.step))
