"""The rich renderer for `migems check`: a verdict panel, the dates, the rules, next steps."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich import box
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from migems_cli.money import money_text
from migems_cli.policy import Policy
from migems_cli.render.console import DECISION_STYLE, OUTCOME_STYLE, plain, stdout_console
from migems_cli.render.grids import facts_grid, numbered
from migems_cli.render.when import DEADLINE_LABELS, left_text
from migems_cli.rules import Verdict
from migems_cli.texts import day_text

if TYPE_CHECKING:
    from migems_cli.journal.entry import Override

_HEADLINE = {
    "eligible": "ELIGIBLE",
    "ineligible": "NOT ELIGIBLE",
    "review": "NEEDS REVIEW by a person",
}
# The deadline that governs a claim, and the rule that judges it, by the reason's path.
_GOVERNING = {"defect": ("report_damage_by", "damage-window")}
_CHANGE_OF_MIND = ("return_by", "return-window")


def _relative(day: date, today: date) -> str:
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta > 0:
        return f"in {delta} day{'s' if delta != 1 else ''}"
    return f"{-delta} day{'s' if delta != -1 else ''} ago"


def render_check(
    verdict: Verdict, policy: Policy, today: date, override: Override | None = None
) -> None:
    claim = verdict.claim
    style = DECISION_STYLE[verdict.decision]
    headline = Text(_HEADLINE[verdict.decision], style=style)
    if override is not None:
        headline.append(" (override)", style=style)
    headline.append("  ")
    headline.append_text(plain(claim.reason.label, style="bold"))
    if claim.category:
        headline.append(" · ")
        headline.append_text(plain(claim.category.name))
    facts = facts_grid()
    if override is not None:
        facts.add_row(
            "Override",
            plain(
                f"the rules decided {_HEADLINE[override.original]}; overridden by "
                f"{override.agent}: {override.reason}"
            ),
        )
    facts.add_row("Remedy", plain(verdict.remedy))
    if verdict.refund_amount is not None:
        facts.add_row(
            "Refund", f"{money_text(verdict.refund_amount)} {verdict.currency} (shipping excluded)"
        )
    size = claim.exchange
    if size is not None:
        facts.add_row("Exchange for", plain(" · ".join(f"{n} {v}" for n, v in size.labels)))
        lengths = Text(
            f"inner diameter {size.size['diameter_mm']} mm · circumference "
            f"{size.size['circumference_mm']} mm · asked as "
        )
        lengths.append_text(plain(size.query))
        facts.add_row("", lengths)
    if verdict.return_shipping_paid_by:
        facts.add_row("Return shipping", plain(f"paid by the {verdict.return_shipping_paid_by}"))
    facts.add_row("Delivered", day_text(claim.delivered))
    governing, window_rule = _GOVERNING.get(claim.reason.path, _CHANGE_OF_MIND)
    # The governing deadline is marked, and the days left on it shown, only when acting on it is
    # what the verdict asks: not when another rule failed (the window is then beside the point).
    other_failed = any(r.outcome == "fail" and r.id != window_rule for r in verdict.rules)
    requested = f"{day_text(claim.requested)} (day {claim.day}"
    if not other_failed:
        requested += ", " + left_text(verdict.days_left, claim.requested == today)
    facts.add_row("Requested", requested + ")")
    for key in ("return_by", "report_damage_by", "damage_review_until"):
        day: date = getattr(verdict.deadlines, key)
        mark = " ◀" if key == governing and not other_failed else ""
        facts.add_row(DEADLINE_LABELS[key], f"{day_text(day)} ({_relative(day, today)}){mark}")

    rules = Table(box=box.SIMPLE_HEAD, show_edge=False, expand=False, pad_edge=False)
    rules.add_column("Rule", no_wrap=True)
    rules.add_column("Outcome", no_wrap=True)
    rules.add_column("Why")
    for rule in verdict.rules:
        rules.add_row(
            plain(rule.id),
            Text(rule.outcome, style=OUTCOME_STYLE[rule.outcome]),
            plain(rule.detail),
        )

    parts: list[object] = [facts, Text(""), rules]
    if verdict.next_steps:
        parts += [Text(""), Text("Next steps", style="bold"), numbered(verdict.next_steps)]
    if size is not None and size.advice:
        parts += [Text(""), Text("Sizing advice", style="bold"), numbered(size.advice)]
    console = stdout_console()
    console.print(Panel(Group(*parts), title=headline, title_align="left", border_style=style))  # type: ignore[arg-type]
