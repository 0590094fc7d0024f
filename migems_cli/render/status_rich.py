"""The rich renderer for `migems status`: one table, customer texts as plain `Text`."""

from __future__ import annotations

from datetime import date

from migems_cli.render.console import plain, stdout_console
from migems_cli.render.when import simple_table, when_text
from migems_cli.statuses import StatusReport
from migems_cli.texts import day_text


def render_status(report: StatusReport, today: date | None) -> None:
    """`today` is only needed (and only read) when a ship window is shown."""
    table = simple_table("Order statuses")
    table.add_column("Status", no_wrap=True, style="bold")
    table.add_column("Meaning and what to tell the customer", ratio=1)
    for info in report.statuses:
        status = info.status
        name = plain(status.name)
        if info.applies_to_country is not None and info.country is not None:
            verdict = "yes" if info.applies_to_country else "no"
            name.append("\n")
            name.append_text(
                plain(f"{info.country}: {verdict}", style="green" if verdict == "yes" else "red")
            )
        body = plain(status.meaning)
        body.append("\nTypical: ", style="bold")
        body.append_text(plain(status.typical_duration))
        body.append("\nTell the customer: ", style="bold")
        body.append_text(plain(status.customer_advice))
        if status.countries:
            body.append("\nOnly for: ", style="bold")
            body.append_text(plain(", ".join(status.countries)))
        if info.window is not None and today is not None:
            body.append("\nShips: ", style="bold")
            ships_from, ships_by = info.window.ships_from, info.window.ships_by
            body.append(f"{day_text(ships_from)} to {day_text(ships_by)}")
            body.append(" (")
            body.append_text(when_text((ships_by - today).days))
            body.append(")")
        table.add_row(name, body)
    if report.refusal:
        table.caption = plain(report.refusal)
        table.caption_justify = "left"
    stdout_console().print(table)
