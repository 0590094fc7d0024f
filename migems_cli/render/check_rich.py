"""The rich renderer for `migems check`: a verdict panel, the dates, the rules, next steps."""

from __future__ import annotations

from datetime import date

from rich import box
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from migems_cli.money import money_text
from migems_cli.policy import Policy
from migems_cli.render.console import DECISION_STYLE, OUTCOME_STYLE, stdout_console
from migems_cli.rules import Verdict
from migems_cli.texts import day_text

_HEADLINE = {
    "eligible": "ELIGIBLE",
    "ineligible": "NOT ELIGIBLE",
    "review": "NEEDS REVIEW by a person",
}


def _relative(day: date, today: date) -> str:
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta > 0:
        return f"in {delta} day{'s' if delta != 1 else ''}"
    return f"{-delta} day{'s' if delta != -1 else ''} ago"


def render_check(verdict: Verdict, policy: Policy, today: date) -> None:
    j = verdict.judgement
    claim = j.claim
    style = DECISION_STYLE[j.decision]
    headline = Text(_HEADLINE[j.decision], style=style)
    headline.append(f"  {claim.reason.label}", style="bold")
    if claim.category:
        headline.append(f" · {claim.category.name}")
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim", no_wrap=True)
    facts.add_column()
    facts.add_row("Remedy", j.remedy)
    if j.refund_amount is not None:
        facts.add_row(
            "Refund", f"{money_text(j.refund_amount)} {verdict.currency} (shipping excluded)"
        )
    if j.return_shipping_paid_by:
        facts.add_row("Return shipping", f"paid by the {j.return_shipping_paid_by}")
    facts.add_row("Delivered", day_text(claim.delivered))
    facts.add_row("Requested", f"{day_text(claim.requested)} (day {claim.day})")
    governing = "report_damage_by" if claim.reason.path == "defect" else "return_by"
    for key, label in (
        ("return_by", "Return by"),
        ("report_damage_by", "Report damage by"),
        ("damage_review_until", "Damage review until"),
    ):
        day: date = getattr(j.deadlines, key)
        mark = " ◀" if key == governing else ""
        facts.add_row(label, f"{day_text(day)} ({_relative(day, today)}){mark}")
    facts.add_row("Days left", str(j.days_left))

    rules = Table(box=box.SIMPLE_HEAD, show_edge=False, expand=False, pad_edge=False)
    rules.add_column("Rule", no_wrap=True)
    rules.add_column("Outcome", no_wrap=True)
    rules.add_column("Why")
    for rule in verdict.rules:
        rules.add_row(
            rule.id, Text(rule.outcome, style=OUTCOME_STYLE[rule.outcome]), Text(rule.detail)
        )

    steps = Table.grid(padding=(0, 1))
    steps.add_column(justify="right", style="bold", no_wrap=True)
    steps.add_column()
    for number, step in enumerate(verdict.next_steps, start=1):
        steps.add_row(f"{number}.", Text(step))

    parts: list[object] = [facts, Text(""), rules]
    if verdict.next_steps:
        parts += [Text(""), Text("Next steps", style="bold"), steps]
    console = stdout_console()
    console.print(Panel(Group(*parts), title=headline, title_align="left", border_style=style))  # type: ignore[arg-type]
