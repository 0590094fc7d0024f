"""The return rules: pure functions from a claim and the policy to a judgement.

`judge` decides (decision, remedy, amount, payer, deadlines, failed rules) and is what `batch`
calls per row; `explain` adds the agent-facing texts and next steps for `check`. Both share the
one evaluation in `assess`, so no rule is written twice.
"""

from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from migems_cli.claims import Claim
from migems_cli.errors import InputError
from migems_cli.money import money_text
from migems_cli.policy import Category, Policy, Reason
from migems_cli.texts import claim_context, fill

PASS, FAIL, REVIEW = "pass", "fail", "review"
ELIGIBLE, INELIGIBLE, NEEDS_REVIEW = "eligible", "ineligible", "review"


class RuleResult(NamedTuple):
    """A rule's outcome, and which of its policy texts explains it (pass/fail/review/exempt)."""

    id: str
    outcome: str
    text: str


class Assessment(NamedTuple):
    """What the rules decide for one combination of inputs (cached: see `assess`)."""

    decision: str
    results: tuple[RuleResult, ...]
    remedy: str
    return_shipping_paid_by: str | None
    refunds_price: bool  # the refund amount is the item price (when one was given)
    failed_rules: tuple[str, ...]


class Deadlines(NamedTuple):
    return_by: date
    report_damage_by: date
    damage_review_until: date

    def to_dict(self) -> dict[str, str]:
        return {
            "return_by": self.return_by.isoformat(),
            "report_damage_by": self.report_damage_by.isoformat(),
            "damage_review_until": self.damage_review_until.isoformat(),
        }


class Judgement(NamedTuple):
    claim: Claim
    decision: str
    remedy: str
    refund_amount: Decimal | None
    return_shipping_paid_by: str | None
    deadlines: Deadlines
    days_left: int
    results: tuple[RuleResult, ...]
    failed_rules: tuple[str, ...]


class RuleOutcome(NamedTuple):
    id: str
    outcome: str
    detail: str
    clause: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "outcome": self.outcome, "detail": self.detail}


class Verdict(NamedTuple):
    """A judgement with what an agent reads: each rule's detail and the next steps."""

    judgement: Judgement
    currency: str
    rules: tuple[RuleOutcome, ...]
    next_steps: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        j = self.judgement
        return {
            "decision": j.decision,
            "remedy": j.remedy,
            "refund_amount": money_text(j.refund_amount) if j.refund_amount is not None else None,
            "currency": self.currency,
            "return_shipping_paid_by": j.return_shipping_paid_by,
            "deadlines": j.deadlines.to_dict(),
            "days_left": j.days_left,
            "rules": [rule.to_dict() for rule in self.rules],
            "next_steps": list(self.next_steps),
            "claim": j.claim.to_dict(),
        }


def deadlines(policy: Policy, delivered: date) -> Deadlines:
    """Calendar-day deadlines counted from the delivery date (the last day is inclusive).

    Raises `InputError` naming `delivered` when a deadline would fall after `date.max`.
    """
    try:
        return Deadlines(
            return_by=delivered + timedelta(days=policy.return_window_days),
            report_damage_by=delivered + timedelta(days=policy.damage_report_days),
            damage_review_until=delivered + timedelta(days=policy.damage_review_days),
        )
    except OverflowError:
        raise InputError("delivered", delivered.isoformat(), TOO_LATE) from None


# The error for a date whose deadlines or business days would fall outside `datetime.date`.
TOO_LATE = f"too late in the calendar: its deadlines fall after {date.max.isoformat()}"


