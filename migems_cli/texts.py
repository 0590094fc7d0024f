"""Fill the policy's text templates with a claim's values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from migems_cli.money import money_text

if TYPE_CHECKING:
    from migems_cli.claims import Claim
    from migems_cli.policy import Policy
    from migems_cli.rules import Deadlines


class _Context(dict[str, str]):
    """Unknown placeholders stay as written (the loader already rejects them in policy.toml)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def day_text(day: date) -> str:
    """'Mon 2026-12-07': the weekday an agent reads aloud, and the ISO date scripts rely on."""
    return f"{day:%a} {day.isoformat()}"


def policy_context(policy: Policy) -> _Context:
    """Placeholders that depend only on the policy."""
    return _Context(
        window=str(policy.return_window_days),
        report_days=str(policy.damage_report_days),
        review_days=str(policy.damage_review_days),
        refund_min=str(policy.refund.min_business_days),
        refund_max=str(policy.refund.max_business_days),
        support_email=policy.store.support_email,
        processing_min=str(policy.processing.min_business_days),
        processing_max=str(policy.processing.max_business_days),
    )


def claim_context(
    policy: Policy, claim: Claim, deadlines: Deadlines, amount: Decimal | None
) -> _Context:
    context = policy_context(policy)
    category = claim.category.plural if claim.category else "items"
    context.update(
        day=str(claim.day),
        return_by=day_text(deadlines.return_by),
        report_by=day_text(deadlines.report_damage_by),
        review_until=day_text(deadlines.damage_review_until),
        category=category,
        condition=claim.condition,
        reason=claim.reason.label,
        amount=f"{money_text(amount)} {policy.store.currency}"
        if amount is not None
        else "the item price",
    )
    if deadlines.season is not None:  # the longer window a season gave, in days as counted
        counted = dict(deadlines.moved).get("return_by", deadlines.return_by)
        context["window"] = str((counted - claim.delivered).days)
    return context


def fill(template: str, context: dict[str, str]) -> str:
    return template.format_map(context)
