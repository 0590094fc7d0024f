"""Batch checks: CSV rows of claims in, one judgement per row out, streamed with flat memory.

Each row is decided by the same pieces `check` uses (`parse_claim`'s field parsers, `assess`,
`window_band`, `deadlines`); what this module adds is caching of those pieces by cell text, so a
million rows cost little more than reading and writing them. A row the fast path cannot settle
goes through `parse_claim` itself, whose `InputError` becomes the row's `error` cell.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any

from migems_cli.claims import (
    FIELDS,
    parse_amount,
    parse_claim,
    parse_delivered,
    parse_requested,
    parse_terms,
)
from migems_cli.errors import InputError
from migems_cli.money import money_text
from migems_cli.policy import Policy
from migems_cli.rules import assess, deadlines, judge, window_band

RESULT_COLUMNS = (
    "decision",
    "remedy",
    "refund_amount",
    "return_shipping_paid_by",
    "return_by",
    "report_damage_by",
    "failed_rules",
    "error",
)
ID_COLUMNS = ("claim_id", "order_id")
DECISIONS = ("eligible", "ineligible", "review")
_TERM_FIELDS = ("reason", "category", "custom", "sale", "condition", "packaging", "photos")
# Caches are keyed by cell text; garbage can make every text distinct, so each is emptied when it
# reaches this size: memory stays flat and the common values come straight back.
_CACHE_LIMIT = 4096
_ERROR = object()  # a cached "this text is not valid": the row takes the slow path
_MISS = object()
_FORMULA = re.compile(r"(?:^|\x1f)[=+\-@\t\r]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FailedRules = str  # the ids of failed rules, ';'-separated


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each known field sits in the input rows (`header` keeps the names as written)."""

    header: tuple[str, ...]
    index: Mapping[str, int]

    @property
    def width(self) -> int:
        return len(self.header)

    @property
    def output_header(self) -> tuple[str, ...]:
        return self.header + RESULT_COLUMNS


def read_layout(header: list[str], source: str) -> Layout:
    """Map the header row's names (any case, any order) to fields.

    Raises `InputError` (exit 2) when the header has no `delivered` column or names a known
    column twice.
    """
    index: dict[str, int] = {}
    known = set(FIELDS) | set(ID_COLUMNS)
    for position, name in enumerate(header):
        key = name.strip().lstrip("\ufeff").casefold()
        if key in known:
            if key in index:
                raise InputError("FILE", source, f"the header names the column {key!r} twice")
            index[key] = position
    if "delivered" not in index:
        names = ", ".join(repr(name) for name in header[:12])
        raise InputError(
            "FILE", source, f"the header has no 'delivered' column (it has: {names or 'nothing'})"
        )
    return Layout(tuple(header), index)


@dataclass(slots=True)
class Summary:
    """What a run saw: rows, decisions, errors (with the first error lines), elapsed time."""

    rows: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DECISIONS, 0))
    errors: int = 0
    error_lines: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def text(self) -> str:
        """One line for stderr, such as '12 rows: 5 eligible, 4 ineligible, ...'."""
        parts = [f"{count} {decision}" for decision, count in self.counts.items()]
        errors = f"{self.errors} error{'s' if self.errors != 1 else ''}"
        if self.error_lines:
            shown = ", ".join(str(line) for line in self.error_lines)
            more = self.errors - len(self.error_lines)
            errors += f" (line{'s' if self.errors != 1 else ''} {shown}"
            errors += f" and {more} more)" if more else ")"
        rate = self.rows / self.seconds if self.seconds > 0 else 0.0
        return (
            f"{self.rows} row{'s' if self.rows != 1 else ''}: {', '.join(parts)}, {errors}; "
            f"{self.seconds:.2f} s, {rate:,.0f} rows/s"
        )


_MAX_ERROR_LINES = 10


