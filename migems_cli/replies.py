"""Customer replies (`--reply`): a command's result written as an e-mail from the policy's
templates, or refused, never sent with a blank.

`reply_for(policy, family, result, ticket)` chooses the situation from the result (the tables of
`reply_situations`), gathers the values its template needs, and fills it. A value that is not
available is a `Missing` entry; a reply that needs one is refused (`ReplyRefused`, exit 2) with
one line naming every missing option. So is a reply that would show the policy's placeholder
support address, and, as a last guard, one that would hold a brace, an ISO date, or an amount
without its currency. Pure: no printing, no clock; imported only when a reply is asked for.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from migems_cli.errors import InputError, MigemsError
from migems_cli.money import money_text
from migems_cli.reply_situations import FAMILIES, LISTS, NUMBERED
from migems_cli.texts import claim_context, fill, policy_context

if TYPE_CHECKING:
    from migems_cli.exchange import ExchangeSize
    from migems_cli.policy import Policy
    from migems_cli.ring_sizes import Chart, Lookup, Measurement, Row
    from migems_cli.rules import Verdict
    from migems_cli.schedule import OrderDeadlines, RefundSchedule
    from migems_cli.statuses import StatusReport

WIDTH = 72
MAX_TICKET = 200  # characters of a customer's or agent's name, or an order number

# What each missing value is called, on the command line and as a batch column, in the order a
# refusal names them.
OPTIONS: Mapping[str, str] = {
    "customer": "--customer",
    "order": "--order",
    "agent": "--agent",
    "category": "--category",
    "price": "--price",
    "ordered": "--ordered",
    "delivered": "--delivered",
    "status": "a status NAME",
    "size": "a size or a measurement (--circumference, --diameter, --us ...)",
    "exchange_size": "--exchange-size",
}
COLUMNS: Mapping[str, str] = {
    "customer": "customer",
    "order": "order_id",
    "agent": "agent (or --agent)",
    "category": "category",
    "price": "price",
    "exchange_size": "exchange_size",
}


class Missing(NamedTuple):
    """A placeholder's value that the command was not given: `needs` names the input (a key of
    `OPTIONS`) that would give it."""

    needs: str


Value = str | tuple[str, ...] | Missing


class Ticket(NamedTuple):
    """Who the reply is for and from, and which order: per ticket, never from the policy."""

    customer: str | None = None
    order: str | None = None
    agent: str | None = None


class Reply(NamedTuple):
    situation: str
    subject: str
    body: str

    def to_dict(self) -> dict[str, str]:
        return {"situation": self.situation, "subject": self.subject, "body": self.body}

    def text(self) -> str:
        """The reply as pasted into an e-mail: the subject line, a blank line, the body."""
        return f"Subject: {self.subject}\n\n{self.body}\n"


class ReplyRefused(MigemsError):
    """A reply that cannot be written whole: `missing` (keys of `OPTIONS`) were not given, or
    `message` says what else is wrong. Exit 2, one line."""

    def __init__(self, missing: tuple[str, ...] = (), message: str = "") -> None:
        self.missing = missing
        self.message = message or needs_text(missing, OPTIONS)
        super().__init__(self.message)

    def for_batch(self) -> str:
        """The refusal as a batch row's error names it: by column."""
        if self.missing:
            return needs_text(self.missing, {**OPTIONS, **COLUMNS}, "column")
        return self.message


def needs_text(missing: tuple[str, ...], names: Mapping[str, str], kind: str = "") -> str:
    """'the reply needs --customer, --order and --agent' (`kind`: 'the columns ...')."""
    shown = [names.get(key, key) for key in missing]
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    if kind:
        listed = f"the {kind}{'s' if len(shown) > 1 else ''} {listed}"
    return f"the reply needs {listed}"


# --- values for people ---------------------------------------------------------------------

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def people_date(day: date) -> str:
    """'Thursday, December 3, 2026': English whatever the locale."""
    return f"{_WEEKDAYS[day.weekday()]}, {_MONTHS[day.month - 1]} {day.day}, {day.year}"


