"""The rich table for `migems batch` on a terminal, printed in chunks so memory stays flat.

Wide enough, one row a line: line, claim id, decision, refund, the two deadlines, then the
failed and review rules or the error with room to read. Narrower, each row folds into a stacked
key/value block, so an id, a date or an amount is never cut or wrapped inside itself. Every cell
comes from the input file: it is shown as plain text, control characters visible.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from rich import box
from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from migems_cli.batch import RESULT_COLUMNS, Layout, Row, split_record
from migems_cli.render.console import DECISION_STYLE, trimmed
from migems_cli.render.safe import visible
from migems_cli.render.when import DEADLINE_LABELS

if TYPE_CHECKING:
    from rich.console import Console

_CHUNK = 200
_READABLE = 30  # the least room the rules / error column gets before rows fold into blocks
_DATE = 10  # an ISO date
_HEADERS = {"return_by": "Ask to\nreturn by", "report_damage_by": "Report\ndamage by"}


class _Shown:
    """One row as the table shows it: every cell made plain (control characters visible)."""

    def __init__(self, row: Row, layout: Layout, claim_at: int | None) -> None:
        line, record = row
        inputs, results, _ = split_record(record, layout.width)
        cells = dict(zip(RESULT_COLUMNS, results, strict=False))
        self.line = str(line)
        self.claim = visible(inputs[claim_at]) if claim_at is not None else None
        self.decision = cells.get("decision", "") or "error"
        self.refund = visible(cells.get("refund_amount", ""))
        self.dates = {key: visible(cells.get(key, "")) for key in _HEADERS}
        self.error = visible(cells.get("error", ""))
        self.notes: list[tuple[str, str]] = []  # (what, ids): failed rules, review rules
        for key, what in (("failed_rules", "fail"), ("review_rules", "review")):
            ids = cells.get(key, "")
            if ids:
                self.notes.append((what, visible(ids.replace(";", ", "))))

    def decision_text(self) -> Text:
        style = DECISION_STYLE.get(self.decision, "bold red")
        return Text(self.decision, style=style)

    def rule_lines(self) -> list[tuple[str, str]]:
        """(outcome, rule id), one a line: 'fail: return-window', 'review: photos'."""
        return [(what, rule) for what, ids in self.notes for rule in ids.split(", ")]

    def need(self) -> int:
        """The width the last column needs to show this row without breaking a word."""
        if self.error:
            return _READABLE
        return max((len(what) + 2 + len(rule) for what, rule in self.rule_lines()), default=0)

    def explained(self) -> Text:
        """The error, else the failed and review rules, one a line."""
        if self.error:
            return Text(self.error, style="red", overflow="fold")
        text = Text()
        for what, rule in self.rule_lines():
            if text:
                text.append("\n")
            text.append(f"{what}: ", style="dim")
            text.append(rule)
        return text


def render_table(rows: Iterator[Row], layout: Layout, console: Console) -> None:
    """Every row, in chunks; a header whenever a chunk starts a table."""
    with trimmed(console) as shown:
        _render(rows, layout, shown)


def _render(rows: Iterator[Row], layout: Layout, console: Console) -> None:
    claim_at = layout.index.get("claim_id")
    chunk: list[_Shown] = []
    header = True
    for row in rows:
        chunk.append(_Shown(row, layout, claim_at))
        if len(chunk) == _CHUNK:
            header = _print(console, chunk, claim_at is not None, header)
            chunk.clear()
    if chunk or header:
        _print(console, chunk, claim_at is not None, header)


def _print(console: Console, rows: list[_Shown], claim: bool, header: bool) -> bool:
    """Print a chunk as a table or as blocks; whether the next table needs a header."""
    widths = [
        max([4, *(len(r.line) for r in rows)]),
        max([5, *(len(r.claim or "") for r in rows)]) if claim else 0,
        max([8, *(len(r.decision) for r in rows)]),
        max([6, *(len(r.refund) for r in rows)]),
        _DATE,
        _DATE,
    ]
    columns = len([w for w in widths if w]) + 1
    last = max([6, *(r.need() for r in rows)])  # 6: the header's longest word
    if sum(widths) + 2 * (columns - 1) + last <= console.width or not rows:
        console.print(_table(rows, claim, header, widths))
        return False
    for row in rows:
        console.print(_block(row))
    return True


def _table(rows: list[_Shown], claim: bool, header: bool, widths: list[int]) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        show_header=header,
        collapse_padding=True,
    )
    table.add_column("Line", justify="right", no_wrap=True, min_width=widths[0])
    if claim:
        table.add_column("Claim", no_wrap=True, min_width=widths[1])
    table.add_column("Decision", no_wrap=True, min_width=widths[2])
    table.add_column("Refund", justify="right", no_wrap=True, min_width=widths[3])
    for key in _HEADERS:
        table.add_column(_HEADERS[key], no_wrap=True, min_width=_DATE)
    # rich's default overflow is an ellipsis: a word longer than the column folds instead
    table.add_column("Failed / review rules, error", ratio=1, overflow="fold")
    for row in rows:
        cells: list[Text] = [Text(row.line)]
        if claim:
            cells.append(Text(row.claim or ""))
        cells += [row.decision_text(), Text(row.refund)]
        cells += [Text(row.dates[key]) for key in _HEADERS]
        cells.append(row.explained())
        table.add_row(*cells)
    return table


def _block(row: _Shown) -> Group:
    """'Line 3 · A2 · error' over an indented key/value list: the narrow form of a table row."""
    head = Text(f"Line {row.line}", style="bold")
    if row.claim is not None:
        head.append(" · ")
        head.append(row.claim or "(no claim id)")
    head.append(" · ")
    head.append_text(row.decision_text())
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim", no_wrap=True)
    facts.add_column(overflow="fold")  # a long value folds whole, never cut with an ellipsis
    if row.refund:
        facts.add_row("Refund", row.refund)
    for key in _HEADERS:
        if row.dates[key]:
            facts.add_row(DEADLINE_LABELS[key], row.dates[key])
    if row.error:
        facts.add_row("Error", Text(row.error, style="red", overflow="fold"))
    for what, ids in row.notes:
        facts.add_row("Failed rules" if what == "fail" else "Review rules", ids)
    return Group(head, Padding(facts, (0, 0, 0, 2)))
