"""The sections of policy.toml: one builder per section, each reading and checking its table.

`build` calls them in a fixed order, which is the order errors are listed in (the tests pin it).
Where a section's values are checked against another section (the returns' categories, the
processing status), its table is checked in its place and those values once the other is built.

A new key: its name in the section's keys, and a line reading it in the section's builder. A new
section: a builder here, its name in `TOP_LEVEL`, and a call in `build`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from migems_cli.policy import (
    DEADLINE_IDS,
    EXCHANGE_PRICE,
    EXCHANGE_SHIPPING,
    PATHS,
    PAYERS,
    REFUND_NOTE_STATES,
    REMEDIES,
    RING_LABELS,
    RING_MEASURES,
    CalendarPolicy,
    Category,
    ExchangePolicy,
    Policy,
    PolicyIdentity,
    Reason,
    ReplySection,
    RingHowTo,
    RingSizes,
    RingSystem,
    RuleText,
    Season,
    Shipping,
    Status,
    Store,
    Zone,
    fraction_text,
    name_key,
)
from migems_cli.policy_checker import (
    DEADLINE_PLACEHOLDERS,
    MAX_EMAIL,
    MAX_SHOWN,
    MOVED_NOTE_PLACEHOLDERS,
    PLACEHOLDERS,
    REFUND_NOTE_PLACEHOLDERS,
    SEASON_NOTE_PLACEHOLDERS,
    Checker,
    is_code,
    join_path,
    kind_of,
    shown,
)
from migems_cli.render.safe import visible

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
    # Evaluated only for a claim that wants an exchange (issue 17). The texts of the two rules on
    # what the page leaves open are keyed by the [exchange] value that applies.
    "exchange": ("pass", "fail", "exempt", "next_step"),
    "exchange-shipping": ("customer", "store", "review", "review_step"),
    "exchange-price": ("same_item", "charge-or-refund", "review", "review_step"),
}
NEXT_STEP_KEYS = ("change-of-mind", "defect", "ineligible")


TOP_LEVEL = (
    "schema_version",
    "name",
    "version",
    "effective_from",
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
    "exchange",
    "replies",
)
_STORE_KEYS = (
    "name",
    "currency",
    "time_zone",
    "support_email",
    "support_email_is_placeholder",
    "currency_symbol",
)
# What migems_cli.money can tell from the number it marks: no digits, spaces, signs or points.
_SYMBOL = re.compile(r"[^\s0-9.,+{}-]{1,5}")
_RETURNS_KEYS = ("window_days", "non_returnable_categories")
# Optional (issue 14): longer windows by order date, rolling deadlines to a business day, and
# the texts that say so (each required when what it explains can happen).
_RETURNS_OPTIONAL = ("seasons", "extend_to_business_day", "season_note", "business_day_note")
_SEASON_KEYS = ("name", "ordered_from", "ordered_to")
_REFUND_KEYS = (
    "min_business_days",
    "max_business_days",
    "shipping_refunded",
    "late_refund_steps",
    *(f"{state}_note" for state in REFUND_NOTE_STATES),
)
_PROCESSING_KEYS = ("status", "min_business_days", "max_business_days")


def build(
    check: Checker, data: dict[str, Any], source: str, digest: str = "", replies: bool = False
) -> Policy:
    """The `Policy` in `data` (parsed TOML); its errors are left in `check.errors`.

    `digest`: the first 12 hex digits of the SHA-256 of the file's bytes (`Policy.identity`).
    `[replies]` is kept as read, and checked only with `replies` (`policy check`) or when a reply
    is written (see `policy.ReplySection`)."""
    top = check.table(data, "", TOP_LEVEL)
    _schema_version(check, top)
    identity = _identity(check, top, digest)
    store = _store(check, top)
    calendar = _calendar(check, top)
    # [returns] and [processing]: their tables here, their values once categories and statuses
    # are known
    returns = _section(check, top, "returns", _RETURNS_KEYS, _RETURNS_OPTIONAL)
    report_days, review_days = _damage(check, top)
    refund, late_steps, refund_notes = _refund_texts(check, top)
    deadline_texts = _deadlines(check, top)
    processing = _section(check, top, "processing", _PROCESSING_KEYS)
    shipping = _shipping(check, top)
    categories, reasons, statuses = _lists(check, top)
    conditions, accepted = _conditions(check, top)
    default_reason, default_condition = _defaults(check, top, reasons, conditions)
    # then the values checked against other sections, the windows, and the last sections
    non_returnable = _non_returnable(check, returns, categories)
    processing_status = _processing_status(check, processing, statuses)
    return_window_days = check.days(returns, "returns", "window_days")
    refund_window = check.window(refund, "refund")
    shipping_refunded = check.value(refund, "refund", "shipping_refunded", bool, False)
    processing_window = check.window(processing, "processing")
    rules = _rules(check, top)
    next_steps = _next_steps(check, top)
    ring_sizes = _ring_sizes(check, top)
    exchange = _exchange(check, top, reasons, categories)
    seasons, extend, season_note, business_day_note = _over_time(check, returns)
    reply_section = ReplySection(top.get("replies"), check.source, check.source_text)
    if replies:
        from migems_cli.policy_replies import build_replies

        build_replies(check, reply_section)
    return Policy(
        source=source,
        store=store,
        calendar=calendar,
        return_window_days=return_window_days,
        non_returnable_categories=non_returnable,
        damage_report_days=report_days,
        damage_review_days=review_days,
        refund=refund_window,
        shipping_refunded=shipping_refunded,
        late_refund_steps=late_steps,
        refund_notes=refund_notes,
        processing=processing_window,
        processing_status=processing_status,
        shipping=shipping,
        categories=categories,
        reasons=reasons,
        conditions=conditions,
        accepted_conditions=accepted,
        default_reason=default_reason,
        default_condition=default_condition,
        rules=rules,
        next_steps=next_steps,
        statuses=statuses,
        deadline_texts=deadline_texts,
        ring_sizes=ring_sizes,
        identity=identity,
        exchange=exchange,
        seasons=seasons,
        extend_to_business_day=extend,
        season_note=season_note,
        business_day_note=business_day_note,
        replies=reply_section,
    )


def _section(
    check: Checker,
    top: dict[str, Any],
    name: str,
    keys: tuple[str, ...],
    optional: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The table of section `name`, after naming its missing and unknown keys."""
    return check.table(top.get(name, {}), name, keys, optional)