def people_amount(policy: Policy, amount: Decimal) -> str:
    """'$120.00' with the store's symbol, else '120.00 USD'."""
    store = policy.store
    if store.currency_symbol:
        return f"{store.currency_symbol}{money_text(amount)}"
    return f"{money_text(amount)} {store.currency}"


# Characters a ticket value must not hold: controls, line breaks, bidirectional overrides (as
# policy texts), and braces (a reply never shows one).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069{}\ud800-\udfff]")
# Characters that show nothing: a name made only of these (and spaces) is no name.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u2060-\u2064\u3164\ufeff]"
)


def ticket_value(value: str | None, field: str) -> str | Missing:
    """A customer's or agent's name or an order number as a reply shows it, or `Missing`.
    Raises `InputError` naming `field` for text that cannot go in an e-mail."""
    if value is None or not _INVISIBLE.sub("", value).strip():  # blank, or only invisible
        return Missing(field)
    bad = _UNSAFE.search(value)
    if bad:
        found = bad.group()
        what = (
            "a brace"
            if found in "{}"
            else "bytes that are not UTF-8 text"
            if "\ud800" <= found <= "\udfff"  # argv's undecodable bytes (surrogate escapes)
            else f"a control character (U+{ord(found):04X})"
        )
        raise InputError(field, value, f"cannot go in a reply: it holds {what}")
    text = " ".join(value.split())
    if len(text) > MAX_TICKET:
        raise InputError(field, value, f"cannot go in a reply: longer than {MAX_TICKET} characters")
    return text


def _common(policy: Policy, ticket: Ticket) -> dict[str, Value]:
    values: dict[str, Value] = dict(policy_context(policy))
    values["store"] = policy.store.name
    values["customer"] = ticket_value(ticket.customer, "customer")
    values["order"] = ticket_value(ticket.order, "order")
    values["agent"] = ticket_value(ticket.agent, "agent")
    return values


# --- each command's values -----------------------------------------------------------------


def check_values(policy: Policy, verdict: Verdict) -> dict[str, Value]:
    """What a check's Verdict provides (see `reply_situations.PROVIDED`)."""
    from migems_cli.policy_replies import reply_texts

    claim = verdict.claim
    dates = verdict.deadlines
    context = claim_context(policy, claim, dates, verdict.refund_amount)
    people = {
        "delivered": people_date(claim.delivered),
        "requested": people_date(claim.requested),
        "return_by": people_date(dates.return_by),
        "report_by": people_date(dates.report_damage_by),
        "review_until": people_date(dates.damage_review_until),
    }
    context.update(people)
    reasons = tuple(
        _sentence(fill(policy.rules[r.id].text("customer_fail"), context))
        for r in verdict.rules
        if r.outcome == "fail"
    )
    payer = verdict.return_shipping_paid_by
    values: dict[str, Value] = {
        **people,
        "category": claim.category.plural if claim.category else Missing("category"),
        "amount": people_amount(policy, verdict.refund_amount)
        if verdict.refund_amount is not None
        else Missing("price"),
        "return_shipping": reply_texts(policy).return_shipping.get(payer, "")
        if payer
        else Missing("return_shipping"),
        "reasons": reasons,
        **_exchange_values(claim.exchange),
    }
    return values


def _exchange_values(exchange: ExchangeSize | None) -> dict[str, Value]:
    """The new ring size of an exchange (`--exchange-size`): the size to order, that size in
    the other systems, and the measuring advice."""
    if exchange is None:
        gap = Missing("exchange_size")
        return {"new_size": gap, "new_sizes": gap, "tips": gap}
    shown = (f"{name} {label}" for name, label in exchange.labels)
    others = ", ".join(text for text in shown if text != exchange.label)
    return {"new_size": exchange.label, "new_sizes": others, "tips": exchange.advice}


# A rule under review because the agent did not give its input: the reply waits for it.
_ASK = {"category": "category"}