@lru_cache(maxsize=8192)
def assess(
    policy: Policy,
    reason: Reason,
    band: int,
    category: Category | None,
    custom: bool,
    sale: bool,
    condition: str,
    packaging: bool,
    photos: bool,
) -> Assessment:
    """Every rule that applies to a claim, and the decision they add up to.

    `band` says where the request falls against the windows (see `window_band`); outcomes depend
    on nothing else about the dates, which keeps this cacheable across millions of rows.
    """
    results: list[RuleResult] = []
    add = results.append
    defect = reason.path == "defect"
    if not defect:
        within = PASS if band <= _IN_RETURN else FAIL
        add(RuleResult("return-window", within, within))
        ok = condition in policy.accepted_conditions
        add(RuleResult("condition", PASS if ok else FAIL, PASS if ok else FAIL))
        add(RuleResult("packaging", PASS if packaging else FAIL, PASS if packaging else FAIL))
    else:
        if band <= _IN_REPORT:
            add(RuleResult("damage-window", PASS, PASS))
        elif band <= _IN_REVIEW:
            add(RuleResult("damage-window", REVIEW, REVIEW))
        else:
            add(RuleResult("damage-window", FAIL, FAIL))
        if not reason.photos_required:
            add(RuleResult("photos", PASS, "exempt"))
        else:
            add(RuleResult("photos", PASS if photos else REVIEW, PASS if photos else REVIEW))
    if category is None:
        # Not given: on a change of mind it may be a non-returnable one, so a person asks which
        # item it is; a damaged, defective or wrong item is covered whatever its category.
        if defect:
            add(RuleResult("category", PASS, "exempt_unknown"))
        elif policy.non_returnable_categories:
            add(RuleResult("category", REVIEW, REVIEW))
        else:
            add(RuleResult("category", PASS, PASS))
    elif category.name not in policy.non_returnable_categories:
        add(RuleResult("category", PASS, PASS))
    else:
        add(
            RuleResult("category", PASS, "exempt") if defect else RuleResult("category", FAIL, FAIL)
        )
    if not custom:
        add(RuleResult("custom", PASS, PASS))
    else:
        add(RuleResult("custom", PASS, "exempt") if defect else RuleResult("custom", FAIL, FAIL))
    if not sale:
        add(RuleResult("sale", PASS, PASS))
    else:
        add(RuleResult("sale", REVIEW, REVIEW) if defect else RuleResult("sale", FAIL, FAIL))
    outcomes = {r.outcome for r in results}
    decision = INELIGIBLE if FAIL in outcomes else NEEDS_REVIEW if REVIEW in outcomes else ELIGIBLE
    return Assessment(
        decision=decision,
        results=tuple(results),
        remedy="none" if decision == INELIGIBLE else reason.remedy,
        return_shipping_paid_by=None if decision == INELIGIBLE else reason.return_shipping_paid_by,
        # "a full refund, excluding shipping costs": the item price, never the shipping paid
        refunds_price=decision == ELIGIBLE,
        failed_rules=tuple(r.id for r in results if r.outcome == FAIL),
    )


# Where a request day falls: within the damage report window, the review window, the return
# window, or after all of them. Bands are ordered so "band <= X" reads "no later than X".
_IN_REPORT, _IN_REVIEW, _IN_RETURN, _LATE = 0, 1, 2, 3


def window_band(policy: Policy, reason: Reason, day: int) -> int:
    if reason.path == "defect":
        if day <= policy.damage_report_days:
            return _IN_REPORT
        return _IN_REVIEW if day <= policy.damage_review_days else _LATE
    return _IN_RETURN if day <= policy.return_window_days else _LATE


def judge(policy: Policy, claim: Claim) -> Judgement:
    """Decide a claim: decision, remedy, refund amount, who pays return shipping, deadlines."""
    reason = claim.reason
    day = claim.day
    found = assess(
        policy,
        reason,
        window_band(policy, reason, day),
        claim.category,
        claim.custom,
        claim.sale,
        claim.condition,
        claim.packaging,
        claim.photos,
    )
    dates = deadlines(policy, claim.delivered)
    governing = dates.report_damage_by if reason.path == "defect" else dates.return_by
    return Judgement(
        claim=claim,
        decision=found.decision,
        remedy=found.remedy,
        refund_amount=claim.price if found.refunds_price else None,
        return_shipping_paid_by=found.return_shipping_paid_by,
        deadlines=dates,
        days_left=(governing - claim.requested).days,
        results=found.results,
        failed_rules=found.failed_rules,
    )


def explain(policy: Policy, judgement: Judgement) -> Verdict:
    """The judgement with each rule's detail and the agent's next steps, from policy texts."""
    context = claim_context(policy, judgement.claim, judgement.deadlines, judgement.refund_amount)
    if judgement.claim.category is None and policy.non_returnable_categories:
        # the category rule's texts then name what to ask about: the non-returnable categories
        context["category"] = ", ".join(
            c.plural for c in policy.categories if c.name in policy.non_returnable_categories
        )
    rules = tuple(
        RuleOutcome(
            id=r.id,
            outcome=r.outcome,
            detail=fill(policy.rules[r.id].text(r.text), context),
            clause=policy.rules[r.id].clause,
        )
        for r in judgement.results
    )
    steps: list[str] = []
    if judgement.decision == ELIGIBLE:
        steps.extend(policy.next_steps[judgement.claim.reason.path])
    else:
        wanted, key = (
            (FAIL, "next_step") if judgement.decision == INELIGIBLE else (REVIEW, "review_step")
        )
        steps.extend(policy.rules[r.id].text(key) for r in judgement.results if r.outcome == wanted)
        if judgement.decision == INELIGIBLE:
            steps.extend(policy.next_steps["ineligible"])
    return Verdict(
        judgement=judgement,
        currency=policy.store.currency,
        rules=rules,
        next_steps=tuple(fill(step, context) for step in steps if step),
    )


def evaluate(policy: Policy, claim: Claim) -> Verdict:
    """`check`'s answer for one claim: `explain(judge(...))`."""
    return explain(policy, judge(policy, claim))