def _schema_version(check: Checker, top: dict[str, Any]) -> None:
    if check.value(top, "", "schema_version", int, 1) != 1:
        check.error("schema_version", "this migems reads schema_version 1")


def _identity(check: Checker, top: dict[str, Any], digest: str) -> PolicyIdentity:
    """`name`, `version` and `effective_from` (a TOML date or a "YYYY-MM-DD" string: a string
    keeps the file cacheable, as marshal cannot hold dates)."""
    name = check.value(top, "", "name", str, "")
    version = check.value(top, "", "version", str, "")
    for key, value in (("name", name), ("version", version)):
        if key in top and isinstance(top[key], str) and not value.strip():
            check.error(key, "must not be empty")
    effective = _date(check, top, "", "effective_from")
    return PolicyIdentity(name=name, version=version, effective_from=effective, digest=digest)


def _date(check: Checker, table: dict[str, Any], path: str, key: str) -> date | None:
    """`table[key]` as a date: a TOML date or a "YYYY-MM-DD" string (a string keeps the file
    cacheable, as marshal cannot hold dates); None when absent or wrong, after saying why."""
    raw = table.get(key)
    where = join_path(path, key)
    if raw is None:
        return None
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            if len(raw) == 10:
                return date.fromisoformat(raw)
        except ValueError:
            pass
        check.error(where, f"must be a date like 2026-11-26, not {visible(raw)!r}")
        return None
    check.error(where, f"must be a date, not {kind_of(raw)}")
    return None


def _over_time(
    check: Checker, returns: dict[str, Any]
) -> tuple[tuple[Season, ...], bool, str, str]:
    """`[[returns.seasons]]`, `returns.extend_to_business_day`, and the notes that explain them
    (each note required when what it explains can happen)."""
    items = check.value(returns, "returns", "seasons", list, [])
    seasons = tuple(
        season
        for index, item in enumerate(items)
        if (season := _season(check, item, f"returns.seasons[{index}]")) is not None
    )
    check.unique("returns.seasons", [season.name for season in seasons])
    extend = check.value(returns, "returns", "extend_to_business_day", bool, False)
    season_note = check.text(returns, "returns", "season_note", SEASON_NOTE_PLACEHOLDERS)
    moved_note = check.text(returns, "returns", "business_day_note", MOVED_NOTE_PLACEHOLDERS)
    if items and "season_note" not in returns:
        check.error("returns.season_note", "missing key (required when returns.seasons is given)")
    if extend and "business_day_note" not in returns:
        check.error(
            "returns.business_day_note",
            "missing key (required when returns.extend_to_business_day is true)",
        )
    return seasons, extend, season_note, moved_note