def check_gaps(verdict: Verdict) -> tuple[str, ...]:
    """The inputs a reply to this verdict needs whatever its template says: a rule that is
    under review only because the check was not told (the category)."""
    return tuple(_ASK[r.id] for r in verdict.rules if r.outcome == "review" and r.id in _ASK)


def refund_values(policy: Policy, schedule: RefundSchedule) -> dict[str, Value]:
    return {
        "received": people_date(schedule.received),
        "expected_from": people_date(schedule.expected_from),
        "expected_by": people_date(schedule.expected_by),
        "amount": people_amount(policy, schedule.refund_amount)
        if schedule.refund_amount is not None
        else Missing("price"),
        "late_steps": tuple(
            fill(step, policy_context(policy)) for step in policy.late_refund_steps if step
        ),
    }


def deadline_values(policy: Policy, report: OrderDeadlines) -> dict[str, Value]:
    found = {d.id: d.date for d in report.deadlines}
    names = {"report_damage_by": "report_by", "damage_review_until": "review_until"}
    values: dict[str, Value] = {
        "country": policy.shipping.country_names.get(report.country, report.country),
        "delay_note": report.note or policy.shipping.delay_note,
    }
    for key in ("ships_from", "ships_by", "arrives_from", "arrives_by"):
        values[key] = people_date(found[key]) if key in found else Missing("ordered")
    for key in ("return_by", "report_damage_by", "damage_review_until"):
        values[names.get(key, key)] = (
            people_date(found[key]) if key in found else Missing("delivered")
        )
    return values


def deadline_dates(ordered: date | None, delivered: date | None) -> dict[str, Value]:
    """The order and delivery dates a deadlines reply may name."""
    return {
        "ordered": people_date(ordered) if ordered else Missing("ordered"),
        "delivered": people_date(delivered) if delivered else Missing("delivered"),
    }


def status_values(report: StatusReport) -> dict[str, Value]:
    if len(report.statuses) != 1:
        gap = Missing("status")
        return {"status": gap, "meaning": gap, "duration": gap, "advice": gap}
    status = report.statuses[0].status
    return {
        "status": status.name,
        "meaning": status.meaning,
        "duration": status.typical_duration,
        "advice": status.customer_advice,
    }


def ring_values(policy: Policy, answer: Lookup | Measurement | None) -> dict[str, Value]:
    if answer is None:
        gap = Missing("size")
        return {"measured": gap, "size": gap, "sizes": gap, "tips": gap}
    advice = policy.ring_sizes.advice
    chart = answer.chart
    if hasattr(answer, "kind"):  # a Measurement
        measurement: Any = answer
        measured = f"an inner {measurement.kind} of {measurement.measured_mm} mm"
        tips = tuple(measurement.advice)
    else:
        lookup: Any = answer
        measured = f"size {lookup.system.name} {lookup.size.label}"
        between = len(lookup.matches) > 1 or not lookup.exact
        keys = ("between_sizes",) * between + ("warm_fingers", "more_room")
        tips = tuple(advice[key] for key in keys)
    match: Row = answer.match
    return {
        "measured": measured,
        "size": chart.label(match),
        "sizes": _other_sizes(chart, match),
        "tips": tips,
    }


def _other_sizes(chart: Chart, row: Row) -> str:
    return ", ".join(
        f"{system.name} {row.sizes[system.id].label}"
        for system in chart.systems
        if system.id != chart.chart_system.id and row.sizes[system.id].value is not None
    )


# --- choosing and filling ------------------------------------------------------------------


def choose(family: str, result: Any) -> str:
    """The situation of `result`, a result of the command `family`: the first that applies."""
    return next(situation for situation, applies in FAMILIES[family] if applies(result))


