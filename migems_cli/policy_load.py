"""Read policy.toml into a `Policy`, collecting every error as `file:line: key: message`."""

from __future__ import annotations

import re
import sys
from _string import formatter_parser  # type: ignore[import-not-found]  # string.Formatter.parse, without importing string
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from migems_cli import policy_cache
from migems_cli.errors import PolicyError
from migems_cli.policy import (
    DEADLINE_IDS,
    PATHS,
    PAYERS,
    REFUND_NOTE_STATES,
    REMEDIES,
    RING_LABELS,
    RING_MEASURES,
    CalendarPolicy,
    Category,
    Policy,
    Reason,
    RingHowTo,
    RingSizes,
    RingSystem,
    RuleText,
    Shipping,
    Status,
    Store,
    Window,
    Zone,
    display_path,
    fraction_text,
)

T = TypeVar("T")

# The placeholders a text template may use (filled in by migems_cli.texts).
PLACEHOLDERS = frozenset(
    {
        "day",
        "window",
        "return_by",
        "report_by",
        "review_until",
        "report_days",
        "review_days",
        "category",
        "condition",
        "reason",
        "amount",
        "refund_min",
        "refund_max",
        "support_email",
        "processing_min",
        "processing_max",
    }
)
# Texts filled with more than the common placeholders (migems_cli.schedule fills them).
REFUND_NOTE_PLACEHOLDERS = PLACEHOLDERS | {"received", "expected_from", "expected_by"}
DEADLINE_PLACEHOLDERS = PLACEHOLDERS | {"transit_min", "transit_max", "zone"}

# The rules the engine evaluates, and which texts each needs: the outcomes it can produce are
# logic (migems_cli.rules); their wording is policy.
RULE_TEXTS: Mapping[str, tuple[str, ...]] = {
    "return-window": ("pass", "fail", "next_step"),
    "condition": ("pass", "fail", "next_step"),
    "packaging": ("pass", "fail", "next_step"),
    "category": ("pass", "fail", "exempt", "exempt_unknown", "review", "next_step", "review_step"),
    "custom": ("pass", "fail", "exempt", "next_step"),
    "sale": ("pass", "fail", "review", "next_step", "review_step"),
    "damage-window": ("pass", "review", "fail", "next_step", "review_step"),
    "photos": ("pass", "review", "exempt", "review_step"),
}
NEXT_STEP_KEYS = ("change-of-mind", "defect", "ineligible")


def _code(text: str, length: int) -> bool:
    """An upper-case ASCII code of `length` letters (country: 2, currency: 3)."""
    return len(text) == length and text.isascii() and text.isalpha() and text.isupper()