def _getter(positions: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """A fast function from a row to the cells at `positions`, always as a tuple."""
    if len(positions) >= 2:
        return itemgetter(*positions)
    if len(positions) == 1:
        only = positions[0]
        return lambda row: (row[only],)
    return lambda row: ()


class Evaluator:
    """Turns one input row (a list of cells, as wide as the header) into the result cells."""

    def __init__(self, policy: Policy, today: date, dayfirst: bool, layout: Layout) -> None:
        self.policy = policy
        self.today = today
        self.dayfirst = dayfirst
        self.layout = layout
        index = layout.index
        self._fields = [(name, index[name]) for name in FIELDS if name in index]
        present = [name for name in _TERM_FIELDS if name in index]
        self._term_fields = present
        self._terms_key = _getter([index[name] for name in present])
        self._delivered_at = index["delivered"]
        self._requested_at = index.get("requested")
        self._price_at = index.get("price")
        self._shipping_at = index.get("shipping")
        # text -> cached parse (or _ERROR); see _CACHE_LIMIT
        self._terms: dict[tuple[str, ...], Any] = {}
        self._delivered: dict[str, Any] = {}
        self._requested: dict[str, Any] = {}
        self._amounts: dict[str, Any] = {}

    def evaluate(self, row: list[str]) -> tuple[str, ...]:
        """The result cells for `row` (see `RESULT_COLUMNS`); never raises for bad cells."""
        terms = self._terms.get(self._terms_key(row))
        if terms is None:
            terms = self._new_terms(self._terms_key(row))
        delivered_text = row[self._delivered_at]
        delivered = self._delivered.get(delivered_text)
        if delivered is None:
            delivered = self._new_delivered(delivered_text)
        requested_text = "" if self._requested_at is None else row[self._requested_at]
        requested = self._requested.get(requested_text)
        if requested is None:
            requested = self._new_requested(requested_text)
        if terms is _ERROR or delivered is _ERROR or requested is _ERROR:
            return self.slow(row)
        day = (requested - delivered[0]).days
        decided = terms[1].get(day)
        if decided is None:
            if day < 0:
                return self.slow(row)
            decided = self._decide(terms, day)
        price = ""
        if self._price_at is not None:
            text = row[self._price_at]
            price = self._amounts.get(text, _MISS)
            if price is _MISS:
                price = self._new_amount(text)
            if price is _ERROR:
                return self.slow(row)
        if self._shipping_at is not None:
            text = row[self._shipping_at]
            shipping = self._amounts.get(text, _MISS)
            if shipping is _MISS:
                shipping = self._new_amount(text)
            if shipping is _ERROR:
                return self.slow(row)
        decision, remedy, payer, failed, refunds = decided
        return (
            decision,
            remedy,
            price if refunds else "",
            payer,
            delivered[1],
            delivered[2],
            failed,
            "",
        )

    def slow(self, row: list[str]) -> tuple[str, ...]:
        """The reference path: `parse_claim` and `judge`, exactly as `check` runs them."""
        values = {name: row[position] for name, position in self._fields}
        try:
            claim = parse_claim(self.policy, values, self.today, self.dayfirst)
        except InputError as exc:
            return ("", "", "", "", "", "", "", str(exc))
        judgement = judge(self.policy, claim)
        amount = judgement.refund_amount
        return (
            judgement.decision,
            judgement.remedy,
            money_text(amount) if amount is not None else "",
            judgement.return_shipping_paid_by or "",
            judgement.deadlines.return_by.isoformat(),
            judgement.deadlines.report_damage_by.isoformat(),
            ";".join(judgement.failed_rules),
            "",
        )

    # Cache fillers: each parses with the very function parse_claim uses.

    def _new_terms(self, key: tuple[str, ...]) -> Any:
        cache = self._terms
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        try:
            terms = parse_terms(self.policy, dict(zip(self._term_fields, key, strict=True)))
            entry: Any = (terms, {})  # day after delivery -> decided cells
        except InputError:
            entry = _ERROR
        cache[key] = entry
        return entry

    def _decide(self, entry: Any, day: int) -> tuple[str, str, str, FailedRules, bool]:
        terms, by_day = entry
        found = assess(
            self.policy,
            terms.reason,
            window_band(self.policy, terms.reason, day),
            terms.category,
            terms.custom,
            terms.sale,
            terms.condition,
            terms.packaging,
            terms.photos,
        )
        decided = (
            found.decision,
            found.remedy,
            found.return_shipping_paid_by or "",
            ";".join(found.failed_rules),
            found.refunds_price,
        )
        if len(by_day) < _CACHE_LIMIT:
            by_day[day] = decided
        return decided

    def _new_delivered(self, text: str) -> Any:
        cache = self._delivered
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        try:
            day = parse_delivered(text, self.today, self.dayfirst)
            dates = deadlines(self.policy, day)
            entry: Any = (day, dates.return_by.isoformat(), dates.report_damage_by.isoformat())
        except InputError:
            entry = _ERROR
        cache[text] = entry
        return entry

    def _new_requested(self, text: str) -> Any:
        cache = self._requested
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        try:
            entry: Any = parse_requested(text, self.today, self.dayfirst)
        except InputError:
            entry = _ERROR
        cache[text] = entry
        return entry

    def _new_amount(self, text: str) -> Any:
        cache = self._amounts
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        try:
            amount: Decimal | None = parse_amount(text, "price")
            entry: Any = money_text(amount) if amount is not None else ""
        except InputError:
            entry = _ERROR
        cache[text] = entry
        return entry


@dataclass(slots=True)
class Row:
    """One evaluated input record: its 1-based starting line, cells (padded), results, extras."""

    line: int
    cells: list[str]
    results: tuple[str, ...]
    extra: list[str]


def evaluate_rows(
    reader: Iterator[list[str]],
    line_number: Callable[[], int],
    evaluator: Evaluator,
    summary: Summary,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Row]:
    """Evaluate every non-blank record of `reader`, in order, counting into `summary`.

    Fully blank lines (the csv module gives them as empty records) are not claims and are
    skipped; every other record gives exactly one `Row`. Short records are padded with empty
    cells; cells beyond the header's width are kept in `Row.extra`.
    """
    width = evaluator.layout.width
    evaluate = evaluator.evaluate
    counts = summary.counts
    lines = summary.error_lines
    start = line_number() + 1
    rows = 0
    try:
        for cells in reader:
            line = start
            start = line_number() + 1
            if not cells:
                continue
            extra: list[str] = []
            if len(cells) != width:
                if len(cells) > width:
                    extra = cells[width:]
                    del cells[width:]
                else:
                    cells.extend([""] * (width - len(cells)))
            results = evaluate(cells)
            rows += 1
            if results[7]:
                summary.errors += 1
                if len(lines) < _MAX_ERROR_LINES:
                    lines.append(line)
            else:
                counts[results[0]] += 1
            if progress is not None and not rows & 0x3FF:
                progress(rows)
            yield Row(line, cells, results, extra)
    finally:
        summary.rows = rows


def neutralise(cells: Iterable[str]) -> list[str]:
    """Cells a spreadsheet would run as a formula get a leading apostrophe; others unchanged."""
    return [("'" + cell) if cell.startswith(_FORMULA_START) else cell for cell in cells]


def csv_cells(row: Row) -> list[str]:
    """The output record for CSV: input cells, results, extra cells; formulas neutralised."""
    cells = row.cells + list(row.results)
    if row.extra:
        cells += row.extra
    if _FORMULA.search("\x1f".join(cells)):
        return neutralise(cells)
    return cells


def json_record(row: Row, layout: Layout) -> dict[str, Any]:
    """The JSON Lines object for a row: line, input (by header name), results, extra cells."""
    record: dict[str, Any] = {"line": row.line, "input": _named(layout.header, row.cells)}
    for name, value in zip(RESULT_COLUMNS, row.results, strict=True):
        record[name] = value or None
    record["failed_rules"] = row.results[6].split(";") if row.results[6] else []
    if row.extra:
        record["extra"] = row.extra
    return record


def _named(header: tuple[str, ...], cells: list[str]) -> dict[str, str]:
    named: dict[str, str] = {}
    for name, value in zip(header, cells, strict=True):
        key, n = name, 1
        while key in named:  # a repeated header name keeps every value: name, name_2, ...
            n += 1
            key = f"{name}_{n}"
        named[key] = value
    return named


def reader_for(stream: Iterable[str], delimiter: str) -> Any:
    """A csv reader as `check`'s users export: standard quoting, the given delimiter."""
    return csv.reader(stream, delimiter=delimiter, strict=False)