def _season(check: Checker, data: Any, path: str) -> Season | None:
    """One `[[returns.seasons]]`: its order dates, and exactly one of window_days, return_by."""
    table = check.table(data, path, _SEASON_KEYS, ("window_days", "return_by"))
    if not table:
        return None
    name = check.text(table, path, "name", frozenset())
    start = _date(check, table, path, "ordered_from")
    end = _date(check, table, path, "ordered_to")
    window = check.days(table, path, "window_days") if "window_days" in table else None
    return_by = _date(check, table, path, "return_by")
    if ("window_days" in table) == ("return_by" in table):
        check.error(path, "give exactly one of window_days and return_by")
    if start is not None and end is not None and end < start:
        check.error(
            join_path(path, "ordered_to"), f"{end.isoformat()} is before ordered_from {start}"
        )
    if return_by is not None and end is not None and return_by < end:
        check.error(
            join_path(path, "return_by"),
            f"{return_by.isoformat()} is before the season's last order day {end}",
        )
    if start is None or end is None or (window is None and return_by is None):
        return None
    return Season(name, start, end, window, return_by)


def _store(check: Checker, top: dict[str, Any]) -> Store:
    table = _section(check, top, "store", _STORE_KEYS)
    store = Store(
        name=check.text(table, "store", "name"),
        currency=check.value(table, "store", "currency", str, "USD"),
        time_zone=check.value(table, "store", "time_zone", str, "UTC"),
        support_email=check.value(table, "store", "support_email", str, ""),
        support_email_is_placeholder=check.value(
            table, "store", "support_email_is_placeholder", bool, False
        ),
        currency_symbol=check.value(table, "store", "currency_symbol", str, ""),
    )
    if "currency_symbol" in table and not _SYMBOL.fullmatch(store.currency_symbol):
        check.error(
            "store.currency_symbol",
            f"{store.currency_symbol!r} is not a currency symbol (no digits, spaces, signs or points)",
        )
    if "currency" in table and not is_code(store.currency, 3):
        check.error(
            "store.currency", f"{shown(store.currency)} is not a three-letter currency code"
        )
    if "time_zone" in table and not store.time_zone.strip():
        check.error("store.time_zone", "must not be empty")
    _support_email(check, table, store.support_email)
    return store


def _support_email(check: Checker, table: dict[str, Any], email: str) -> None:
    if "support_email" in table and "@" not in email:
        check.error("store.support_email", f"{shown(email)} is not an e-mail address")
    elif len(email) > MAX_EMAIL:
        check.error("store.support_email", f"must be at most {MAX_EMAIL} characters")


def _calendar(check: Checker, top: dict[str, Any]) -> CalendarPolicy:
    table = _section(check, top, "calendar", ("holiday_country", "closures"))
    closures = check.value(table, "calendar", "closures", list, [])
    for index, day in enumerate(closures):
        if not _is_date(day):
            check.error(f"calendar.closures[{index}]", f"must be a date, not {kind_of(day)}")
    calendar = CalendarPolicy(
        holiday_country=check.value(table, "calendar", "holiday_country", str, "US"),
        closures=tuple(day for day in closures if _is_date(day)),
    )
    if "holiday_country" in table and not is_code(calendar.holiday_country, 2):
        check.error(
            "calendar.holiday_country", f"{shown(calendar.holiday_country)} is not a country code"
        )
    return calendar


def _is_date(value: object) -> bool:
    """A TOML date: a `date`, not a `datetime` (which is one in Python)."""
    return isinstance(value, date) and not hasattr(value, "hour")


def _damage(check: Checker, top: dict[str, Any]) -> tuple[int, int]:
    """`[damage]`: the days to report damage in, and the days a late report goes to review."""
    table = _section(check, top, "damage", ("report_days", "review_until_days"))
    report_days = check.days(table, "damage", "report_days")
    review_days = check.days(table, "damage", "review_until_days")
    if review_days < report_days:
        check.error(
            "damage.review_until_days",
            f"window is inverted: {review_days} is less than report_days {report_days}",
        )
    return report_days, review_days


