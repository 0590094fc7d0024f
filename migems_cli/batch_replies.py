"""`batch --reply`: each evaluated row also gets the customer reply, in the columns
`reply_subject` and `reply_body` just before `error`.

A row is judged by `batch` as usual; for its reply, the row is evaluated again the way `check`
does (`parse_claim`, `evaluate`) and written by `replies.check_reply`, from the row's
`customer`, `order_id` and `agent` cells (the agent: else `--agent` / MIGEMS_AGENT). A row
whose reply cannot be written keeps its verdict, and its `error` names the missing column or
the bad cell. Imported only with `--reply`.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, NamedTuple, TextIO

from migems_cli.batch import (
    _MAX_ERROR_LINES,
    RESULT_COLUMNS,
    Chunk,
    Evaluator,
    Layout,
    Summary,
    split_record,
)
from migems_cli.claims import FIELDS, parse_claim
from migems_cli.errors import InputError
from migems_cli.replies import Missing, ReplyRefused, Ticket, check_reply, ticket_value
from migems_cli.rules import evaluate

if TYPE_CHECKING:
    from migems_cli.batch_versions import Router
    from migems_cli.render.batch_formats import Format

REPLY_COLUMNS = ("reply_subject", "reply_body")
# The output's result columns with --reply: the replies just before `error`, which stays last.
COLUMNS = (*RESULT_COLUMNS[:-1], *REPLY_COLUMNS, RESULT_COLUMNS[-1])
TICKET_COLUMNS = ("customer", "order_id", "agent")


class ReplyRow(NamedTuple):
    """One output row: its line, input cells, result cells (`RESULT_COLUMNS`, the error
    included), the reply's subject and body ("" when none), and the cells past the header."""

    line: int
    cells: list[str]
    results: list[str]
    subject: str
    body: str
    extra: list[str]

    def record(self) -> list[str]:
        """The row's cells in output order (`Layout.header`, then `COLUMNS`, then extras)."""
        return [*self.cells, *self.results[:-1], self.subject, self.body, self.results[-1]]


class Replier:
    """Writes each evaluated row's reply, counting a row whose reply fails as an error."""

    def __init__(self, evaluator: Evaluator | Router, summary: Summary, agent: str | None) -> None:
        self.evaluator = evaluator
        self.summary = summary
        self.agent = agent
        layout = evaluator.layout
        self.width = layout.width
        self.fields = [(name, at) for name, at in layout.index.items() if name in FIELDS]
        names = [name.strip().lstrip("\ufeff").casefold() for name in layout.header]
        self.ticket_at = {
            column: names.index(column) for column in TICKET_COLUMNS if column in names
        }

    def rows(self, chunks: Iterator[Chunk]) -> Iterator[ReplyRow]:
        for chunk in chunks:
            for line, record in chunk.rows():
                cells, results, extra = split_record(record, self.width)
                subject = body = ""
                if not results[-1]:
                    subject, body, error = self.reply(cells)
                    if error:
                        results = [*results[:-1], error]
                        self._count(line)
                yield ReplyRow(line, cells, results, subject, body, extra)

    def _count(self, line: int) -> None:
        """One more row with an error; its line among the first ones, in order (the rows
        `batch` could not evaluate are counted before their chunk reaches here)."""
        summary = self.summary
        summary.errors += 1
        insort(summary.error_lines, line)
        del summary.error_lines[_MAX_ERROR_LINES:]

    def ticket(self, cells: list[str]) -> Ticket:
        found = {column: cells[at] for column, at in self.ticket_at.items()}
        agent = found.get("agent")
        if agent is None or isinstance(ticket_value(agent, "agent"), Missing):
            agent = self.agent  # an empty cell (or one of spaces) takes --agent
        return Ticket(found.get("customer"), found.get("order_id"), agent)

    def reply(self, cells: list[str]) -> tuple[str, str, str]:
        """(subject, body, "") or ("", "", the error) for a row that was evaluated."""
        evaluator = self.evaluator
        policy = evaluator.policy_of(cells)  # with policy versions, the row's own
        values = {name: cells[at] for name, at in self.fields}
        try:
            claim = parse_claim(policy, values, evaluator.today, evaluator.dayfirst)
            answer = check_reply(policy, evaluate(policy, claim), self.ticket(cells))
        except ReplyRefused as exc:
            return "", "", exc.for_batch()
        except InputError as exc:
            field = "order_id" if exc.field == "order" else exc.field
            return "", "", f"{field}: {exc.message} (got {exc.value!r})"
        return answer.subject, answer.body, ""


Writer = Callable[[Iterator[Chunk], Layout, TextIO, str], None]


def reply_writer(
    fmt: Format, evaluator: Evaluator | Router, summary: Summary, agent: str | None
) -> Writer:
    """The writer of `fmt` (csv or jsonl) for rows with their replies."""
    replier = Replier(evaluator, summary, agent)

    def write(chunks: Iterator[Chunk], layout: Layout, out: TextIO, delimiter: str) -> None:
        from migems_cli.render.batch_reply_out import write_csv, write_jsonl

        rows = replier.rows(chunks)
        if fmt.value == "jsonl":
            write_jsonl(rows, layout, out)
        else:
            write_csv(rows, layout, out, delimiter)

    return write
