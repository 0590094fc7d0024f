"""A return claim: its immutable form, and how typed or CSV values become one."""

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from migems_cli.dates import parse_date
from migems_cli.errors import InputError
from migems_cli.money import money_text, parse_money
from migems_cli.policy import WANTS, Category, Policy, Reason, name_key

if TYPE_CHECKING:
    from migems_cli.exchange import ExchangeSize

_TRUE = frozenset({"yes", "y", "true", "t", "1"})
_FALSE = frozenset({"no", "n", "false", "f", "0"})
FIELDS = (
    "delivered",
    "requested",
    "ordered",
    "reason",
    "category",
    "custom",
    "sale",
    "condition",
    "packaging",
    "photos",
    "want",
    "price",
    "shipping",
    "exchange_size",
)


class Claim(NamedTuple):
    """One item a customer wants to send back, with every input normalised."""

    delivered: date
    requested: date
    reason: Reason
    category: Category | None
    custom: bool
    sale: bool
    condition: str
    packaging: bool
    photos: bool
    price: Decimal | None
    shipping: Decimal | None
    want: str = WANTS[0]  # refund or exchange: what the customer asks for
    exchange: "ExchangeSize | None" = None  # the new ring size an exchange names
    # the order date, when given: it chooses the policy version and any season (issue 14)
    ordered: date | None = None

    @property
    def day(self) -> int:
        """Days from delivery to the request: 0 on the delivery day."""
        return (self.requested - self.delivered).days

    def to_dict(self) -> dict[str, Any]:
        return {
            "delivered": self.delivered.isoformat(),
            "requested": self.requested.isoformat(),
            "ordered": self.ordered.isoformat() if self.ordered else None,
            "reason": self.reason.id,
            "category": self.category.name if self.category else None,
            "custom": self.custom,
            "sale": self.sale,
            "condition": self.condition,
            "packaging": self.packaging,
            "photos": self.photos,
            "price": money_text(self.price) if self.price is not None else None,
            "shipping": money_text(self.shipping) if self.shipping is not None else None,
            "want": self.want,
            "exchange_size": self.exchange.label if self.exchange else None,
        }


def parse_bool(value: str | bool | None, field: str, default: bool) -> bool:
    """yes/no, y/n, true/false, 1/0 in any case; empty or None is `default`."""
    if value is None or isinstance(value, bool):
        return default if value is None else value
    text = value.strip().lower()
    if not text:
        return default
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(field, value, "not a yes/no value; use yes/no, y/n, true/false or 1/0")


def _text(value: str | bool | None) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse_claim(
    policy: Policy,
    values: Mapping[str, str | bool | None],
    today: date,
    dayfirst: bool = False,
    today_from: str = "",
) -> Claim:
    """Build a `Claim` from raw values keyed by `FIELDS` (missing keys take their defaults).

    `today_from` says where `today` came from (--today, MIGEMS_TODAY, the clock), for errors.
    Raises `InputError` naming the first field whose value cannot be used.
    """
    delivered = parse_delivered(values.get("delivered"), today, dayfirst)
    requested = parse_requested(values.get("requested"), today, dayfirst)
    if requested < delivered:
        typed = _text(values.get("requested"))
        if not typed:  # the request date is today by default: delivered or today is wrong
            source = f", from {today_from}" if today_from else ""
            raise InputError(
                "delivered",
                _text(values.get("delivered")),
                f"is after today ({today.isoformat()}{source}), the default requested date; "
                "correct one of them, or give the requested date",
            )
        raise InputError(
            "requested", typed, f"is before the delivered date {delivered.isoformat()}"
        )
    ordered = parse_ordered(values.get("ordered"), delivered, today, dayfirst)
    terms = parse_terms(policy, values)
    exchange = parse_exchange_size(policy, values.get("exchange_size"))
    if exchange is not None:
        _sized(policy, terms.want, terms.category, exchange)
    return Claim(
        delivered=delivered,
        requested=requested,
        reason=terms.reason,
        category=terms.category,
        custom=terms.custom,
        sale=terms.sale,
        condition=terms.condition,
        packaging=terms.packaging,
        photos=terms.photos,
        price=parse_amount(values.get("price"), "price", policy),
        shipping=parse_amount(values.get("shipping"), "shipping", policy),
        want=terms.want,
        exchange=exchange,
        ordered=ordered,
    )