def _refund_texts(
    check: Checker, top: dict[str, Any]
) -> tuple[dict[str, Any], tuple[str, ...], Mapping[str, str]]:
    """`[refund]`'s table, its late-refund steps and its notes (its window is read in `build`)."""
    table = _section(check, top, "refund", _REFUND_KEYS)
    late_steps = check.strings(table, "refund", "late_refund_steps")
    for index, step in enumerate(late_steps):
        check.template(f"refund.late_refund_steps[{index}]", step)
    notes = {
        state: check.text(table, "refund", f"{state}_note", REFUND_NOTE_PLACEHOLDERS)
        for state in REFUND_NOTE_STATES
    }
    return table, late_steps, MappingProxyType(notes)


def _deadlines(check: Checker, top: dict[str, Any]) -> Mapping[str, str]:
    table = _section(check, top, "deadlines", DEADLINE_IDS)
    texts = {
        key: check.text(table, "deadlines", key, DEADLINE_PLACEHOLDERS) for key in DEADLINE_IDS
    }
    return MappingProxyType(texts)


def _lists(
    check: Checker, top: dict[str, Any]
) -> tuple[tuple[Category, ...], tuple[Reason, ...], tuple[Status, ...]]:
    """`[[categories]]`, `[[reasons]]` and `[[statuses]]`, then what each lists twice."""
    categories = check.records(top, "categories", lambda item, path: _category(check, item, path))
    reasons = check.records(top, "reasons", lambda item, path: _reason(check, item, path))
    statuses = check.records(top, "statuses", lambda item, path: _status(check, item, path))
    check.unique("categories", [c.name for c in categories] + [c.plural for c in categories])
    # ids and the words suggested for them, as an agent may type them (see Policy.reason)
    check.unique(
        "reasons",
        [name_key(name) for r in reasons for name in (r.id, *r.suggest_for) if name_key(name)],
    )
    check.unique("statuses", [s.name.casefold() for s in statuses])
    return categories, reasons, statuses


def _conditions(check: Checker, top: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`[conditions]`: the conditions an item may be in, and those a return accepts."""
    table = _section(check, top, "conditions", ("known", "accepted"))
    known = check.strings(table, "conditions", "known")
    accepted = check.strings(table, "conditions", "accepted")
    for value in accepted:
        if value not in known:
            check.error("conditions.accepted", f"{shown(value)} is not one of conditions.known")
    return known, accepted


def _defaults(
    check: Checker, top: dict[str, Any], reasons: tuple[Reason, ...], conditions: tuple[str, ...]
) -> tuple[str, str]:
    """`[defaults]`: the reason and condition a claim has when none is given."""
    table = _section(check, top, "defaults", ("reason", "condition"))
    reason = check.value(table, "defaults", "reason", str, "")
    condition = check.value(table, "defaults", "condition", str, "")
    if "reason" in table and reason not in {r.id for r in reasons}:
        check.error("defaults.reason", f"unknown reason {shown(reason)}")
    if "condition" in table and condition not in conditions:
        check.error("defaults.condition", f"unknown condition {shown(condition)}")
    return reason, condition


def _non_returnable(
    check: Checker, table: dict[str, Any], categories: tuple[Category, ...]
) -> tuple[str, ...]:
    """`returns.non_returnable_categories`, each a category's name or plural, as names."""
    values = check.strings(table, "returns", "non_returnable_categories")
    names = {c.name for c in categories}
    plural_to_name = {c.plural: c.name for c in categories}
    for value in values:
        if value not in names and value not in plural_to_name:
            check.error(
                "returns.non_returnable_categories",
                f"unknown category {shown(value)} (known: {visible(', '.join(sorted(names)))})",
            )
    return tuple(plural_to_name.get(value, value) for value in values)


def _processing_status(check: Checker, table: dict[str, Any], statuses: tuple[Status, ...]) -> str:
    """`processing.status`: the order status that means the order is being processed."""
    status = check.value(table, "processing", "status", str, "")
    if "status" in table and status.casefold() not in {s.name.casefold() for s in statuses}:
        check.error("processing.status", f"unknown status {shown(status)}")
    return status


def _shipping(check: Checker, top: dict[str, Any]) -> Shipping:
    table = _section(
        check,
        top,
        "shipping",
        ("destinations", "refusal", "zones"),
        ("delay_note", "country_names"),
    )
    zones = tuple(
        _zone(check, item, f"shipping.zones[{index}]")
        for index, item in enumerate(check.value(table, "shipping", "zones", list, []))
    )
    check.unique("shipping.zones", [z.id for z in zones])
    if sum("*" in z.countries for z in zones) > 1:
        check.error("shipping.zones", "only one zone may list '*' (every other country)")
    shipping = Shipping(
        destinations=check.countries(table, "shipping", "destinations", wildcard=False),
        refusal=check.text(table, "shipping", "refusal"),
        delay_note=check.text(table, "shipping", "delay_note") if "delay_note" in table else "",
        zones=zones,
        country_names=_country_names(check, table),
    )
    for country in shipping.destinations:
        if shipping.zone_for(country) is None:
            check.error("shipping.destinations", f"no zone gives transit times for {country}")
    return shipping


def _country_names(check: Checker, table: dict[str, Any]) -> Mapping[str, str]:
    """`shipping.country_names`: two-letter codes to the names human output shows."""
    names: dict[str, str] = {}
    for code, name in check.value(table, "shipping", "country_names", dict, {}).items():
        path = f"shipping.country_names.{code}"
        if not is_code(code, 2):
            check.error(path, f"{code!r} is not a two-letter country code")
        elif not isinstance(name, str) or not name.strip():
            check.error(path, "must be a country name (a non-empty string)")
        else:
            check.string(path, name)
            names[code] = name
    return MappingProxyType(names)


def _zone(check: Checker, data: Any, path: str) -> Zone:
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
            and len(whole) <= 6
            and (not cents or (cents.isdecimal() and cents.isascii() and len(cents) <= 2))
        ):
            rate = Decimal(rate_text)
        else:
            check.error(
                f"{path}.rate",
                f'{shown(rate_text)} is not an amount like "22.00" (at most 999999.99)',
            )
    return Zone(
        id=check.value(table, path, "id", str, ""),
        name=check.text(table, path, "name"),
        transit=check.window(table, path),
        rate=rate,
        countries=check.countries(table, path, "countries", wildcard=True),
    )


