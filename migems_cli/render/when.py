"""Pieces the date and status tables share: deadline names, relative days, the plain table style."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

# What each deadline is, in words an agent reads without the SPEC: return_by is the last day to
# *ask* for a return, not to ship it back. The JSON keys stay the ids.
DEADLINE_LABELS = {
    "ships_from": "Ships from",
    "ships_by": "Ships by",
    "arrives_from": "Arrives from",
    "arrives_by": "Arrives by",
    "return_by": "Ask to return by",
    "report_damage_by": "Report damage by",
    "damage_review_until": "Damage review until",
}


def days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def when_text(days_left: int) -> Text:
    """'in 3 days', 'today' or 'passed 2 days ago': passed dates marked without colour too."""
    if days_left == 0:
        return Text("today", style="bold yellow")
    if days_left > 0:
        return Text(f"in {days(days_left)}", style="green")
    return Text(f"passed {days(-days_left)} ago", style="red")


def left_text(days_left: int, today: bool = True) -> str:
    """A deadline seen from one day: '7 days left', 'last day today' or '5 days late'."""
    if days_left == 0:
        return "last day today" if today else "on the last day"
    if days_left > 0:
        return f"{days(days_left)} left"
    return f"{days(-days_left)} late"


def simple_table(title: str | Text) -> Table:
    return Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False
    )
