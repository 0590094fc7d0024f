"""The situations a customer reply can answer, which command's result chooses each, and the
placeholders each command's result provides to its templates (in policy.toml `[replies]`).

Pure data, no imports: `policy_replies` reads it to validate `[replies]` (for `policy check`
and any `--reply`), and `migems_cli.replies` (imported only with `--reply`) chooses and fills
the templates.

A new situation is a template in policy.toml (`[replies.<id>]`) and one line in its command's
table below: its id and when it applies, tried in order (the first that applies is chosen).
"""

from collections.abc import Callable, Mapping
from typing import Any

# check's Verdict: tried in order. A review whose rule waits for photos asks for them; any
# other review is escalated to a person.
CHECK: tuple[tuple[str, Callable[[Any], bool]], ...] = (
    ("exchange-refused", lambda v: v.decision == "ineligible" and v.claim.want == "exchange"),
    ("ineligible", lambda v: v.decision == "ineligible"),
    ("needs-photos", lambda v: any(r.id == "photos" and r.outcome == "review" for r in v.rules)),
    ("escalated", lambda v: v.decision == "review"),
    ("ring-exchange-accepted", lambda v: v.remedy == "exchange" and v.claim.exchange is not None),
    ("exchange-accepted", lambda v: v.remedy == "exchange"),
    ("claim-accepted", lambda v: v.claim.reason.path == "defect"),
    ("return-accepted", lambda v: True),
)
# refund's RefundSchedule, by its state.
REFUND: tuple[tuple[str, Callable[[Any], bool]], ...] = (
    ("refund-pending", lambda s: s.state == "pending"),
    ("refund-due", lambda s: s.state == "due"),
    ("refund-overdue", lambda s: True),
)
# deadlines' OrderDeadlines: once delivered, the return deadlines; before, the shipping dates.
DEADLINES: tuple[tuple[str, Callable[[Any], bool]], ...] = (
    ("return-deadlines", lambda d: any(x.id == "return_by" for x in d.deadlines)),
    ("shipping-estimate", lambda d: True),
)
STATUS: tuple[tuple[str, Callable[[Any], bool]], ...] = (("order-status", lambda s: True),)
RING_SIZE: tuple[tuple[str, Callable[[Any], bool]], ...] = (("ring-size", lambda a: True),)

FAMILIES: Mapping[str, tuple[tuple[str, Callable[[Any], bool]], ...]] = {
    "check": CHECK,
    "refund": REFUND,
    "deadlines": DEADLINES,
    "status": STATUS,
    "ring-size": RING_SIZE,
}

# Placeholders every reply may use: the ticket (customer, order, agent), the store, and the
# policy's own numbers.
COMMON = frozenset(
    {
        "customer",
        "order",
        "agent",
        "store",
        "support_email",
        "window",
        "report_days",
        "review_days",
        "refund_min",
        "refund_max",
        "processing_min",
        "processing_max",
    }
)
# What each command's result provides besides. Dates are written for people ("Thursday,
# December 3, 2026"), amounts with their currency.
PROVIDED: Mapping[str, frozenset[str]] = {
    "check": COMMON
    | {
        "delivered",
        "requested",
        "return_by",
        "report_by",
        "review_until",
        "category",
        "amount",
        "return_shipping",
        "reasons",
        "new_size",
        "new_sizes",
        "tips",
    },
    "refund": COMMON | {"received", "expected_from", "expected_by", "amount", "late_steps"},
    "deadlines": COMMON
    | {
        "ordered",
        "delivered",
        "ships_from",
        "ships_by",
        "arrives_from",
        "arrives_by",
        "return_by",
        "report_by",
        "review_until",
        "country",
        "delay_note",
    },
    "status": COMMON | {"status", "meaning", "duration", "advice"},
    "ring-size": COMMON | {"measured", "size", "sizes", "tips"},
}
# Placeholders that hold a list (one sentence or step an item): each must be a paragraph of its
# own, and becomes a list in the reply (steps numbered, the others bulleted).
LISTS = frozenset({"reasons", "late_steps", "tips"})
NUMBERED = frozenset({"late_steps"})


def situation_family() -> dict[str, str]:
    """Each situation's id -> the command whose result chooses it."""
    return {situation: family for family, table in FAMILIES.items() for situation, _ in table}