def _category(check: Checker, data: Any, path: str) -> Category:
    table = check.table(data, path, ("name", "plural"))
    return Category(
        name=check.value(table, path, "name", str, ""),
        plural=check.value(table, path, "plural", str, ""),
    )


def _reason(check: Checker, data: Any, path: str) -> Reason:
    keys = ("id", "label", "path", "remedy", "return_shipping_paid_by", "photos_required")
    table = check.table(data, path, keys, ("suggest_for",))
    reason = Reason(
        id=check.value(table, path, "id", str, ""),
        label=check.text(table, path, "label"),
        path=check.value(table, path, "path", str, PATHS[0]),
        remedy=check.value(table, path, "remedy", str, REMEDIES[0]),
        return_shipping_paid_by=check.value(table, path, "return_shipping_paid_by", str, PAYERS[0]),
        photos_required=check.value(table, path, "photos_required", bool, False),
        suggest_for=check.strings(table, path, "suggest_for"),
    )
    for key, allowed in (
        ("path", PATHS),
        ("remedy", REMEDIES),
        ("return_shipping_paid_by", PAYERS),
    ):
        if getattr(reason, key) not in allowed:
            check.error(f"{path}.{key}", f"must be one of {', '.join(allowed)}")
    return reason


def _status(check: Checker, data: Any, path: str) -> Status:
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


def _rules(check: Checker, top: dict[str, Any]) -> Mapping[str, RuleText]:
    table = _section(check, top, "rules", tuple(RULE_TEXTS))
    rules: dict[str, RuleText] = {}
    for rule_id, needed in RULE_TEXTS.items():
        path = f"rules.{rule_id}"
        if "fail" in needed:  # what the customer reads when it fails (a reply, issue 12)
            needed = (*needed, "customer_fail")
        body = check.table(table.get(rule_id, {}), path, ("clause", *needed))
        rules[rule_id] = RuleText(
            id=rule_id,
            clause=check.text(body, path, "clause"),
            texts=MappingProxyType({key: check.text(body, path, key) for key in needed}),
        )
    return MappingProxyType(rules)


