"""A journal entry: one decision as recorded, immutable, and how a verdict or a batch row
becomes one.

What an entry holds is the contract of SPEC "Journal and overrides": when, who (the agent),
which order and claim, the normalised claim, the decision, the failed and review rules, the
deadlines, the refund, the override (from, to, reason, agent) and the policy that decided it
(its name, version, effective date and digest). No customer name, address or other free text:
the override's reason is the only text an agent writes into it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from migems_cli.errors import InputError
from migems_cli.money import money_text

if TYPE_CHECKING:
    from migems_cli.claims import Claim
    from migems_cli.policy import Policy
    from migems_cli.rules import Verdict

OVERRIDE_DECISIONS = ("eligible", "ineligible")
DECISIONS = ("eligible", "ineligible", "review")
_TEXT_LIMIT = 200  # an order number, claim id or agent name
_REASON_LIMIT = 500
_REASON_LETTERS = 4
# Reasons that say nothing: an override must say why.
_EMPTY_REASONS = frozenset(
    {
        "because",
        "none",
        "null",
        "nothing",
        "reason",
        "override",
        "overridden",
        "test",
        "testing",
        "asdf",
        "qwerty",
        "todo",
        "tbd",
        "whatever",
        "blah",
        "xxxx",
        "n/a",
        "no reason",
    }
)


class Override(NamedTuple):
    """An agent's decision in place of the rules': from what, to what, why, by whom."""

    original: str
    to: str
    reason: str
    agent: str

    def to_dict(self) -> dict[str, str]:
        return {"from": self.original, "to": self.to, "reason": self.reason, "agent": self.agent}


class Entry(NamedTuple):
    """One recorded decision. `id` is None until a store has appended it."""

    id: int | None
    recorded_at: str  # ISO 8601, UTC, with a Z
    command: str  # check or batch
    agent: str | None
    order_id: str | None
    claim_id: str | None
    decision: str  # the final decision (an override's `to`)
    override: Override | None
    remedy: str
    refund_amount: str | None
    currency: str
    deadlines: Mapping[str, str]
    failed_rules: tuple[str, ...]
    review_rules: tuple[str, ...]
    as_of: str  # the day the claim was judged on (--today, or the clock's)
    claim: Mapping[str, Any]
    policy: Mapping[str, str | None]

    @property
    def recorded(self) -> datetime:
        return datetime.fromisoformat(self.recorded_at.replace("Z", "+00:00"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "recorded_at": self.recorded_at,
            "agent": self.agent,
            "order_id": self.order_id,
            "claim_id": self.claim_id,
            "command": self.command,
            "decision": self.decision,
            "override": None if self.override is None else self.override.to_dict(),
            "remedy": self.remedy,
            "refund_amount": self.refund_amount,
            "currency": self.currency,
            "deadlines": dict(self.deadlines),
            "failed_rules": list(self.failed_rules),
            "review_rules": list(self.review_rules),
            "as_of": self.as_of,
            "claim": dict(self.claim),
            "policy": dict(self.policy),
        }

    def body(self) -> str:
        """The entry as stored: its JSON without the id (the store gives that)."""
        data = self.to_dict()
        del data["id"]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_from_body(entry_id: int, body: str) -> Entry:
    """An entry read back from its stored JSON; a damaged body reads as what can be read."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        data = {}

    def text(key: str) -> str | None:
        value = data.get(key)
        return None if value is None else str(value)

    def mapping(key: str) -> Mapping[str, Any]:
        value = data.get(key)
        return MappingProxyType(value if isinstance(value, dict) else {})

    def ids(key: str) -> tuple[str, ...]:
        value = data.get(key)
        return tuple(str(item) for item in value) if isinstance(value, list) else ()

    found = data.get("override")
    override = None
    if isinstance(found, dict):
        override = Override(
            str(found.get("from", "")),
            str(found.get("to", "")),
            str(found.get("reason", "")),
            str(found.get("agent", "")),
        )
    return Entry(
        id=entry_id,
        recorded_at=text("recorded_at") or "",
        command=text("command") or "",
        agent=text("agent"),
        order_id=text("order_id"),
        claim_id=text("claim_id"),
        decision=text("decision") or "",
        override=override,
        remedy=text("remedy") or "",
        refund_amount=text("refund_amount"),
        currency=text("currency") or "",
        deadlines=mapping("deadlines"),
        failed_rules=ids("failed_rules"),
        review_rules=ids("review_rules"),
        as_of=text("as_of") or "",
        claim=mapping("claim"),
        policy=mapping("policy"),
    )