class _Checker:
    """Walks the parsed TOML, records errors with their lines, and returns checked values."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.source_text = text
        self.lines: dict[str, int] | None = None  # scanned on the first error only
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        from migems_cli.policy_lines import key_lines, line_of  # only a bad policy needs lines

        if self.lines is None:
            self.lines = key_lines(self.source_text)
        self.errors.append(f"{self.source}:{line_of(self.lines, path)}: {path}: {message}")

    def table(
        self, data: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """`data` as a table, after naming its missing and unknown keys."""
        if not isinstance(data, dict):
            self.error(path, f"must be a table, not {_kind(data)}")
            return {}
        for key in required:
            if key not in data:
                self.error(_join(path, key), "missing key")
        for key in data:
            if key not in required and key not in optional:
                known = ", ".join((*required, *optional))
                self.error(_join(path, key), f"unknown key (known keys: {known})")
        return data

    def value(self, table: dict[str, Any], path: str, key: str, kind: type[T], default: T) -> T:
        """`table[key]` when it is of `kind`; else `default`, after recording why."""
        where = _join(path, key)
        if key not in table:
            return default
        value = table[key]
        # bool is an int in Python, but `window_days = true` is a typo, not a number
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return value
        self.error(where, f"must be {_kind_name(kind)}, not {_kind(value)}")
        return default

    def text(
        self,
        table: dict[str, Any],
        path: str,
        key: str,
        allowed: frozenset[str] = PLACEHOLDERS,
    ) -> str:
        value = self.value(table, path, key, str, "")
        if key in table and isinstance(table[key], str):
            if not value.strip():
                self.error(_join(path, key), "must not be empty")
            self.template(_join(path, key), value, allowed)
        return value

    def template(self, path: str, text: str, allowed: frozenset[str] = PLACEHOLDERS) -> None:
        try:
            fields = {name for _, name, _, _ in formatter_parser(text) if name is not None}
        except ValueError as exc:
            self.error(path, f"bad template: {exc}")
            return
        unknown = sorted(name for name in fields if name not in allowed)
        if unknown:
            self.error(path, f"unknown placeholder {{{unknown[0]}}}")

    def days(self, table: dict[str, Any], path: str, key: str) -> int:
        value = self.value(table, path, key, int, 0)
        if value < 0:
            self.error(_join(path, key), f"must not be negative, not {value}")
        return value

    def window(self, table: dict[str, Any], path: str) -> Window:
        low = self.days(table, path, "min_business_days")
        high = self.days(table, path, "max_business_days")
        if low > high:
            self.error(
                _join(path, "min_business_days"),
                f"window is inverted: {low} is more than max_business_days {high}",
            )
        return Window(low, high)

    def strings(self, table: dict[str, Any], path: str, key: str) -> tuple[str, ...]:
        values = self.value(table, path, key, list, [])
        out: list[str] = []
        for index, item in enumerate(values):
            if isinstance(item, str):
                out.append(item)
            else:
                self.error(f"{_join(path, key)}[{index}]", f"must be a string, not {_kind(item)}")
        return tuple(out)

    def countries(
        self, table: dict[str, Any], path: str, key: str, wildcard: bool
    ) -> tuple[str, ...]:
        codes = self.strings(table, path, key)
        for code in codes:
            if not (_code(code, 2) or (wildcard and code == "*")):
                self.error(_join(path, key), f"{code!r} is not a two-letter country code")
        return codes

    def records(
        self, data: dict[str, Any], key: str, build: Callable[[Any, str], T]
    ) -> tuple[T, ...]:
        """An array of tables, each built by `build(item, path)`."""
        items = self.value(data, "", key, list, [])
        if key in data and not items:
            self.error(key, "must not be empty")
        return tuple(build(item, f"{key}[{index}]") for index, item in enumerate(items))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _kind_name(kind: type) -> str:
    return _kind(kind()) if kind in (bool, int, float, str, list, dict) else kind.__name__


def load_policy(path: Path) -> Policy:
    """Read and validate the policy at `path`.

    Returns the immutable `Policy`. Raises `PolicyError` listing every problem found.
    """
    source = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(source, [f"{source}: cannot read: {exc.strerror or exc}"]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(source, [f"{source}: not UTF-8 text: {exc.reason}"]) from None
    return parse_policy(text, source)


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Validate TOML `text` as a policy; `source` names it in errors. Raises `PolicyError`.

    The TOML of a policy that was valid before comes from `policy_cache` (it is validated all
    the same); otherwise it is parsed here, and cached once it proves valid.
    """
    data = policy_cache.cached(text)
    parsed = data is None
    if data is None:
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - exercised only on Python 3.10
            import tomli as tomllib
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(source, [_syntax_error(source, str(exc))]) from None
    check = _Checker(source, text)
    policy = _build(check, data, source)
    if check.errors or policy is None:
        raise PolicyError(source, check.errors or [f"{source}:1: invalid policy"])
    if parsed:
        policy_cache.store(text, data)
    return policy


def _syntax_error(source: str, message: str) -> str:
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if match:
        bare = message[: match.start()].strip()
        return f"{source}:{match.group(1)}: syntax: {bare} (column {match.group(2)})"
    return f"{source}:1: syntax: {message}"


TOP_LEVEL = (
    "schema_version",
    "store",
    "calendar",
    "returns",
    "damage",
    "refund",
    "processing",
    "shipping",
    "categories",
    "reasons",
    "conditions",
    "defaults",
    "rules",
    "next_steps",
    "statuses",
    "deadlines",
    "ring_sizes",
)


