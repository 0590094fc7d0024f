"""Rich renderers for `migems deadlines` and `migems refund`."""

from __future__ import annotations

from rich.console import Group
from rich.padding import Padding
from rich.text import Text

from migems_cli.money import money_text
from migems_cli.render.console import plain, stdout_console
from migems_cli.render.grids import facts_grid, numbered
from migems_cli.render.when import DEADLINE_LABELS, when_text
from migems_cli.schedule import DUE, OVERDUE, PENDING, OrderDeadlines, RefundSchedule
from migems_cli.texts import day_text

STATE_STYLE = {PENDING: "cyan", DUE: "bold green", OVERDUE: "bold red"}


def render_deadlines(report: OrderDeadlines, destination: str) -> None:
    """Each deadline on one line (name, date, how far), its description indented under it.

    The date follows its name at every width (a table would push it to the right edge).
    """
    title = Text("Deadlines · today ", style="bold")
    title.append(day_text(report.today))
    title.append(" · to ")
    title.append_text(plain(destination))
    parts: list[object] = [title]
    labels = [DEADLINE_LABELS.get(item.id, item.id) for item in report.deadlines]
    width = max(map(len, labels), default=0)
    for item, label in zip(report.deadlines, labels, strict=True):
        passed = item.days_left < 0
        line = Text(label.ljust(width), style="bold dim" if passed else "bold")
        line.append("  ")
        line.append(day_text(item.date))
        line.append("  ")
        line.append_text(when_text(item.days_left))
        parts.append(line)
        parts.append(Padding(plain(item.description, style="dim"), (0, 0, 0, 2)))
    if report.note:
        parts.append(plain(report.note))
    stdout_console().print(Group(*parts))  # type: ignore[arg-type]


def render_refund(schedule: RefundSchedule) -> None:
    console = stdout_console()
    console.print(Text(f"Refund · today {day_text(schedule.today)}", style="bold"))
    table = facts_grid()
    table.add_row("State", Text(schedule.state.upper(), style=STATE_STYLE[schedule.state]))
    table.add_row("Received", day_text(schedule.received))
    table.add_row("Expected from", day_text(schedule.expected_from))
    table.add_row("Expected by", day_text(schedule.expected_by))
    table.add_row("Business days", f"{schedule.business_days_elapsed} since received")
    if schedule.refund_amount is not None:
        amount = f"{money_text(schedule.refund_amount)} {schedule.currency}"
        table.add_row("Refund", amount)
    console.print(table)
    if schedule.next_steps:
        console.print(Text("Next steps", style="bold"))
        console.print(numbered(schedule.next_steps))
