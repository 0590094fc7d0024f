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
from operator import getitem, itemgetter
from typing import Any

from migems_cli.claims import (
    FIELDS,
    TERM_PARSERS,
    parse_amount,
    parse_claim,
    parse_delivered,
    parse_requested,
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
# Caches are keyed by cell text; garbage can make every text distinct, so each is emptied when it
# reaches this size: memory stays flat and the common values come straight back.
_CACHE_LIMIT = 1 << 13
_DECIDED_LIMIT = 1 << 17  # (terms, day) pairs; values are shared tuples: ~80 B an entry
_ERROR = object()  # a cached "this text is not valid": the row takes the slow path
# a cell after the first that starts like a formula, in cells joined by \x1f (a "^|" alternation
# would make the search several times slower; the first cell is checked on its own)
_FORMULA = re.compile(r"\x1f[=+\-@\t\r]")
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


def _getter(positions: list[int | None]) -> Callable[[list[str]], tuple[str, ...]]:
    """A fast function from a row to the cells at `positions` as a tuple ("" where None)."""
    if len(positions) >= 2 and None not in positions:
        return itemgetter(*positions)
    fixed = tuple(positions)
    return lambda row: tuple("" if at is None else row[at] for at in fixed)


# A decision is cached under one int: the day after delivery plus, for each terms field, the
# index of its parsed value times a stride (see Evaluator._strides). Days outside 0.._DAYS-1
# (requested before delivered, or decades later) take the slow path.
_DAYS = 1 << 14
_BAD = -(1 << 62)  # a terms cell that does not parse: the code goes negative, the row goes slow


class Evaluator:
    """Turns one input row (a list of cells, as wide as the header) into the result cells.

    The fast path looks each cell up in a cache filled by the very parsers `parse_claim` uses,
    and each (terms, day) combination up in a cache filled by `assess` and `window_band`, the
    functions `judge` uses. Any cell that does not parse sends the row to `slow`, which runs
    `parse_claim` and `judge` themselves, so a row's error is worded exactly as `check` words it.
    """

    def __init__(self, policy: Policy, today: date, dayfirst: bool, layout: Layout) -> None:
        self.policy = policy
        self.today = today
        self.dayfirst = dayfirst
        self.layout = layout
        index = layout.index
        self._fields = [(name, index[name]) for name in FIELDS if name in index]
        self._term_cells = [(name, index[name]) for name in TERM_PARSERS if name in index]
        self._terms_key = _getter([position for _, position in self._term_cells])
        self._dates_key = _getter([index["delivered"], index.get("requested")])
        self._amounts_key = _getter([index.get("price"), index.get("shipping")])
        domains: dict[str, tuple[object, ...]] = {
            "reason": policy.reasons,
            "category": (None, *policy.categories),
            "custom": (False, True),
            "sale": (False, True),
            "condition": policy.conditions,
            "packaging": (False, True),
            "photos": (False, True),
        }
        stride = _DAYS
        self._strides: dict[str, tuple[int, tuple[object, ...]]] = {}
        self._base = 0  # absent columns: the part of their default, as parse_terms takes it
        for name in TERM_PARSERS:
            self._strides[name] = (stride, domains[name])
            if name not in index:
                self._base += stride * domains[name].index(TERM_PARSERS[name](policy, None))
            stride *= len(domains[name])
        # cell text -> code part / parsed value (or _ERROR); emptied at _CACHE_LIMIT
        self._term_caches: list[dict[str, int]] = [{} for _ in self._term_cells]
        # None marks a date that does not parse: using it raises TypeError (the slow path)
        self._delivered: dict[str, Any] = {}  # text -> (ordinal, return_by, report_by) | None
        self._requested: dict[str, Any] = {}  # text -> ordinal | None
        self._amounts: dict[tuple[str, ...], str | None] = {}  # (price, shipping) -> refund text
        self._decided: dict[int, tuple[str, str, str, str, bool]] = {}  # code + day
        self._by_band: dict[tuple[int, int], tuple[str, str, str, str, bool]] = {}

    def evaluate(self, row: list[str]) -> tuple[str, ...]:
        """The result cells for `row` (see `RESULT_COLUMNS`); never raises for bad cells."""
        try:
            code = sum(map(getitem, self._term_caches, self._terms_key(row)), self._base)
            delivered_text, requested_text = self._dates_key(row)
            delivered = self._delivered[delivered_text]  # (ordinal, return_by, report_by)
            day = self._requested[requested_text] - delivered[0]
            price = self._amounts[self._amounts_key(row)]  # the refund text if refunded
        except KeyError:
            self._learn(row)
            return self.evaluate(row)
        except TypeError:  # a date cell that does not parse is cached as None
            return self.slow(row)
        if code < 0 or price is None or not 0 <= day < _DAYS:
            return self.slow(row)
        decided = self._decided.get(code + day)
        if decided is None:
            decided = self._decide(code, day)
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

    def _decide(self, code: int, day: int) -> tuple[str, str, str, str, bool]:
        """What `assess` decides for the terms `code` stands for, `day` days after delivery."""
        policy = self.policy
        stride, reasons = self._strides["reason"]
        reason: Any = reasons[code // stride % len(reasons)]
        band = window_band(policy, reason, day)
        decided = self._by_band.get((code, band))
        if decided is None:
            terms = [domain[code // at % len(domain)] for at, domain in self._strides.values()]
            found = assess(policy, reason, band, *terms[1:])
            decided = (
                found.decision,
                found.remedy,
                found.return_shipping_paid_by or "",
                ";".join(found.failed_rules),
                found.refunds_price,
            )
            _put(self._by_band, (code, band), decided)
        _put(self._decided, code + day, decided, _DECIDED_LIMIT)
        return decided

    def _learn(self, row: list[str]) -> None:
        """Parse every cell of `row` the caches lack, with the parsers `parse_claim` uses."""
        policy, today, dayfirst = self.policy, self.today, self.dayfirst
        for (name, position), cache in zip(self._term_cells, self._term_caches, strict=True):
            text = row[position]
            if text not in cache:
                stride, domain = self._strides[name]
                try:
                    part = stride * domain.index(TERM_PARSERS[name](policy, text))
                except InputError:
                    part = _BAD
                _put(cache, text, part)
        delivered_text, requested_text = self._dates_key(row)
        if delivered_text not in self._delivered:
            try:
                day = parse_delivered(delivered_text, today, dayfirst)
                dates = deadlines(policy, day)
                entry: Any = (
                    day.toordinal(),
                    dates.return_by.isoformat(),
                    dates.report_damage_by.isoformat(),
                )
            except InputError:
                entry = None
            _put(self._delivered, delivered_text, entry)
        if requested_text not in self._requested:
            try:
                entry = parse_requested(requested_text, today, dayfirst).toordinal()
            except InputError:
                entry = None
            _put(self._requested, requested_text, entry)
        amounts = self._amounts_key(row)
        if amounts not in self._amounts:
            try:
                price = parse_amount(amounts[0], "price")
                parse_amount(amounts[1], "shipping")
                entry = money_text(price) if price is not None else ""
            except InputError:
                entry = None
            _put(self._amounts, amounts, entry)


def _put(cache: dict[Any, Any], key: Any, value: Any, limit: int = _CACHE_LIMIT) -> None:
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value


Row = tuple[int, list[str]]  # (1-based line where the record starts, output record)


def evaluate_rows(
    reader: Any,
    evaluator: Evaluator,
    summary: Summary,
    progress: Callable[[int], None] | None = None,
    spreadsheet_safe: bool = False,
) -> Iterator[Row]:
    """Evaluate every non-blank record of a `csv.reader`, in order, counting into `summary`.

    Yields the output record of each: the input cells (padded to the header's width when the
    record is short), the `RESULT_COLUMNS` cells, then any cells beyond the header's width.
    Fully blank lines (the csv module gives them as empty records) are not claims and are
    skipped; every other record gives exactly one output record. With `spreadsheet_safe`,
    input cells a spreadsheet would run as formulas are neutralised (the result cells are
    safe by construction: fixed words, digits, ISO dates, rule ids, and errors that start with
    a column name).
    """
    width = evaluator.layout.width
    counts = summary.counts
    lines = summary.error_lines
    formula = _FORMULA.search if spreadsheet_safe else None
    # The cache-hit path of Evaluator.evaluate, inlined with locals: at a million rows the
    # attribute look-ups and the call cost more than the evaluation. A cell not cached yet, a
    # bad cell or an unusual day goes through the evaluator's own methods.
    evaluate, slow, decide = evaluator.evaluate, evaluator.slow, evaluator._decide
    term_caches, terms_key, base = evaluator._term_caches, evaluator._terms_key, evaluator._base
    dates_key, delivered_of, requested_of = (
        evaluator._dates_key,
        evaluator._delivered,
        evaluator._requested,
    )
    amounts_key, amounts_of, decided_of = (
        evaluator._amounts_key,
        evaluator._amounts,
        evaluator._decided,
    )
    start = reader.line_num + 1
    rows = 0
    try:
        for cells in reader:
            line = start
            start = reader.line_num + 1
            extra = None
            if len(cells) != width:
                if not cells:
                    continue
                if len(cells) > width:
                    extra = cells[width:]
                    del cells[width:]
                else:
                    cells += [""] * (width - len(cells))
            try:
                code = sum(map(getitem, term_caches, terms_key(cells)), base)
                delivered_text, requested_text = dates_key(cells)
                delivered = delivered_of[delivered_text]
                day = requested_of[requested_text] - delivered[0]
                price = amounts_of[amounts_key(cells)]
            except KeyError:  # a cell text not seen yet (or not since a cache was emptied)
                results = evaluate(cells)
            except TypeError:  # a date that does not parse
                results = slow(cells)
            else:
                if code < 0 or price is None or not 0 <= day < _DAYS:
                    results = slow(cells)
                else:
                    decided = decided_of.get(code + day) or decide(code, day)
                    results = (
                        decided[0],
                        decided[1],
                        price if decided[4] else "",
                        decided[2],
                        delivered[1],
                        delivered[2],
                        decided[3],
                        "",
                    )
            if results[7]:
                summary.errors += 1
                if len(lines) < _MAX_ERROR_LINES:
                    lines.append(line)
            else:
                counts[results[0]] += 1
            rows += 1
            if formula is not None and (
                cells[0].startswith(_FORMULA_START) or formula("\x1f".join(cells))
            ):
                cells[:] = neutralise(cells)
            cells += results
            if extra:
                cells += neutralise(extra) if formula is not None else extra
            if progress is not None and not rows & 0x3FF:
                progress(rows)
            yield line, cells
    finally:
        summary.rows = rows


def neutralise(cells: Iterable[str]) -> list[str]:
    """Cells a spreadsheet would run as a formula get a leading apostrophe; others unchanged."""
    return [("'" + cell) if cell.startswith(_FORMULA_START) else cell for cell in cells]


def split_record(record: list[str], width: int) -> tuple[list[str], list[str], list[str]]:
    """An output record's input cells, its `RESULT_COLUMNS` cells, and its extra cells."""
    end = width + len(RESULT_COLUMNS)
    return record[:width], record[width:end], record[end:]


def json_record(row: Row, layout: Layout) -> dict[str, Any]:
    """The JSON Lines object for a row: line, input (by header name), results, extra cells."""
    cells, results, extra = split_record(row[1], layout.width)
    record: dict[str, Any] = {"line": row[0], "input": _named(layout.header, cells)}
    for name, value in zip(RESULT_COLUMNS, results, strict=True):
        record[name] = value or None
    record["failed_rules"] = results[6].split(";") if results[6] else []
    if extra:
        record["extra"] = extra
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