def check_sized(policy: Policy, values: Mapping[str, str | bool | None]) -> None:
    """Raise `parse_claim`'s `InputError` when the cells of `want`, `category` and
    `exchange_size`, each valid alone, do not go together (batch lists it with a row's other
    bad cells); do nothing when one of them is not valid alone (its own error says so)."""
    try:
        exchange = parse_exchange_size(policy, values.get("exchange_size"))
        want = parse_want(policy, values.get("want"))
        category = parse_category(policy, values.get("category"))
    except InputError:
        return
    if exchange is not None:
        _sized(policy, want, category, exchange)


def _sized(policy: Policy, want: str, category: Category | None, exchange: "ExchangeSize") -> None:
    """A new ring size belongs to an exchange of an item that comes in sizes."""
    if want != "exchange":
        raise InputError(
            "exchange_size",
            exchange.query,
            f"a new size is for an exchange, but want is {want}; set want to exchange",
        )
    sized = policy.exchange.sized_categories
    if category is not None and category.name not in sized:
        kinds = ", ".join(c.plural for c in policy.categories if c.name in sized) or "no category"
        raise InputError(
            "exchange_size",
            exchange.query,
            f"a ring size, but the item is a {category.name}; sizes are for {kinds}",
        )


class Terms(NamedTuple):
    """A claim's inputs other than its dates and amounts: what the rules' outcome depends on."""

    reason: Reason
    category: Category | None
    custom: bool
    sale: bool
    condition: str
    packaging: bool
    photos: bool
    want: str = WANTS[0]


def parse_delivered(value: str | bool | None, today: date, dayfirst: bool = False) -> date:
    """The `delivered` date (required). Raises `InputError` naming `delivered`."""
    text = _text(value)
    if not text:
        raise InputError("delivered", value or "", "required")
    return parse_date(text, "delivered", today, dayfirst)


def parse_requested(value: str | bool | None, today: date, dayfirst: bool = False) -> date:
    """The `requested` date; empty means today. Raises `InputError` naming `requested`."""
    text = _text(value)
    return parse_date(text, "requested", today, dayfirst) if text else today


def parse_ordered(
    value: str | bool | None, delivered: date | None, today: date, dayfirst: bool = False
) -> date | None:
    """The `ordered` date (empty: none), not after `delivered` when that is known. Raises
    `InputError` naming `ordered`."""
    text = _text(value)
    if not text:
        return None
    ordered = parse_date(text, "ordered", today, dayfirst)
    if delivered is not None and ordered > delivered:
        raise InputError("ordered", text, f"is after the delivered date {delivered.isoformat()}")
    return ordered


def parse_terms(policy: Policy, values: Mapping[str, str | bool | None]) -> Terms:
    """Reason, category, flags and condition from raw values, checked in `FIELDS` order.

    Raises `InputError` naming the first field whose value cannot be used.
    """
    return Terms(
        reason=parse_reason(policy, values.get("reason")),
        category=parse_category(policy, values.get("category")),
        custom=parse_custom(policy, values.get("custom")),
        sale=parse_sale(policy, values.get("sale")),
        condition=parse_condition(policy, values.get("condition")),
        packaging=parse_packaging(policy, values.get("packaging")),
        photos=parse_photos(policy, values.get("photos")),
        want=parse_want(policy, values.get("want")),
    )


def parse_reason(policy: Policy, value: str | bool | None) -> Reason:
    """The reason (empty: the policy's default). Raises `InputError` naming `reason`."""
    return _reason(policy, _text(value) or policy.default_reason)


def parse_category(policy: Policy, value: str | bool | None) -> Category | None:
    """The category, singular or plural, any case (empty: none). Raises `InputError`."""
    return _category(policy, _text(value))


