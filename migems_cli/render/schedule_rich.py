"""Rich renderers for `migems deadlines` and `migems refund`: one table each."""

from __future__ import annotations

from rich.text import Text

from migems_cli.money import money_text
from migems_cli.render.console import stdout_console
from migems_cli.render.when import simple_table, when_text
from migems_cli.schedule import DUE, OVERDUE, PENDING, OrderDeadlines, RefundSchedule
from migems_cli.texts import day_text

STATE_STYLE = {PENDING: "cyan", DUE: "bold green", OVERDUE: "bold red"}


def render_deadlines(report: OrderDeadlines) -> None:
    table = simple_table(f"Deadlines · today {day_text(report.today)} · to {report.country}")
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
    table = simple_table(f"Refund · today {day_text(schedule.today)}")
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
