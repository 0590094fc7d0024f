"""The store policy as typed, immutable objects, and where the bundled policy lives."""

# Annotations are evaluated (no `from __future__ import annotations`): typing.NamedTuple would
# otherwise compile each field's string annotation at import, 1.6 ms of every command's start.
import os
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

PATHS = ("change-of-mind", "defect")
REMEDIES = ("refund", "replacement-or-refund")
PAYERS = ("customer", "store")
# The dates `migems deadlines` computes, in the order it lists them; policy.toml describes each.
DEADLINE_IDS = (
    "ships_from",
    "ships_by",
    "arrives_from",
    "arrives_by",
    "return_by",
    "report_damage_by",
    "damage_review_until",
)
# The refund states before a refund is late; each has a note in policy.toml (overdue uses the
# late-refund steps instead).
REFUND_NOTE_STATES = ("pending", "due")
# What the customer wants for a returned item (issue 17): the page promises "your refund or
# exchange as per your request". The first is the default.
WANTS = ("refund", "exchange")
# Who pays to ship an exchange's new item, and what an exchange for another item does with a
# price difference: the page settles neither, so "review" (a person decides) is a value too.
EXCHANGE_SHIPPING = ("customer", "store", "review")
EXCHANGE_PRICE = ("charge-or-refund", "review")


class PolicyIdentity(NamedTuple):
    """Which policy answered: its name and version from policy.toml, the first day it applies
    to, and the first 12 hex digits of the SHA-256 of the file's bytes."""

    name: str
    version: str
    effective_from: date | None
    digest: str

    def to_dict(self) -> dict[str, str | None]:
        return {
            "name": self.name,
            "version": self.version,
            "effective_from": None
            if self.effective_from is None
            else self.effective_from.isoformat(),
            "digest": self.digest,
        }


class Season(NamedTuple):
    """An extended return window for orders placed from `ordered_from` to `ordered_to`
    (both inclusive): `window_days` from delivery, or a fixed last day `return_by`."""

    name: str
    ordered_from: date
    ordered_to: date
    window_days: int | None
    return_by: date | None

    def covers(self, ordered: date) -> bool:
        return self.ordered_from <= ordered <= self.ordered_to


class Store(NamedTuple):
    name: str
    currency: str
    time_zone: str
    support_email: str
    support_email_is_placeholder: bool
    currency_symbol: str = ""  # "$": an amount may carry it, or the code, as in "$120"


class CalendarPolicy(NamedTuple):
    holiday_country: str
    closures: tuple[date, ...]


class Window(NamedTuple):
    """A span of business days, such as "3-4 business days"."""

    min_business_days: int
    max_business_days: int


class Zone(NamedTuple):
    id: str
    name: str
    transit: Window
    rate: Decimal | None
    countries: tuple[str, ...]  # "*" matches every country not named by another zone


class Shipping(NamedTuple):
    destinations: tuple[str, ...]
    refusal: str
    delay_note: str
    zones: tuple[Zone, ...]
    # a country code -> the name human output shows ("US" -> "United States"); may be empty
    country_names: Mapping[str, str] = MappingProxyType({})

    def country_name(self, code: str) -> str:
        """'United States (US)' when the policy names the country, else the code alone."""
        name = self.country_names.get(code)
        return f"{name} ({code})" if name else code

    def zone_for(self, country: str) -> Zone | None:
        """The zone whose list names `country`, else the catch-all zone, else None."""
        for zone in self.zones:
            if country in zone.countries:
                return zone
        for zone in self.zones:
            if "*" in zone.countries:
                return zone
        return None


class Category(NamedTuple):
    name: str
    plural: str


class Reason(NamedTuple):
    id: str
    label: str
    path: str  # one of PATHS
    remedy: str  # one of REMEDIES
    return_shipping_paid_by: str  # one of PAYERS
    photos_required: bool
    suggest_for: tuple[str, ...] = ()  # words agents type for it: suggested, never taken as it


class RuleText(NamedTuple):
    """What an agent reads for a rule: its clause and one text per outcome it can have."""

    id: str
    clause: str
    texts: Mapping[str, str]  # pass, fail, review, exempt, next_step, review_step

    def text(self, key: str) -> str:
        return self.texts.get(key, "")


class Status(NamedTuple):
    name: str
    meaning: str
    typical_duration: str
    customer_advice: str
    countries: tuple[str, ...]  # empty: every destination


RING_MEASURES = ("diameter", "circumference")


def fraction_text(value: Fraction) -> str:
    """An exact policy number as written: "0.8128" when it is a decimal, else "1/3"."""
    decimal = Decimal(value.numerator) / Decimal(value.denominator)
    return format(decimal.normalize(), "f") if Fraction(decimal) == value else str(value)


RING_LABELS = ("number", "fraction", "letters")


class RingSystem(NamedTuple):
    """One ring-size system: `mm = base_mm + (size - base_size) * mm_per_size`, on `measure`."""

    id: str  # the JSON key and option name: us, uk, eu, ...
    name: str  # column header
    title: str
    measure: str  # one of RING_MEASURES: the inner length the formula gives
    base_size: Fraction
    base_mm: Fraction
    mm_per_size: Fraction
    step: Fraction  # sizes are multiples of this (letters: whole steps after the last letter)
    label: str  # one of RING_LABELS
    letters: str  # label == "letters": the letters in order (size 0 is the first)


class RingHowTo(NamedTuple):
    title: str
    measures: str  # one of RING_MEASURES
    steps: tuple[str, ...]