def _next_steps(check: Checker, top: dict[str, Any]) -> Mapping[str, tuple[str, ...]]:
    table = _section(check, top, "next_steps", NEXT_STEP_KEYS)
    steps: dict[str, tuple[str, ...]] = {}
    for key in NEXT_STEP_KEYS:
        steps[key] = check.strings(table, "next_steps", key)
        for index, step in enumerate(steps[key]):
            check.template(f"next_steps.{key}[{index}]", step)
    return MappingProxyType(steps)


_EXCHANGE_KEYS = (
    "allowed",
    "reasons",
    "sized_categories",
    "new_item_shipping_paid_by",
    "price_difference",
    "sizes_same_price",
    "next_steps",
    "sized_step",
)
# The sized step may name the size to order, in the chart's system ("US/CA 7").
EXCHANGE_PLACEHOLDERS = PLACEHOLDERS | {"new_size"}


def _exchange(
    check: Checker,
    top: dict[str, Any],
    reasons: tuple[Reason, ...],
    categories: tuple[Category, ...],
) -> ExchangePolicy:
    """[exchange]: its reasons must be change-of-mind reasons of [[reasons]] (a damaged,
    defective or wrong item keeps its own remedy), its categories known ones, and each point the
    page leaves open one of its values."""
    path = "exchange"
    table = _section(check, top, path, _EXCHANGE_KEYS)
    paths = {reason.id: reason.path for reason in reasons}
    wanted = check.strings(table, path, "reasons")
    check.unique(f"{path}.reasons", list(wanted))
    for reason_id in wanted:
        if reason_id not in paths:
            check.error(
                f"{path}.reasons",
                f"unknown reason {shown(reason_id)} (known: {', '.join(paths)})",
            )
        elif paths[reason_id] != PATHS[0]:
            check.error(
                f"{path}.reasons",
                f"{shown(reason_id)} is a {paths[reason_id]} reason: it keeps its own remedy; "
                f"only {PATHS[0]} reasons can be exchanged",
            )
    names = {category.name for category in categories}
    sized = check.strings(table, path, "sized_categories")
    for name in sized:
        if name not in names:
            check.error(
                f"{path}.sized_categories",
                f"unknown category {shown(name)} (known: {', '.join(sorted(names))})",
            )
    settled: dict[str, str] = {}
    for key, allowed in (
        ("new_item_shipping_paid_by", EXCHANGE_SHIPPING),
        ("price_difference", EXCHANGE_PRICE),
    ):
        settled[key] = check.value(table, path, key, str, "review")
        if key in table and settled[key] not in allowed:
            check.error(f"{path}.{key}", f"must be one of {', '.join(allowed)}")
            settled[key] = "review"
    steps = check.strings(table, path, "next_steps")
    if "next_steps" in table and not steps:
        check.error(f"{path}.next_steps", "must not be empty")
    for index, step in enumerate(steps):
        check.template(f"{path}.next_steps[{index}]", step)
    sized_step = check.text(table, path, "sized_step", EXCHANGE_PLACEHOLDERS)
    return ExchangePolicy(
        allowed=check.value(table, path, "allowed", bool, False),
        reasons=wanted,
        sized_categories=sized,
        new_item_shipping_paid_by=settled["new_item_shipping_paid_by"],
        price_difference=settled["price_difference"],
        sizes_same_price=check.value(table, path, "sizes_same_price", bool, False),
        next_steps=steps,
        sized_step=sized_step,
    )


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
# Ring-size numbers: formula coefficients and sizes within +-1000, exact to 6 decimals (or a
# fraction such as 1/3); the chart's rows and the plausible measurements within the inner
# circumferences of human fingers, generously (the bundled chart spans 44-72 mm); at most 1000
# rows; at most 50 neighbours either side of an answer.
RING_MAX = 1000
RING_DENOMINATOR = 10**6
FINGER_MM = (Fraction(20), Fraction(150))
MAX_CHART_ROWS = 1000
MAX_NEIGHBOURS = 50
_PI = Fraction(math.pi)  # as migems_cli.ring_sizes.PI, without importing it
_FRACTION = re.compile(r"^-?\d+(\.\d+)?(/\d+)?$")


