"""Rich output of the journal: earlier decisions above a verdict, the entry just recorded,
`migems log`'s table and `migems log show`'s entry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rich.text import Text

from migems_cli.journal.contact import Contact, summary_line
from migems_cli.journal.entry import Entry
from migems_cli.render.console import DECISION_STYLE, plain, stdout_console


def render_history(found: Contact, today: date) -> None:
    """The earlier decisions on the order, newest first, and a warning if the new differs."""
    console = stdout_console()
    first = found.history[0]
    about = f"order {first.order_id}" + (f", claim {first.claim_id}" if first.claim_id else "")
    console.print(plain(f"Earlier decisions on {about} (newest first):", style="bold"))
    for entry in found.history:
        line = Text(f"  #{entry.id} ", style="dim")
        line.append_text(plain(summary_line(entry, today), DECISION_STYLE.get(entry.decision, "")))
        console.print(line)
    if found.differs:
        console.print(plain(f"Warning: {found.differs}", style="bold yellow"))
    console.print()


def render_recorded(found: Contact) -> None:
    stdout_console().print(
        plain(f"Recorded as entry {found.recorded} in the journal {found.journal}", style="dim")
    )


def _when(entry: Entry) -> str:
    return entry.recorded_at[:16].replace("T", " ")


def render_log(entries: Iterable[Entry], more: bool, limit: int) -> int:
    """The entries as a table, newest first; the number shown."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
    for name in ("ID", "Recorded (UTC)", "Agent", "Order", "Claim"):
        table.add_column(name, no_wrap=name in ("ID", "Recorded (UTC)"))
    table.add_column("Decision", ratio=1, min_width=10)
    count = 0
    for entry in entries:
        count += 1
        decision = Text(entry.decision, style=DECISION_STYLE.get(entry.decision, ""))
        if entry.override is not None:
            decision.append(f" (override, was {entry.override.original}): ")
            decision.append_text(plain(entry.override.reason))
        table.add_row(
            str(entry.id),
            _when(entry),
            plain(entry.agent or ""),
            plain(entry.order_id or ""),
            plain(entry.claim_id or ""),
            decision,
        )
    console = stdout_console()
    if not count:
        console.print("No entries match.")
        return 0
    console.print(table)
    if more:
        console.print(plain(f"The {limit} newest shown; --limit N shows more.", style="dim"))
    return count


def render_entry(entry: Entry) -> None:
    """One entry in full."""
    from rich.panel import Panel

    from migems_cli.render.grids import facts_grid

    facts = facts_grid()
    data = entry.to_dict()
    for key in ("recorded_at", "agent", "order_id", "claim_id", "command", "as_of", "remedy"):
        facts.add_row(key, plain(str(data[key] if data[key] is not None else "-")))
    if entry.override is not None:
        facts.add_row(
            "override",
            plain(
                f"from {entry.override.original} to {entry.override.to} by "
                f"{entry.override.agent}: {entry.override.reason}"
            ),
        )
    refund = f"{entry.refund_amount} {entry.currency}" if entry.refund_amount else "-"
    facts.add_row("refund_amount", plain(refund))
    for key, value in entry.deadlines.items():
        facts.add_row(key, plain(str(value)))
    facts.add_row("failed_rules", plain(", ".join(entry.failed_rules) or "-"))
    facts.add_row("review_rules", plain(", ".join(entry.review_rules) or "-"))
    for key, value in entry.claim.items():
        facts.add_row(f"claim.{key}", plain("-" if value is None else str(value)))
    for key, known in entry.policy.items():
        facts.add_row(f"policy.{key}", plain("-" if known is None else str(known)))
    style = DECISION_STYLE.get(entry.decision, "")
    title = Text(f"Entry {entry.id}: ", style="bold")
    title.append(entry.decision.upper(), style=style)
    stdout_console().print(Panel(facts, title=title, title_align="left", border_style=style))
