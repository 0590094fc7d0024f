"""Rich renderers for `migems deadlines`, `migems refund` and `migems status`: one table each."""

from __future__ import annotations

from datetime import date

from rich import box
from rich.table import Table
from rich.text import Text

from migems_cli.money import money_text
from migems_cli.render.console import stdout_console
from migems_cli.schedule import DUE, OVERDUE, PENDING, OrderDeadlines, RefundSchedule, StatusReport
from migems_cli.texts import day_text

STATE_STYLE = {PENDING: "cyan", DUE: "bold green", OVERDUE: "bold red"}


def when_text(days_left: int) -> Text:
    """'in 3 days', 'today' or 'passed' over '2 days ago': passed dates marked without colour too."""
    if days_left == 0:
        return Text("today", style="bold yellow")
    if days_left > 0:
        return Text(f"in {days_left} day{'s' if days_left != 1 else ''}", style="green")
    ago = -days_left
    return Text(f"passed\n{ago} day{'s' if ago != 1 else ''} ago", style="red")


def _table(title: str) -> Table:
    return Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False
    )


def render_deadlines(report: OrderDeadlines) -> None:
    table = _table(f"Deadlines · today {day_text(report.today)} · to {report.country}")
    table.add_column("Deadline", ratio=1, min_width=16)
    table.add_column("Date", no_wrap=True)
    table.add_column("When", no_wrap=True)
    for item in report.deadlines:
        passed = item.days_left < 0
        label = Text(item.id.replace("_", " "), style="bold dim" if passed else "bold")
        label.append("\n")
        label.append(item.description, style="dim")
        table.add_row(label, day_text(item.date), when_text(item.days_left))
    if report.note:
        table.caption = Text(report.note)
        table.caption_justify = "left"
    stdout_console().print(table)


def render_refund(schedule: RefundSchedule) -> None:
    table = _table(f"Refund · today {day_text(schedule.today)}")
    table.add_column("", style="dim", no_wrap=True)
    table.add_column("")
    table.show_header = False
    table.add_row("State", Text(schedule.state.upper(), style=STATE_STYLE[schedule.state]))
    table.add_row("Received", day_text(schedule.received))
    table.add_row("Expected from", day_text(schedule.expected_from))
    table.add_row("Expected by", day_text(schedule.expected_by))
    table.add_row("Business days", f"{schedule.business_days_elapsed} since received")
    if schedule.refund_amount is not None:
        amount = f"{money_text(schedule.refund_amount)} {schedule.currency}"
        table.add_row("Refund", amount)
    steps = Text()
    for number, step in enumerate(schedule.next_steps, start=1):
        if number > 1:
            steps.append("\n")
        steps.append(f"{number}. " if len(schedule.next_steps) > 1 else "", style="bold")
        steps.append(step)
    table.add_row("Next steps", steps)
    stdout_console().print(table)


def render_status(report: StatusReport, today: date) -> None:
    table = _table("Order statuses")
    table.add_column("Status", no_wrap=True, style="bold")
    table.add_column("Meaning and what to tell the customer", ratio=1)
    for info in report.statuses:
        status = info.status
        name = Text(status.name)
        if info.applies_to_country is not None:
            verdict = "yes" if info.applies_to_country else "no"
            name.append(
                f"\n{info.country}: {verdict}", style="green" if verdict == "yes" else "red"
            )
        body = Text(status.meaning)
        body.append("\nTypical: ", style="bold")
        body.append(status.typical_duration)
        body.append("\nTell the customer: ", style="bold")
        body.append(status.customer_advice)
        if status.countries:
            body.append("\nOnly for: ", style="bold")
            body.append(", ".join(status.countries))
        if info.window is not None:
            body.append("\nShips: ", style="bold")
            ships_from, ships_by = info.window.ships_from, info.window.ships_by
            body.append(f"{day_text(ships_from)} to {day_text(ships_by)}")
            body.append(" (")
            body.append(when_text((ships_by - today).days).plain.replace("\n", " "))
            body.append(")")
        table.add_row(name, body)
    if report.refusal:
        table.caption = Text(report.refusal)
        table.caption_justify = "left"
    stdout_console().print(table)