def _ring_sizes(check: Checker, top: dict[str, Any]) -> RingSizes:
    """`[ring_sizes]`: the chart, its systems, advice and measuring guide."""
    path = "ring_sizes"
    start = len(check.errors)
    table = _section(
        check, top, path, (*_RING_KEYS, "chart", "systems", "advice", "how_to"), ("notes",)
    )
    decimals, neighbours = _ring_counts(check, table)
    low, high = _ring_circumferences(check, table)
    notes = check.strings(table, path, "notes")
    systems = _ring_systems(check, table)
    chart_system, first, last, step = _ring_chart(check, table, systems, start)
    advice_t = check.table(table.get("advice", {}), f"{path}.advice", _RING_ADVICE)
    advice = {key: check.text(advice_t, f"{path}.advice", key) for key in _RING_ADVICE}
    how_to = _ring_how_to(check, table)
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
        systems=systems,
        advice=MappingProxyType(advice),
        how_to=how_to,
    )


def _ring_counts(check: Checker, table: dict[str, Any]) -> tuple[int, int]:
    """`ring_sizes.decimals` and `ring_sizes.neighbours`."""
    path = "ring_sizes"
    decimals = check.value(table, path, "decimals", int, 2)
    if not 0 <= decimals <= 6:
        check.error(f"{path}.decimals", f"must be from 0 to 6, not {shown(decimals)}")
    neighbours = check.value(table, path, "neighbours", int, 2)
    if neighbours < 0:
        check.error(f"{path}.neighbours", f"must not be negative, not {shown(neighbours)}")
    elif neighbours > MAX_NEIGHBOURS:
        check.error(
            f"{path}.neighbours", f"must be at most {MAX_NEIGHBOURS}, not {shown(neighbours)}"
        )
    return decimals, neighbours


def _ring_circumferences(check: Checker, table: dict[str, Any]) -> tuple[Fraction, Fraction]:
    """The plausible measurements: `ring_sizes.min_circumference_mm` and `max_...`."""
    path = "ring_sizes"
    low = _ring_number(check, table, path, "min_circumference_mm", positive=True)
    high = _ring_number(check, table, path, "max_circumference_mm", positive=True)
    if low >= high and "max_circumference_mm" in table:
        check.error(
            f"{path}.min_circumference_mm",
            f"must be less than max_circumference_mm ({fraction_text(low)} >= {fraction_text(high)})",
        )
    for key, bound in (("min_circumference_mm", low), ("max_circumference_mm", high)):
        if key in table and bound > 0 and not FINGER_MM[0] <= bound <= FINGER_MM[1]:
            check.error(f"{path}.{key}", f"{_finger_range()}, not {shown(table[key])}")
    return low, high


def _ring_systems(check: Checker, table: dict[str, Any]) -> tuple[RingSystem, ...]:
    """`[[ring_sizes.systems]]`: at least one, each id once."""
    path = "ring_sizes"
    systems: list[RingSystem] = []
    for index, item in enumerate(check.value(table, path, "systems", list, [])):
        systems.append(_ring_system(check, item, f"{path}.systems[{index}]"))
    if "systems" in table and not systems:
        check.error(f"{path}.systems", "must not be empty")
    seen: set[str] = set()
    for index, system in enumerate(systems):
        if system.id in seen:
            check.error(f"{path}.systems[{index}].id", f"{shown(system.id)} is listed twice")
        seen.add(system.id)
    return tuple(systems)


def _ring_chart(
    check: Checker, table: dict[str, Any], systems: tuple[RingSystem, ...], start: int
) -> tuple[str, Fraction, Fraction, Fraction]:
    """`[ring_sizes.chart]`: the system its rows count in, and its first, last and step sizes.
    Its rows are checked against human fingers only when `[ring_sizes]` has no error since
    error number `start`."""
    chart_path = "ring_sizes.chart"
    chart = check.table(table.get("chart", {}), chart_path, ("system", "from", "to", "step"))
    chart_system = check.value(chart, chart_path, "system", str, "")
    first = _ring_number(check, chart, chart_path, "from", positive=False)
    last = _ring_number(check, chart, chart_path, "to", positive=False)
    step = _ring_number(check, chart, chart_path, "step", positive=True)
    by_id = {s.id: s for s in systems}
    if "system" in chart and systems and chart_system not in by_id:
        check.error(f"{chart_path}.system", f"unknown system {shown(chart_system)}")
    _chart_range(check, chart, first, last, step)
    owner = by_id.get(chart_system)
    if owner and owner.step > 0 and step > 0 and (step % owner.step or first % owner.step):
        check.error(
            f"{chart_path}.step", f"rows must fall on {chart_system} sizes (step {owner.step})"
        )
    if owner and len(check.errors) == start and {"from", "to", "step"} <= chart.keys():
        _chart_bounds(check, chart_path, owner, first, last, step)
    return chart_system, first, last, step