def parse_condition(policy: Policy, value: str | bool | None) -> str:
    """The condition (empty: the policy's default). Raises `InputError` naming `condition`."""
    return _condition(policy, _text(value) or policy.default_condition)


def parse_custom(policy: Policy, value: str | bool | None) -> bool:
    return parse_bool(value, "custom", False)


def parse_sale(policy: Policy, value: str | bool | None) -> bool:
    return parse_bool(value, "sale", False)


def parse_packaging(policy: Policy, value: str | bool | None) -> bool:
    return parse_bool(value, "packaging", True)


def parse_photos(policy: Policy, value: str | bool | None) -> bool:
    return parse_bool(value, "photos", False)


def parse_want(policy: Policy, value: str | bool | None) -> str:
    """refund or exchange, in any case (empty: refund). Raises `InputError` naming `want`."""
    text = _text(value)
    wanted = name_key(text) if text else WANTS[0]
    if wanted not in WANTS:
        meant = _did_you_mean(_close(text, list(WANTS)))
        raise InputError("want", text, f"unknown want{meant}; use {' or '.join(WANTS)}")
    return wanted


def parse_exchange_size(policy: Policy, value: str | bool | None) -> "ExchangeSize | None":
    """The new ring size an exchange names (empty: none). Raises `InputError` naming
    `exchange_size`, listing the forms a size can take."""
    text = _text(value)
    if not text:
        return None
    from migems_cli.exchange import parse_exchange_size as parse  # ring sizes: only when given

    return parse(policy, text)


# One parser per field of `Terms`, in its order: what `parse_terms` applies, one field at a time.
TERM_PARSERS: dict[str, Callable[[Policy, str | bool | None], object]] = {
    "reason": parse_reason,
    "category": parse_category,
    "custom": parse_custom,
    "sale": parse_sale,
    "condition": parse_condition,
    "packaging": parse_packaging,
    "photos": parse_photos,
    "want": parse_want,
}


def _reason(policy: Policy, text: str) -> Reason:
    reason = policy.reason(text)
    if reason is None:
        known = ", ".join(r.id for r in policy.reasons)
        words = {name_key(word): r.id for r in policy.reasons for word in r.suggest_for}
        meant = words.get(name_key(text)) or _close(text, [r.id for r in policy.reasons])
        raise InputError(
            "reason", text, f"unknown reason{_did_you_mean(meant)}; known reasons: {known}"
        )
    return reason


def _category(policy: Policy, text: str) -> Category | None:
    if not text:
        return None
    category = policy.category(text)
    if category is None:
        known = ", ".join(c.plural for c in policy.categories)
        raise InputError("category", text, f"unknown category; known categories: {known}")
    return category


def _condition(policy: Policy, text: str) -> str:
    wanted = name_key(text)
    for condition in policy.conditions:
        if name_key(condition) == wanted:
            return condition
    known = ", ".join(policy.conditions)
    meant = _did_you_mean(_close(text, list(policy.conditions)))
    raise InputError("condition", text, f"unknown condition{meant}; known conditions: {known}")


def _close(text: str, names: list[str]) -> str | None:
    """The one of `names` that `text` is most likely a typo of, if any is close enough."""
    from difflib import get_close_matches  # only an unknown name needs it

    keys = {name_key(name): name for name in names}
    found = get_close_matches(name_key(text), list(keys), n=1, cutoff=0.8)
    return keys[found[0]] if found else None


def _did_you_mean(name: str | None) -> str:
    return f" (did you mean '{name}'?)" if name else ""


def parse_amount(
    value: str | bool | None, field: str, policy: Policy | None = None
) -> Decimal | None:
    """An optional amount: None when empty. Raises `InputError` naming `field`.

    With a `policy`, the amount may carry the store's currency code or symbol ("$120",
    "120 USD"); without one, it may not.
    """
    text = _text(value)
    if not text:
        return None
    if policy is None:
        return parse_money(text, field)
    return parse_money(text, field, policy.store.currency, policy.store.currency_symbol)
