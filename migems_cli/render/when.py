"""Pieces the date and status tables share: relative days and the plain table style."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text


def when_text(days_left: int) -> Text:
    """'in 3 days', 'today' or 'passed' over '2 days ago': passed dates marked without colour too."""
    if days_left == 0:
        return Text("today", style="bold yellow")
    if days_left > 0:
        return Text(f"in {days_left} day{'s' if days_left != 1 else ''}", style="green")
    ago = -days_left
    return Text(f"passed\n{ago} day{'s' if ago != 1 else ''} ago", style="red")


def simple_table(title: str) -> Table:
    return Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False
    )