def _build(check: _Checker, data: dict[str, Any], source: str) -> Policy | None:
    top = check.table(data, "", TOP_LEVEL)
    if check.value(top, "", "schema_version", int, 1) != 1:
        check.error("schema_version", "this migems reads schema_version 1")

    store_t = check.table(top.get("store", {}), "store", _STORE_KEYS)
    store = Store(
        name=check.text(store_t, "store", "name"),
        currency=check.value(store_t, "store", "currency", str, "USD"),
        time_zone=check.value(store_t, "store", "time_zone", str, "UTC"),
        support_email=check.value(store_t, "store", "support_email", str, ""),
        support_email_is_placeholder=check.value(
            store_t, "store", "support_email_is_placeholder", bool, False
        ),
    )
    if "currency" in store_t and not _code(store.currency, 3):
        check.error("store.currency", f"{store.currency!r} is not a three-letter currency code")
    if "time_zone" in store_t and not store.time_zone.strip():
        check.error("store.time_zone", "must not be empty")
    if "support_email" in store_t and "@" not in store.support_email:
        check.error("store.support_email", f"{store.support_email!r} is not an e-mail address")

    cal_t = check.table(top.get("calendar", {}), "calendar", ("holiday_country", "closures"))
    closures = check.value(cal_t, "calendar", "closures", list, [])
    for index, day in enumerate(closures):
        if not isinstance(day, date) or hasattr(day, "hour"):
            check.error(f"calendar.closures[{index}]", f"must be a date, not {_kind(day)}")
    calendar = CalendarPolicy(
        holiday_country=check.value(cal_t, "calendar", "holiday_country", str, "US"),
        closures=tuple(d for d in closures if isinstance(d, date) and not hasattr(d, "hour")),
    )
    if "holiday_country" in cal_t and not _code(calendar.holiday_country, 2):
        check.error(
            "calendar.holiday_country", f"{calendar.holiday_country!r} is not a country code"
        )

    ret_t = check.table(
        top.get("returns", {}), "returns", ("window_days", "non_returnable_categories")
    )
    dmg_t = check.table(top.get("damage", {}), "damage", ("report_days", "review_until_days"))
    report_days = check.days(dmg_t, "damage", "report_days")
    review_days = check.days(dmg_t, "damage", "review_until_days")
    if review_days < report_days:
        check.error(
            "damage.review_until_days",
            f"window is inverted: {review_days} is less than report_days {report_days}",
        )

    refund_t = check.table(top.get("refund", {}), "refund", _REFUND_KEYS)
    late_steps = check.strings(refund_t, "refund", "late_refund_steps")
    for index, step in enumerate(late_steps):
        check.template(f"refund.late_refund_steps[{index}]", step)
    refund_notes = MappingProxyType(
        {
            state: check.text(refund_t, "refund", f"{state}_note", REFUND_NOTE_PLACEHOLDERS)
            for state in REFUND_NOTE_STATES
        }
    )
    dl_t = check.table(top.get("deadlines", {}), "deadlines", DEADLINE_IDS)
    deadline_texts = MappingProxyType(
        {key: check.text(dl_t, "deadlines", key, DEADLINE_PLACEHOLDERS) for key in DEADLINE_IDS}
    )

    proc_t = check.table(
        top.get("processing", {}),
        "processing",
        ("status", "min_business_days", "max_business_days"),
    )
    shipping = _shipping(check, top.get("shipping", {}))
    categories = check.records(top, "categories", lambda item, path: _category(check, item, path))
    reasons = check.records(top, "reasons", lambda item, path: _reason(check, item, path))
    statuses = check.records(top, "statuses", lambda item, path: _status(check, item, path))
    _unique(check, "categories", [c.name for c in categories] + [c.plural for c in categories])
    _unique(check, "reasons", [r.id for r in reasons])
    _unique(check, "statuses", [s.name.casefold() for s in statuses])

    cond_t = check.table(top.get("conditions", {}), "conditions", ("known", "accepted"))
    conditions = check.strings(cond_t, "conditions", "known")
    accepted = check.strings(cond_t, "conditions", "accepted")
    for value in accepted:
        if value not in conditions:
            check.error("conditions.accepted", f"{value!r} is not one of conditions.known")

    def_t = check.table(top.get("defaults", {}), "defaults", ("reason", "condition"))
    default_reason = check.value(def_t, "defaults", "reason", str, "")
    default_condition = check.value(def_t, "defaults", "condition", str, "")
    if "reason" in def_t and default_reason not in {r.id for r in reasons}:
        check.error("defaults.reason", f"unknown reason {default_reason!r}")
    if "condition" in def_t and default_condition not in conditions:
        check.error("defaults.condition", f"unknown condition {default_condition!r}")

    non_returnable = check.strings(ret_t, "returns", "non_returnable_categories")
    names = {c.name for c in categories}
    plural_to_name = {c.plural: c.name for c in categories}
    for value in non_returnable:
        if value not in names and value not in plural_to_name:
            check.error(
                "returns.non_returnable_categories",
                f"unknown category {value!r} (known: {', '.join(sorted(names))})",
            )
    processing_status = check.value(proc_t, "processing", "status", str, "")
    if "status" in proc_t and processing_status.casefold() not in {
        s.name.casefold() for s in statuses
    }:
        check.error("processing.status", f"unknown status {processing_status!r}")

    return Policy(
        source=source,
        store=store,
        calendar=calendar,
        return_window_days=check.days(ret_t, "returns", "window_days"),
        non_returnable_categories=tuple(plural_to_name.get(v, v) for v in non_returnable),
        damage_report_days=report_days,
        damage_review_days=review_days,
        refund=check.window(refund_t, "refund"),
        shipping_refunded=check.value(refund_t, "refund", "shipping_refunded", bool, False),
        late_refund_steps=late_steps,
        refund_notes=refund_notes,
        processing=check.window(proc_t, "processing"),
        processing_status=processing_status,
        shipping=shipping,
        categories=categories,
        reasons=reasons,
        conditions=conditions,
        accepted_conditions=accepted,
        default_reason=default_reason,
        default_condition=default_condition,
        rules=_rules(check, top.get("rules", {})),
        next_steps=_next_steps(check, top.get("next_steps", {})),
        statuses=statuses,
        deadline_texts=deadline_texts,
        ring_sizes=_ring_sizes(check, top.get("ring_sizes", {})),
    )