def compose(
    policy: Policy,
    situation: str,
    values: Mapping[str, Value],
    ticket: Ticket,
    gaps: tuple[str, ...] = (),
) -> Reply:
    """Fill `situation`'s template with `values` (and the ticket's and policy's common ones).

    Raises `ReplyRefused` naming every missing input, then for a placeholder address, then
    (the last guard) for text a reply must never hold; `InputError` for a ticket value that
    cannot go in an e-mail.
    """
    from migems_cli.policy_replies import reply_texts

    texts = reply_texts(policy)
    template = texts.templates[situation]
    fields: dict[str, Value] = {**_common(policy, ticket), **values}
    pieces = [template.subject, texts.greeting, *template.body, *texts.closing]
    used = [name for piece in pieces for name in _names(piece)]
    missing = [*gaps]
    for name in used:
        value = fields.get(name, Missing(name))
        if isinstance(value, Missing) and value.needs not in missing:
            missing.append(value.needs)
    if missing:
        order = list(OPTIONS)
        missing.sort(key=lambda key: order.index(key) if key in order else len(order))
        raise ReplyRefused(tuple(missing))
    scalar = {k: v for k, v in fields.items() if isinstance(v, str)}
    subject = " ".join(fill(template.subject, scalar).split())
    paragraphs = [_wrap(_sentence(fill(texts.greeting, scalar)))]
    for paragraph in template.body:
        name = paragraph.strip()[1:-1]
        if name in LISTS and paragraph.strip() == "{" + name + "}":
            paragraphs.append(_listed(fields[name], numbered=name in NUMBERED))
        else:
            paragraphs.append(_wrap(_sentence(fill(paragraph, scalar))))
    paragraphs.append("\n".join(_wrap(fill(line, scalar)) for line in texts.closing))
    body = "\n\n".join(p for p in paragraphs if p)
    reply = Reply(situation, subject, body)
    guard(policy, reply)
    return reply


def reply_for(
    policy: Policy,
    family: str,
    result: Any,
    values: Mapping[str, Value],
    ticket: Ticket,
    gaps: tuple[str, ...] = (),
) -> Reply:
    """The reply to `result` of command `family`, from the values it provides."""
    return compose(policy, choose(family, result), values, ticket, gaps)


def _names(template: str) -> list[str]:
    return re.findall(r"(?<!\{)\{([A-Za-z0-9_]+)\}(?!\})", template)


def _sentence(text: str) -> str:
    """`text` starting with a capital (a sentence may start with a placeholder: "earrings")."""
    text = " ".join(text.split())
    return text[:1].upper() + text[1:] if text[:1].islower() else text


_KEEP = "\u00a0"  # a no-break space: textwrap breaks lines only at ASCII white space


_DATES = re.compile(rf"\b({'|'.join(_MONTHS)}) (\d{{1,2}}), (\d{{4}})\b")


def _keep_dates(text: str) -> str:
    """'December 3, 2026' held together, so a line never ends in 'December 3,' with the year
    on the next; `_wrap` turns the no-break spaces back into spaces."""
    return _DATES.sub(rf"\1{_KEEP}\2,{_KEEP}\3", text)


def _wrap(text: str, first: str = "", rest: str = "") -> str:
    kept = _keep_dates(text)
    # ASCII takes a column a character; CJK, emoji and combining accents do not
    if not text.isascii() and any(_columns(char) != 1 for char in text):
        wrapped = _wrap_columns(kept, first, rest)
    else:
        wrapped = textwrap.fill(
            kept,
            WIDTH,
            initial_indent=first,
            subsequent_indent=rest,
            break_long_words=True,
            break_on_hyphens=False,
        )
    return wrapped.replace(_KEEP, " ")


def _columns(char: str) -> int:
    """The terminal columns `char` takes: 2 wide or full-width, 0 a combining or format mark."""
    import unicodedata

    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _clusters(word: str) -> list[str]:
    """`word` cut before each character that takes a column: a mark stays with its letter."""
    pieces: list[str] = []
    for char in word:
        if pieces and _columns(char) == 0:
            pieces[-1] += char
        else:
            pieces.append(char)
    return pieces