class Ticket(NamedTuple):
    """Who records, and which order and claim an entry is about (all optional for --record)."""

    agent: str | None = None
    order_id: str | None = None
    claim_id: str | None = None


def from_verdict(
    verdict: Verdict,
    policy: Policy,
    today: date,
    ticket: Ticket,
    override: Override | None = None,
    command: str = "check",
) -> Entry:
    """The entry for `check`'s verdict (after any override: `verdict.decision` is final)."""
    return Entry(
        id=None,
        recorded_at=now_utc(),
        command=command,
        agent=ticket.agent,
        order_id=ticket.order_id,
        claim_id=ticket.claim_id,
        decision=verdict.decision,
        override=override,
        remedy=verdict.remedy,
        refund_amount=None if verdict.refund_amount is None else money_text(verdict.refund_amount),
        currency=policy.store.currency,
        deadlines=MappingProxyType(verdict.deadlines.to_dict()),
        failed_rules=tuple(verdict.failed_rules),
        review_rules=tuple(r.id for r in verdict.rules if r.outcome == "review"),
        as_of=today.isoformat(),
        claim=MappingProxyType(verdict.claim.to_dict()),
        policy=MappingProxyType(policy.identity.to_dict()),
    )


def from_row(
    claim: Claim,
    cells: Mapping[str, str],
    policy: Policy,
    today: date,
    ticket: Ticket,
    recorded_at: str,
) -> Entry:
    """The entry for one evaluated batch row: its claim and its result cells (`batch.Result`)."""
    from migems_cli.rules import deadlines

    return Entry(
        id=None,
        recorded_at=recorded_at,
        command="batch",
        agent=ticket.agent,
        order_id=ticket.order_id,
        claim_id=ticket.claim_id,
        decision=cells["decision"],
        override=None,
        remedy=cells["remedy"],
        refund_amount=cells["refund_amount"] or None,
        currency=policy.store.currency,
        deadlines=MappingProxyType(deadlines(policy, claim.delivered).to_dict()),
        failed_rules=tuple(filter(None, cells["failed_rules"].split(";"))),
        review_rules=tuple(filter(None, cells["review_rules"].split(";"))),
        as_of=today.isoformat(),
        claim=MappingProxyType(claim.to_dict()),
        policy=MappingProxyType(policy.identity.to_dict()),
    )


def ticket_text(option: str, value: str | None) -> str | None:
    """An order number, claim id or agent name as recorded: trimmed, printable, not too long.

    Raises `InputError` naming `option`."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        raise InputError(option, value, "is empty; give a value or leave the option out")
    if not text.isprintable():
        bad = next(char for char in text if not char.isprintable())
        raise InputError(
            option, value, f"has a control character (U+{ord(bad):04X}); type it plainly"
        )
    if len(text) > _TEXT_LIMIT:
        raise InputError(option, value[:40] + "...", f"is longer than {_TEXT_LIMIT} characters")
    return text


def override_reason(value: str | None) -> str:
    """The reason of an override: required, and saying something. Raises `InputError`."""
    if value is None:
        raise InputError(
            "--override-reason", "", "required with --override: say why the rules are overridden"
        )
    text = " ".join(value.split())
    if not value.replace("\n", " ").replace("\t", " ").isprintable():
        raise InputError("--override-reason", value, "has a control character; type it plainly")
    if len(text) > _REASON_LIMIT:
        raise InputError(
            "--override-reason", value[:40] + "...", f"is longer than {_REASON_LIMIT} characters"
        )
    letters = [ch for ch in text if ch.isalpha()]
    if (
        len(letters) < _REASON_LETTERS
        or len({ch.casefold() for ch in letters}) < 3
        or text.casefold().strip(".!?") in _EMPTY_REASONS
    ):
        raise InputError(
            "--override-reason",
            value,
            "says nothing; say why in words (like 'goodwill: loyal customer, first return')",
        )
    return text


def override_of(original: str, to: str | None, reason: str | None, agent: str | None) -> Override:
    """The override `to` of a decision `original`. Raises `InputError` (exit 2) for a missing
    reason or agent, an unknown decision, or a decision that is already `to`."""
    wanted = (to or "").strip().casefold()
    if wanted not in OVERRIDE_DECISIONS:
        raise InputError("--override", to, "use eligible or ineligible")
    text = override_reason(reason)
    who = ticket_text("--agent", agent)
    if who is None:
        raise InputError(
            "--agent", "", "required with --override (or set MIGEMS_AGENT): who overrides"
        )
    if wanted == original:
        raise InputError(
            "--override", to, f"the rules already decide {original}: nothing to override"
        )
    return Override(original, wanted, text, who)