_STORE_KEYS = ("name", "currency", "time_zone", "support_email", "support_email_is_placeholder")
_REFUND_KEYS = (
    "min_business_days",
    "max_business_days",
    "shipping_refunded",
    "late_refund_steps",
    *(f"{state}_note" for state in REFUND_NOTE_STATES),
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

            line = line_of(key_lines(Path(source).read_text(encoding="utf-8")), "store.time_zone")
        except OSError:
            line = 1
        raise PolicyError(
            source,
            [f"{source}:{line}: store.time_zone: unknown time zone {policy.store.time_zone!r}"],
        ) from None


def _shipping(check: _Checker, data: Any) -> Shipping:
    table = check.table(data, "shipping", ("destinations", "refusal", "zones"), ("delay_note",))
    zones = tuple(
        _zone(check, item, f"shipping.zones[{index}]")
        for index, item in enumerate(check.value(table, "shipping", "zones", list, []))
    )
    _unique(check, "shipping.zones", [z.id for z in zones])
    if sum("*" in z.countries for z in zones) > 1:
        check.error("shipping.zones", "only one zone may list '*' (every other country)")
    shipping = Shipping(
        destinations=check.countries(table, "shipping", "destinations", wildcard=False),
        refusal=check.text(table, "shipping", "refusal"),
        delay_note=check.text(table, "shipping", "delay_note") if "delay_note" in table else "",
        zones=zones,
    )
    for country in shipping.destinations:
        if shipping.zone_for(country) is None:
            check.error("shipping.destinations", f"no zone gives transit times for {country}")
    return shipping


def _zone(check: _Checker, data: Any, path: str) -> Zone:
    table = check.table(
        data, path, ("id", "name", "min_business_days", "max_business_days", "countries"), ("rate",)
    )
    rate_text = check.value(table, path, "rate", str, "")
    rate: Decimal | None = None
    if rate_text:
        whole, _, cents = rate_text.partition(".")
        if (
            whole.isdecimal()
            and whole.isascii()
            and (not cents or (cents.isdecimal() and len(cents) <= 2))
        ):
            rate = Decimal(rate_text)
        else:
            check.error(f"{path}.rate", f'{rate_text!r} is not an amount like "22.00"')
    return Zone(
        id=check.value(table, path, "id", str, ""),
        name=check.text(table, path, "name"),
        transit=check.window(table, path),
        rate=rate,
        countries=check.countries(table, path, "countries", wildcard=True),
    )


def _category(check: _Checker, data: Any, path: str) -> Category:
    table = check.table(data, path, ("name", "plural"))
    return Category(
        name=check.value(table, path, "name", str, ""),
        plural=check.value(table, path, "plural", str, ""),
    )


def _reason(check: _Checker, data: Any, path: str) -> Reason:
    keys = ("id", "label", "path", "remedy", "return_shipping_paid_by", "photos_required")
    table = check.table(data, path, keys)
    reason = Reason(
        id=check.value(table, path, "id", str, ""),
        label=check.text(table, path, "label"),
        path=check.value(table, path, "path", str, PATHS[0]),
        remedy=check.value(table, path, "remedy", str, REMEDIES[0]),
        return_shipping_paid_by=check.value(table, path, "return_shipping_paid_by", str, PAYERS[0]),
        photos_required=check.value(table, path, "photos_required", bool, False),
    )
    for key, allowed in (
        ("path", PATHS),
        ("remedy", REMEDIES),
        ("return_shipping_paid_by", PAYERS),
    ):
        if getattr(reason, key) not in allowed:
            check.error(f"{path}.{key}", f"must be one of {', '.join(allowed)}")
    return reason


def _status(check: _Checker, data: Any, path: str) -> Status:
    table = check.table(
        data, path, ("name", "meaning", "typical_duration", "customer_advice"), ("countries",)
    )
    return Status(
        name=check.text(table, path, "name"),
        meaning=check.text(table, path, "meaning"),
        typical_duration=check.text(table, path, "typical_duration"),
        customer_advice=check.text(table, path, "customer_advice"),
        countries=check.countries(table, path, "countries", wildcard=False),
    )


def _rules(check: _Checker, data: Any) -> Mapping[str, RuleText]:
    table = check.table(data, "rules", tuple(RULE_TEXTS))
    rules: dict[str, RuleText] = {}
    for rule_id, needed in RULE_TEXTS.items():
        path = f"rules.{rule_id}"
        body = check.table(table.get(rule_id, {}), path, ("clause", *needed))
        rules[rule_id] = RuleText(
            id=rule_id,
            clause=check.text(body, path, "clause"),
            texts=MappingProxyType({key: check.text(body, path, key) for key in needed}),
        )
    return MappingProxyType(rules)


def _next_steps(check: _Checker, data: Any) -> Mapping[str, tuple[str, ...]]:
    table = check.table(data, "next_steps", NEXT_STEP_KEYS)
    steps: dict[str, tuple[str, ...]] = {}
    for key in NEXT_STEP_KEYS:
        steps[key] = check.strings(table, "next_steps", key)
        for index, step in enumerate(steps[key]):
            check.template(f"next_steps.{key}[{index}]", step)
    return MappingProxyType(steps)


def _unique(check: _Checker, path: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            check.error(path, f"{value!r} is listed twice")
        seen.add(value)


_RING_KEYS = ("decimals", "min_circumference_mm", "max_circumference_mm", "neighbours")
_RING_SYSTEM_KEYS = (
    "id",
    "name",
    "title",
    "measure",
    "base_size",
    "base_mm",
    "mm_per_size",
    "step",
    "label",
)
_RING_ADVICE = ("between_sizes", "warm_fingers", "more_room")
_RING_ID = re.compile(r"^[a-z][a-z0-9]{1,9}$")
_FRACTION = re.compile(r"^-?\d+(\.\d+)?(/\d+)?$")


def _ring_sizes(check: _Checker, data: Any) -> RingSizes:
    """`[ring_sizes]`: the chart, its systems, advice and measuring guide."""
    path = "ring_sizes"
    table = check.table(
        data, path, (*_RING_KEYS, "chart", "systems", "advice", "how_to"), ("notes",)
    )
    decimals = check.value(table, path, "decimals", int, 2)
    if not 0 <= decimals <= 6:
        check.error(f"{path}.decimals", f"must be from 0 to 6, not {decimals}")
    neighbours = check.value(table, path, "neighbours", int, 2)
    if neighbours < 0:
        check.error(f"{path}.neighbours", f"must not be negative, not {neighbours}")
    low = _ring_number(check, table, path, "min_circumference_mm", positive=True)
    high = _ring_number(check, table, path, "max_circumference_mm", positive=True)
    if low >= high and "max_circumference_mm" in table:
        check.error(
            f"{path}.min_circumference_mm",
            f"must be less than max_circumference_mm ({fraction_text(low)} >= {fraction_text(high)})",
        )
    notes = check.strings(table, path, "notes")

    systems: list[RingSystem] = []
    for index, item in enumerate(check.value(table, path, "systems", list, [])):
        systems.append(_ring_system(check, item, f"{path}.systems[{index}]"))
    if "systems" in table and not systems:
        check.error(f"{path}.systems", "must not be empty")
    seen: set[str] = set()
    for index, system in enumerate(systems):
        if system.id in seen:
            check.error(f"{path}.systems[{index}].id", f"{system.id!r} is listed twice")
        seen.add(system.id)

    chart_path = f"{path}.chart"
    chart = check.table(table.get("chart", {}), chart_path, ("system", "from", "to", "step"))
    chart_system = check.value(chart, chart_path, "system", str, "")
    first = _ring_number(check, chart, chart_path, "from", positive=False)
    last = _ring_number(check, chart, chart_path, "to", positive=False)
    step = _ring_number(check, chart, chart_path, "step", positive=True)
    by_id = {s.id: s for s in systems}
    if "system" in chart and systems and chart_system not in by_id:
        check.error(f"{chart_path}.system", f"unknown system {chart_system!r}")
    if "to" in chart and first >= last:
        check.error(
            f"{chart_path}.from",
            f"range is inverted or empty: {fraction_text(first)} to {fraction_text(last)}",
        )
    elif step > 0 and (last - first) % step:
        check.error(
            f"{chart_path}.step",
            f"{fraction_text(step)} does not divide the range {fraction_text(first)} to "
            f"{fraction_text(last)}",
        )
    owner = by_id.get(chart_system)
    if owner and owner.step > 0 and step > 0 and (step % owner.step or first % owner.step):
        check.error(
            f"{chart_path}.step", f"rows must fall on {chart_system} sizes (step {owner.step})"
        )

    advice_t = check.table(table.get("advice", {}), f"{path}.advice", _RING_ADVICE)
    advice = {key: check.text(advice_t, f"{path}.advice", key) for key in _RING_ADVICE}
    how_to: list[RingHowTo] = []
    for index, item in enumerate(check.value(table, path, "how_to", list, [])):
        where = f"{path}.how_to[{index}]"
        how_t = check.table(item, where, ("title", "measures", "steps"))
        measures = check.value(how_t, where, "measures", str, RING_MEASURES[0])
        if measures not in RING_MEASURES:
            check.error(f"{where}.measures", f"must be one of {', '.join(RING_MEASURES)}")
        steps = check.strings(how_t, where, "steps")
        if "steps" in how_t and not steps:
            check.error(f"{where}.steps", "must not be empty")
        how_to.append(RingHowTo(check.text(how_t, where, "title"), measures, steps))
    return RingSizes(
        chart_system=chart_system,
        chart_from=first,
        chart_to=last,
        chart_step=step,
        decimals=decimals,
        min_circumference_mm=low,
        max_circumference_mm=high,
        neighbours=neighbours,
        notes=notes,
        systems=tuple(systems),
        advice=MappingProxyType(advice),
        how_to=tuple(how_to),
    )


def _ring_system(check: _Checker, data: Any, path: str) -> RingSystem:
    table = check.table(data, path, _RING_SYSTEM_KEYS, ("letters",))
    system = RingSystem(
        id=check.value(table, path, "id", str, ""),
        name=check.text(table, path, "name"),
        title=check.text(table, path, "title"),
        measure=check.value(table, path, "measure", str, RING_MEASURES[0]),
        base_size=_ring_number(check, table, path, "base_size", positive=False),
        base_mm=_ring_number(check, table, path, "base_mm", positive=False),
        mm_per_size=_ring_number(check, table, path, "mm_per_size", positive=True),
        step=_ring_number(check, table, path, "step", positive=True),
        label=check.value(table, path, "label", str, RING_LABELS[0]),
        letters=check.value(table, path, "letters", str, ""),
    )
    if "id" in table and not _RING_ID.match(system.id):
        check.error(f"{path}.id", f"{system.id!r} is not a short lower-case name like 'us'")
    for key, allowed in (("measure", RING_MEASURES), ("label", RING_LABELS)):
        if getattr(system, key) not in allowed:
            check.error(f"{path}.{key}", f"must be one of {', '.join(allowed)}")
    if system.base_mm < 0:
        check.error(f"{path}.base_mm", f"must not be negative, not {fraction_text(system.base_mm)}")
    if system.label == "letters":
        letters = system.letters
        if not letters or not letters.isalpha() or not letters.isupper():
            check.error(f"{path}.letters", "label 'letters' needs upper-case letters, like 'ABC'")
        elif len(set(letters)) != len(letters):
            check.error(f"{path}.letters", "a letter is listed twice")
        if system.step > 0 and 1 % system.step:
            check.error(
                f"{path}.step",
                f"letters go in steps that divide 1, not {fraction_text(system.step)}",
            )
    elif "letters" in table:
        check.error(f"{path}.letters", "only for label = 'letters'")
    return system


def _ring_number(
    check: _Checker, table: dict[str, Any], path: str, key: str, positive: bool
) -> Fraction:
    """A number, or a string holding a decimal or an exact fraction like "1/3"."""
    if key not in table:
        return Fraction(0)
    value = table[key]
    where = _join(path, key)
    number: Fraction | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = Fraction(str(value))
    elif isinstance(value, str) and _FRACTION.match(value.strip()):
        try:
            number = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            number = None
    if number is None:
        check.error(where, f'must be a number or a fraction like "1/3", not {value!r}')
        return Fraction(0)
    if positive and number <= 0:
        check.error(where, f"must be more than zero, not {value}")
    return number


def policy_warnings(policy: Policy) -> list[str]:
    """Contradictions that a valid policy may hold: each one is a line for `policy check`."""
    warnings: list[str] = []
    destinations = set(policy.shipping.destinations)
    for zone in policy.shipping.zones:
        named = [c for c in zone.countries if c != "*"]
        if named and not destinations.intersection(named) and "*" not in zone.countries:
            rate = f" and a rate of {zone.rate} {policy.store.currency}" if zone.rate else ""
            warnings.append(
                f"shipping zone {zone.id!r} has transit times{rate}, but the store ships to none "
                f"of its countries (destinations: {', '.join(policy.shipping.destinations)})"
            )
    for status in policy.statuses:
        for country in status.countries:
            if country not in destinations:
                warnings.append(
                    f"status {status.name!r} applies to {country}, which is not a shipping "
                    "destination"
                )
    if policy.damage_review_days > policy.damage_report_days:
        warnings.append(
            f"damage reports: the returns policy says {policy.damage_report_days} days, the FAQ "
            f"{policy.damage_review_days}; days {policy.damage_report_days + 1}-"
            f"{policy.damage_review_days} go to review"
        )
    if policy.store.support_email_is_placeholder:
        warnings.append(
            f"store.support_email {policy.store.support_email!r} is a placeholder: replace it"
        )
    return warnings