def _wrap_columns(text: str, first: str, rest: str) -> str:
    """`textwrap.fill` by terminal columns rather than characters (which it counts): words
    greedily on lines of at most `WIDTH` columns; a word longer than a line is cut between
    letters (never between a letter and its marks), starting on the current line."""
    lines: list[str] = []
    line, used, filled = first, sum(map(_columns, first)), False
    indent = sum(map(_columns, rest))
    for word in re.split(r"[\t\n\x0b\x0c\r ]+", text):
        if not word:
            continue
        width = sum(map(_columns, word))
        if used + filled + width <= WIDTH:
            line, used, filled = line + " " * filled + word, used + filled + width, True
            continue
        if width <= WIDTH - indent:  # on a line of its own
            lines.append(line)
            line, used, filled = rest + word, indent + width, True
            continue
        if filled:
            line, used = line + " ", used + 1
        for piece in _clusters(word):
            size = sum(map(_columns, piece))
            if used + size > WIDTH and used > indent:
                lines.append(line.rstrip(" "))
                line, used = rest, indent
            line, used = line + piece, used + size
        filled = True
    if filled:
        lines.append(line)
    return "\n".join(lines)


def _listed(items: Value, numbered: bool) -> str:
    assert isinstance(items, tuple)
    lines = []
    for index, item in enumerate(items, 1):
        mark = f"{index}. " if numbered else "- "
        lines.append(_wrap(_sentence(item), mark, " " * len(mark)))
    return "\n".join(lines)


# --- the last guard ------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b")
_AMOUNT = re.compile(r"[0-9]+\.[0-9]{2}\b")


def guard(policy: Policy, reply: Reply) -> None:
    """Refuse a reply that shows the placeholder support address, or holds a brace, an ISO
    date, or an amount without its currency: whatever a template or a value brought in."""
    text = f"{reply.subject}\n{reply.body}"
    store = policy.store
    if store.support_email_is_placeholder and store.support_email and store.support_email in text:
        raise ReplyRefused(
            message=f"the reply would show the placeholder support address "
            f"{store.support_email}: set support_email to the real address and "
            "support_email_is_placeholder = false in [store] of policy.toml (or give --policy)"
        )
    problems = []
    if "{" in text or "}" in text:
        problems.append("a brace")
    iso = _ISO_DATE.search(text)
    if iso:
        problems.append(f"an ISO date ({iso.group()})")
    for found in _AMOUNT.finditer(text):
        before = text[: found.start()]
        after = text[found.end() :]
        marked = (store.currency_symbol and before.endswith(store.currency_symbol)) or (
            after.startswith((f" {store.currency}", " mm"))
        )
        if not marked:
            problems.append(f"an amount without its currency ({found.group()})")
            break
    if problems:
        raise ReplyRefused(
            message=f"the {reply.situation} reply would hold {' and '.join(problems)}; "
            "check the [replies] templates and the values given"
        )


# --- one entry a command -------------------------------------------------------------------


def check_reply(policy: Policy, verdict: Verdict, ticket: Ticket) -> Reply:
    values = check_values(policy, verdict)
    return reply_for(policy, "check", verdict, values, ticket, check_gaps(verdict))


def refund_reply(policy: Policy, schedule: RefundSchedule, ticket: Ticket) -> Reply:
    return reply_for(policy, "refund", schedule, refund_values(policy, schedule), ticket)


def deadlines_reply(
    policy: Policy,
    report: OrderDeadlines,
    ticket: Ticket,
    ordered: date | None,
    delivered: date | None,
) -> Reply:
    values = {**deadline_values(policy, report), **deadline_dates(ordered, delivered)}
    return reply_for(policy, "deadlines", report, values, ticket)


def status_reply(policy: Policy, report: StatusReport, ticket: Ticket) -> Reply:
    return reply_for(policy, "status", report, status_values(report), ticket)


def ring_reply(policy: Policy, answer: Lookup | Measurement | None, ticket: Ticket) -> Reply:
    return reply_for(policy, "ring-size", answer, ring_values(policy, answer), ticket)