class RingSizes(NamedTuple):
    """The ring-size chart: its rows, systems, plausibility bounds, advice and measuring guide."""

    chart_system: str
    chart_from: Fraction
    chart_to: Fraction
    chart_step: Fraction
    decimals: int
    min_circumference_mm: Fraction
    max_circumference_mm: Fraction
    neighbours: int
    notes: tuple[str, ...]
    systems: tuple[RingSystem, ...]
    advice: Mapping[str, str]  # between_sizes, warm_fingers, more_room
    how_to: tuple[RingHowTo, ...]

    def system(self, system_id: str) -> RingSystem | None:
        for system in self.systems:
            if system.id == system_id:
                return system
        return None


class ExchangePolicy(NamedTuple):
    """[exchange]: whether a change-of-mind return can be an exchange, and the points the page
    leaves open, as explicit values (`review`: a person decides each case)."""

    allowed: bool
    reasons: tuple[str, ...]  # reason ids whose claims may be exchanged (change of mind only)
    sized_categories: tuple[str, ...]  # categories an exchange can name a ring size for
    new_item_shipping_paid_by: str  # one of EXCHANGE_SHIPPING
    price_difference: str  # one of EXCHANGE_PRICE: an exchange for another item
    sizes_same_price: bool  # another size of the same item costs the same
    next_steps: tuple[str, ...]  # an eligible exchange's next steps
    sized_step: str  # added to them when the exchange names a new ring size ({new_size})


class ReplyTemplate(NamedTuple):
    """A customer reply's subject and body paragraphs (`[replies.<situation>]`)."""

    subject: str
    body: tuple[str, ...]


class ReplyTexts(NamedTuple):
    """`[replies]`: what every reply opens and closes with, who pays return shipping in the
    customer's words, and one template per situation (see `migems_cli.reply_situations`)."""

    greeting: str = ""
    closing: tuple[str, ...] = ()
    return_shipping: Mapping[str, str] = MappingProxyType({})  # by payer: customer, store
    templates: Mapping[str, ReplyTemplate] = MappingProxyType({})


class ReplySection(Mapping[str, object]):
    """`[replies]` as read from the file, checked and built only when a reply is written or the
    policy is checked (`migems_cli.policy_replies.reply_texts`): other commands never read it,
    so it costs them nothing. A mapping of the raw table (what `policy show` shows), which also
    keeps where it came from, for errors that name a line."""

    __slots__ = ("_table", "raw", "source", "text")

    def __init__(self, table: object = None, source: str = "", text: str = "") -> None:
        self._table = table if isinstance(table, dict) else {}
        self.source = source
        self.text = text
        self.raw = table

    def __getitem__(self, key: str) -> object:
        return self._table[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


class Policy(NamedTuple):
    """The whole validated policy. Compared and hashed by identity, as a cache key (a tuple
    would compare and hash field by field, and its mappings cannot be hashed)."""

    source: str
    store: Store
    calendar: CalendarPolicy
    return_window_days: int
    non_returnable_categories: tuple[str, ...]
    damage_report_days: int
    damage_review_days: int
    refund: Window
    shipping_refunded: bool
    late_refund_steps: tuple[str, ...]
    refund_notes: Mapping[str, str]  # by state: pending, due
    processing: Window
    processing_status: str
    shipping: Shipping
    categories: tuple[Category, ...]
    reasons: tuple[Reason, ...]
    conditions: tuple[str, ...]
    accepted_conditions: tuple[str, ...]
    default_reason: str
    default_condition: str
    rules: Mapping[str, RuleText]
    next_steps: Mapping[str, tuple[str, ...]]
    statuses: tuple[Status, ...]
    deadline_texts: Mapping[str, str]  # by deadline id (DEADLINE_IDS)
    ring_sizes: RingSizes
    identity: PolicyIdentity
    exchange: ExchangePolicy
    # [[returns.seasons]]: longer windows by order date; returns.extend_to_business_day: a return
    # or damage deadline on a weekend, holiday or closure moves to the next business day. Their
    # texts (returns.season_note, returns.business_day_note) are appended to the rule details.
    seasons: tuple[Season, ...] = ()
    extend_to_business_day: bool = False
    season_note: str = ""
    business_day_note: str = ""
    replies: ReplySection = ReplySection()

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __hash__(self) -> int:
        return object.__hash__(self)

    def category(self, name: str) -> Category | None:
        """The category called `name`, singular or plural, in any case."""
        wanted = name.strip().casefold()
        for category in self.categories:
            if wanted in (category.name.casefold(), category.plural.casefold()):
                return category
        return None

    def reason(self, reason_id: str) -> Reason | None:
        """The reason `reason_id` names, in any case, with spaces, _ or - between words."""
        wanted = name_key(reason_id)
        for reason in self.reasons:
            if name_key(reason.id) == wanted:
                return reason
        return None

    def status(self, name: str) -> Status | None:
        wanted = name.strip().casefold()
        for status in self.statuses:
            if status.name.casefold() == wanted:
                return status
        return None


def name_key(text: str) -> str:
    """A name as compared with the policy's: "Changed Mind", "changed_mind" -> "changed-mind"."""
    return "-".join(text.casefold().replace("_", " ").replace("-", " ").split())


def bundled_policy_path() -> Path:
    """The policy.toml shipped inside the package (in the source tree, a link to the root copy)."""
    return Path(__file__).resolve().parent / "policy.toml"


def resolve_policy_path(option: str | None) -> Path:
    """`--policy`, else `MIGEMS_POLICY`, else the bundled file."""
    chosen = option or os.environ.get("MIGEMS_POLICY")
    return Path(chosen) if chosen else bundled_policy_path()


def is_directory(path: Path) -> bool:
    """Whether `path` names a directory (a policy directory of versions); False for anything
    the system refuses to look up (too long, a NUL): the file loader then says why."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def display_path(path: Path) -> str:
    """`path` relative to the working directory when it lies below it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symbolic link loop (< 3.13)
        return str(path)