def _chart_range(
    check: Checker, chart: dict[str, Any], first: Fraction, last: Fraction, step: Fraction
) -> None:
    """The chart's range: `from` below `to`, and a whole number of steps."""
    if "to" in chart and first >= last:
        check.error(
            "ring_sizes.chart.from",
            f"range is inverted or empty: {fraction_text(first)} to {fraction_text(last)}",
        )
    elif step > 0 and (last - first) % step:
        check.error(
            "ring_sizes.chart.step",
            f"{fraction_text(step)} does not divide the range {fraction_text(first)} to "
            f"{fraction_text(last)}",
        )


def _ring_how_to(check: Checker, table: dict[str, Any]) -> tuple[RingHowTo, ...]:
    """`[[ring_sizes.how_to]]`: the guides to measuring a finger or a ring."""
    how_to: list[RingHowTo] = []
    for index, item in enumerate(check.value(table, "ring_sizes", "how_to", list, [])):
        where = f"ring_sizes.how_to[{index}]"
        how_t = check.table(item, where, ("title", "measures", "steps"))
        measures = check.value(how_t, where, "measures", str, RING_MEASURES[0])
        if measures not in RING_MEASURES:
            check.error(f"{where}.measures", f"must be one of {', '.join(RING_MEASURES)}")
        steps = check.strings(how_t, where, "steps")
        if "steps" in how_t and not steps:
            check.error(f"{where}.steps", "must not be empty")
        how_to.append(RingHowTo(check.text(how_t, where, "title"), measures, steps))
    return tuple(how_to)


def _finger_range() -> str:
    low, high = FINGER_MM
    return f"must be within finger sizes ({low} to {high} mm inner circumference)"


def _chart_bounds(
    check: Checker, path: str, owner: RingSystem, first: Fraction, last: Fraction, step: Fraction
) -> None:
    """A chart of at most `MAX_CHART_ROWS` rows, each the size of a human finger."""
    rows = (last - first) / step + 1
    if rows > MAX_CHART_ROWS:
        check.error(
            f"{path}.step",
            f"gives {math.floor(rows):,} rows from {fraction_text(first)} to "
            f"{fraction_text(last)}: a chart has at most {MAX_CHART_ROWS} rows",
        )
    for key, size in (("from", first), ("to", last)):
        length = owner.base_mm + (size - owner.base_size) * owner.mm_per_size
        around = length if owner.measure == "circumference" else length * _PI
        if not FINGER_MM[0] <= around <= FINGER_MM[1]:
            check.error(
                f"{path}.{key}",
                f"{_finger_range()}: {owner.id} {fraction_text(size)} is {float(around):.1f} mm",
            )


def _ring_system(check: Checker, data: Any, path: str) -> RingSystem:
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
        check.error(f"{path}.id", f"{shown(system.id)} is not a short lower-case name like 'us'")
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
    check: Checker, table: dict[str, Any], path: str, key: str, positive: bool
) -> Fraction:
    """A number, or a string holding a decimal or an exact fraction like "1/3"."""
    if key not in table:
        return Fraction(0)
    value = table[key]
    where = join_path(path, key)
    number: Fraction | None = None
    if isinstance(value, float) and not math.isfinite(value):
        check.error(where, f"must be a finite number, not {value}")
        return Fraction(0)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = Fraction(str(value))
    elif isinstance(value, str) and len(value) <= MAX_SHOWN and _FRACTION.match(value.strip()):
        try:
            number = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            number = None
    if number is None:
        check.error(where, f'must be a number or a fraction like "1/3", not {shown(value)}')
        return Fraction(0)
    if positive and number <= 0:
        check.error(where, f"must be more than zero, not {shown(value)}")
    elif abs(number) > RING_MAX:
        check.error(where, f"must be from -{RING_MAX} to {RING_MAX}, not {shown(value)}")
    elif number.denominator > RING_DENOMINATOR:
        check.error(
            where,
            f'must have at most 6 decimals, or be a fraction like "1/3" with a denominator '
            f"of at most {RING_DENOMINATOR:,}, not {shown(value)}",
        )
    return number
