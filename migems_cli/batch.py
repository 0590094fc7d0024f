"""Batch checks: CSV rows of claims in, one judgement per row out, streamed with flat memory.

Each row is decided by the same pieces `check` uses (`parse_claim`'s field parsers, `assess`,
`window_band`, `deadlines`); what this module adds is caching of those pieces by cell text, and
evaluating rows in chunks, column by column, so that per-row work runs in C (`map` over the
caches). A row the caches cannot settle goes through `parse_claim` and `judge` themselves, whose
`InputError` becomes the row's `error` cell.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat
from operator import add, itemgetter, mul, sub
from typing import Any, NamedTuple

from migems_cli.canonical import EasyAmounts, is_canonical, not_canonical
from migems_cli.claims import (
    FIELDS,
    TERM_PARSERS,
    check_sized,
    parse_amount,
    parse_claim,
    parse_delivered,
    parse_exchange_size,
    parse_requested,
)
from migems_cli.errors import InputError
from migems_cli.money import money_text
from migems_cli.policy import WANTS, Policy
from migems_cli.records import (
    CELL_CAP,
    CELLS_CAP,
    RECORD_CAP,
    Damage,
    Grid,
    RecordReader,
    positions,
)
from migems_cli.rules import REVIEW, assess, deadlines, judge, window_band


class Result(NamedTuple):
    """A row's result cells, in the order of the output columns after the input's.

    A new column is a field here, and a field of `Decided` (a value that follows from the
    decision) or of `Delivered` (from the delivery date) of the same name, filled where
    `_decide`, `_new_delivered` and `slow` make them: the renderers (CSV, JSON Lines, table)
    find every column by name (see `render.batch_out`).
    """

    decision: str
    remedy: str
    refund_amount: str
    return_shipping_paid_by: str
    return_by: str
    report_damage_by: str
    failed_rules: str
    review_rules: str
    policy: str  # the digest of the policy version that answered (empty for an error)
    error: str


RESULT_COLUMNS: tuple[str, ...] = Result._fields
ID_COLUMNS = ("claim_id", "order_id")
DECISIONS = ("eligible", "ineligible", "review")
# Caches are keyed by cell text; garbage can make every text distinct, so each is emptied when it
# reaches this size: memory stays flat and the common values come straight back.
_CACHE_LIMIT = 1 << 13
_DECIDED_LIMIT = 1 << 17  # (terms, day class) pairs; values are shared tuples: ~80 B an entry


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each known field sits in the input rows (`header` keeps the names as written)."""

    header: tuple[str, ...]
    index: Mapping[str, int]
    names: tuple[str, ...]  # JSON keys of the input cells: a repeated name gets _2, _3, ...
    # The JSON "policy" object of each policy a run may answer with, by digest; `versioned`:
    # chosen among the versions of a directory by each row's dates (issue 14)
    policies: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    versioned: bool = False

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
    return Layout(tuple(header), index, _unique(header))


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


class Decided(NamedTuple):
    """What `assess` decides for some terms in some window band: the result cells that follow
    from the decision (named as in `Result`), and whether the refund is the price."""

    decision: str
    remedy: str
    return_shipping_paid_by: str
    failed_rules: str
    review_rules: str
    refunds_price: bool
    policy: str  # the digest of the evaluator's policy


class Delivered(NamedTuple):
    """A delivery date (its ordinal: a decision key's part) and the result cells that follow
    from it (named as in `Result`)."""

    ordinal: int
    return_by: str
    report_damage_by: str


# A decision is cached under one int: for each terms field, the index of its parsed value times
# a stride, plus the class of the day after delivery (days that fall in the same window band for
# every reason share a class) times the product of all the terms' strides (see
# Evaluator.__init__); the low bits vary most, as dictionaries like. A day out of range (negative,
# or more than _DAYS: dates run to year 9999) and the markers of cells that do not parse make
# the key negative, where no decision is ever stored.
_DAYS = 1 << 22
_BAD_DAY = -(1 << 61)
_BAD = -(1 << 62)  # a terms cell that does not parse: the key goes negative
_BAD_DELIVERED = Delivered(1 << 40, "", "")  # a delivered cell that does not parse: key < 0
_BAD_REQUESTED = -(1 << 50)  # a requested cell that does not parse: the key goes negative
_BAD_AMOUNTS = "\x00bad"  # a price or shipping cell that does not parse
_SLOW = Decided("", "", "", "", "", False, "")  # placeholder decision of a row settled by `slow`
_NO_RESULT = Result("", "", "", "", "", "", "", "", "", "")


@dataclass(slots=True)
class Evaluated:
    """A chunk's results, as parts that both row tuples and CSV text are built from quickly.

    The result of row `at` is made of `decided[at]`, `delivered[at]` and the refund (the text
    `amounts[at]` when `decided[at].refunds_price`; the error is empty), except for the rows in
    `slow`, whose `Result` is given whole.
    """

    decided: list[Decided]
    amounts: list[str]  # the refund text, if the decision refunds the price
    delivered: list[Delivered]
    slow: dict[int, Result]  # in row order

    def refunds(self) -> Iterator[str]:
        """The refund_amount cell of each row (not of the rows in `slow`)."""
        return map(mul, self.amounts, map(_REFUNDS_PRICE, self.decided))

    def results(self) -> list[tuple[str, ...]]:
        """The `RESULT_COLUMNS` cells of each row."""
        count = len(self.decided)
        columns: list[Iterable[str]] = []
        for name in RESULT_COLUMNS:
            if name in _DECIDED_AT:
                columns.append(map(_DECIDED_AT[name], self.decided))
            elif name in _DELIVERED_AT:
                columns.append(map(_DELIVERED_AT[name], self.delivered))
            elif name == "refund_amount":
                columns.append(self.refunds())
            else:  # the error: a row with one is in `slow`
                columns.append(repeat("", count))
        results: list[tuple[str, ...]] = list(zip(*columns, strict=True))
        for at, cells in self.slow.items():
            results[at] = cells
        return results


class Evaluator:
    """Turns rows (a `Grid` of cells, as wide as the header) into `RESULT_COLUMNS` cells.

    A chunk of rows is evaluated column by column: cell texts are looked up in caches filled,
    on a miss, by the very parsers `parse_claim` uses (canonical prices need none), each
    combination of terms and day class in a cache filled by `assess` and `window_band`, the
    functions `judge` uses. A row with a cell that does not parse goes to
    `slow`, which runs `parse_claim` and `judge` themselves, so its error is worded exactly as
    `check` words it.
    """

    def __init__(self, policy: Policy, today: date, dayfirst: bool, layout: Layout) -> None:
        self.policy = policy
        self.today = today
        self.dayfirst = dayfirst
        self.layout = layout
        index = layout.index
        self._fields = [(name, index[name]) for name in FIELDS if name in index]
        term_cells = [(name, index[name]) for name in TERM_PARSERS if name in index]
        self._delivered_at = index["delivered"]
        self._requested_at = index.get("requested")
        # a row naming an exchange's new ring size is settled by `slow` (parse_claim and judge)
        self._sized_at = index.get("exchange_size")
        self._price_at = index.get("price")
        self._shipping_at = index.get("shipping")
        domains: dict[str, tuple[object, ...]] = {
            "reason": policy.reasons,
            "category": (None, *policy.categories),
            "custom": (False, True),
            "sale": (False, True),
            "condition": policy.conditions,
            "packaging": (False, True),
            "photos": (False, True),
            "want": WANTS,
        }
        stride = 1
        self._strides: dict[str, tuple[int, tuple[object, ...]]] = {}
        self._base = 0  # absent columns: the part of their default, as parse_terms takes it
        for name in TERM_PARSERS:
            self._strides[name] = (stride, domains[name])
            if name not in index:
                self._base += stride * domains[name].index(TERM_PARSERS[name](policy, None))
            stride *= len(domains[name])
        self._class_stride = stride
        # Each terms column is looked up on its own: keys of two cells cost a tuple a row, and
        # ran slower (0.54 s against 0.47 s for the seven columns of 1M rows).
        self._term_caches = {name: self._term(name) for name, _ in term_cells}
        self._terms = [(position, self._term_caches[name]) for name, position in term_cells]
        # cell text -> code part / parse (or a _BAD* marker); emptied at _CACHE_LIMIT
        self._delivered = _Cache(self._new_delivered)
        self._requested = _Cache(self._new_requested)  # ordinal
        self._prices = _Cache(self._new_price)  # price text (not canonical) -> refund text
        self._easy = EasyAmounts(policy.store.currency, policy.store.currency_symbol)
        self._shipping = _Cache(self._new_shipping)  # shipping text -> whether it parses
        self._classes = _Cache(self._new_class)  # day -> class times the class stride
        self._class_of_bands: dict[tuple[int, ...], int] = {}
        # each field's cache of parses, and its value for a cell that does not parse: a cell
        # the cache holds with another value parses (see `every_error`)
        self._known: dict[str, tuple[Mapping[str, Any], Any]] = {
            "delivered": (self._delivered, _BAD_DELIVERED),
            "requested": (self._requested, _BAD_REQUESTED),
            "price": (self._prices, _BAD_AMOUNTS),
            "shipping": (self._shipping, False),
        }
        self._known.update((name, (cache, _BAD)) for name, cache in self._term_caches.items())
        self._decided: dict[int, Decided] = {}  # code + day class
        self._by_band: dict[tuple[int, int], Decided] = {}
        self._errors: dict[tuple[str, str], str] = {}  # (field, cell) -> its error, or ""
        self._date_errors: dict[tuple[str | None, str | None], str] = {}  # see _dates_error

    def policy_of(self, row: list[str]) -> Policy:
        """The policy a row was judged under: this evaluator's (a `Router` picks a version)."""
        return self.policy

    def evaluate_chunk(self, rows: Grid) -> Evaluated:
        """The results of each row, in order; never raises for bad cells."""
        count = len(rows)
        # each row's code: the sum of its terms' parts (lazily: one list at the end)
        summed: Iterable[int] = repeat(self._base, count)
        for position, cache in self._terms:
            summed = map(add, summed, map(cache.__getitem__, rows.column(position)))
        codes = list(summed)
        delivered = list(map(self._delivered.__getitem__, rows.column(self._delivered_at)))
        if self._requested_at is None:
            requested: Iterable[int] = repeat(self._new_requested(""), count)
        else:
            requested = map(self._requested.__getitem__, rows.column(self._requested_at))
        days = list(map(sub, requested, map(_ORDINAL, delivered)))
        amounts = self._amounts_column(rows)
        classes = list(map(self._classes.__getitem__, days))
        decided: list[Any] = list(map(self._decided.get, map(add, codes, classes)))
        # Rows to settle one by one: a combination not decided yet, or a bad cell (whose key is
        # never stored), or an amount that does not parse. Found with C-level scans.
        special = positions(decided, None)
        if _BAD_AMOUNTS in amounts:
            special = sorted(set(special) | set(positions(amounts, _BAD_AMOUNTS)))
        sized = self._sized(rows)
        if sized:
            special = sorted(set(special) | sized)
        slow: dict[int, Result] = {}
        for at in special:
            code, day = codes[at], days[at]
            bad = code < 0 or classes[at] < 0 or amounts[at] is _BAD_AMOUNTS  # see _new_class
            if bad or at in sized:
                slow[at] = self.slow(rows.row(at), bad)
                decided[at] = _SLOW
            else:
                decided[at] = self._decide(code, day, classes[at])
        return Evaluated(decided, amounts, delivered, slow)

    def _sized(self, rows: Grid) -> set[int]:
        """The rows whose `exchange_size` cell names a size (none without the column)."""
        at = self._sized_at
        if at is None:
            return set()
        return {n for n, cell in enumerate(rows.column(at)) if cell.strip()}

    def slow(self, row: list[str], bad: bool = False) -> Result:
        """The reference path: `parse_claim` and `judge`, exactly as `check` runs them.

        A row known to hold a `bad` cell (one of the caches' parsers refused it) would make
        `parse_claim` raise, and its error is `every_error`'s: that is asked first.
        """
        values = {name: row[position] for name, position in self._fields}
        if bad:
            error = self.every_error(values)
            if error:
                return _NO_RESULT._replace(error=error)
        try:
            judgement = judge(
                self.policy, parse_claim(self.policy, values, self.today, self.dayfirst)
            )
        except InputError as exc:
            return _NO_RESULT._replace(error=self.every_error(values) or str(exc))
        amount = judgement.refund_amount
        return Result(
            decision=judgement.decision,
            remedy=judgement.remedy,
            refund_amount=money_text(amount) if amount is not None else "",
            return_shipping_paid_by=judgement.return_shipping_paid_by or "",
            return_by=judgement.deadlines.return_by.isoformat(),
            report_damage_by=judgement.deadlines.report_damage_by.isoformat(),
            failed_rules=";".join(judgement.failed_rules),
            review_rules=";".join(r.id for r in judgement.rules if r.outcome == REVIEW),
            policy=self.policy.identity.digest,
            error="",
        )

    def every_error(self, values: Mapping[str, str]) -> str:
        """Every bad cell of a row, `; `-separated, in column order, each worded as `check`
        words it: each field is parsed on its own (`parse_claim` stops at the first; the
        outcome is cached by cell text), then the dates together (the requested day not before
        delivery, deadlines within the calendar).
        """
        known = self._known
        found: list[str] = []
        for name in _ALONE:
            text = values.get(name, "")
            cache, bad = known.get(name, _UNKNOWN)
            value = cache.get(text)
            if value is None or value == bad:
                found.append(self._cell_error(name, text))
            else:  # a cell a cache has taken: it parses
                found.append("")
        if self._sized_at is not None:  # without the column, nothing to check together
            try:
                check_sized(self.policy, values)
            except InputError as exc:
                found.append(str(exc))
        if not found[0] and not found[1]:
            found.insert(2, self._dates_error(values.get("delivered"), values.get("requested")))
        return "; ".join(filter(None, found))

    def _dates_error(self, delivered: str | None, requested: str | None) -> str:
        """The error of two dates that parse alone, together (the requested day before
        delivery, deadlines past the calendar), or "": cached by the two cells' texts, and
        known to be "" when the columns' caches hold both (`_new_delivered` computed the
        deadlines) and the requested day is not before delivery."""
        day = None if delivered is None else self._delivered.get(delivered)
        ordinal = None if requested is None else self._requested.get(requested)
        if (
            day is not None
            and day is not _BAD_DELIVERED
            and ordinal is not None
            and ordinal != _BAD_REQUESTED
            and ordinal >= day.ordinal
        ):
            return ""
        key = (delivered, requested)
        error = self._date_errors.get(key)
        if error is None:
            error = ""
            try:
                dates = {"delivered": delivered, "requested": requested}
                claim = parse_claim(self.policy, dates, self.today, self.dayfirst)
                deadlines(self.policy, claim.delivered)
            except InputError as exc:
                error = str(exc)
            _put(self._date_errors, key, error)
        return error

    def _cell_error(self, name: str, text: str) -> str:
        """The error of one field's cell parsed on its own, or "" when it parses."""
        if name in _AMOUNT_FIELDS and (is_canonical(text) or self._easy.text(text) is not None):
            return ""  # an amount the parser takes (mostly distinct: not worth a cache entry)
        key = (name, text)
        error = self._errors.get(key)
        if error is None:
            error = ""
            try:
                if name == "delivered":
                    parse_delivered(text, self.today, self.dayfirst)
                elif name == "requested":
                    parse_requested(text, self.today, self.dayfirst)
                elif name in TERM_PARSERS:
                    TERM_PARSERS[name](self.policy, text)
                elif name == "exchange_size":
                    parse_exchange_size(self.policy, text)
                else:
                    parse_amount(text, name, self.policy)
            except InputError as exc:
                error = str(exc)
            _put(self._errors, key, error)
        return error

    def _amounts_column(self, rows: Grid) -> list[str]:
        """Each row's refund text if the decision refunds the price, or `_BAD_AMOUNTS`.

        A canonical price (see `canonical`) is its own refund text; other prices go through
        `_new_price` (cached by cell text); without a price column there is nothing to refund.
        A shipping cell that does not parse makes the row's amounts bad, as `parse_claim`
        refuses the row.
        """
        if self._price_at is None:
            amounts = [""] * len(rows)
        else:
            amounts = rows.column(self._price_at)
            prices = self._prices
            for at in not_canonical(amounts):
                amounts[at] = prices[amounts[at]]
        if self._shipping_at is not None:
            shipping = list(map(self._shipping.__getitem__, rows.column(self._shipping_at)))
            if False in shipping:
                for at in positions(shipping, False):
                    amounts[at] = _BAD_AMOUNTS
        return amounts

    # Cache fillers (see `_Cache`): each parses with the very function parse_claim uses.

    def _term(self, name: str) -> _Cache:
        """The cache of a terms column: a cell's part of a decision key (the index of its parsed
        value times the field's stride), or `_BAD` when it does not parse."""
        parse = TERM_PARSERS[name]
        stride, domain = self._strides[name]
        policy = self.policy

        def new(text: str) -> int:
            try:
                return stride * domain.index(parse(policy, text))
            except InputError:
                return _BAD

        return _Cache(new)

    def _new_delivered(self, text: str) -> Delivered:
        try:
            day = parse_delivered(text, self.today, self.dayfirst)
            dates = deadlines(self.policy, day)
            entry = Delivered(
                ordinal=day.toordinal(),
                return_by=dates.return_by.isoformat(),
                report_damage_by=dates.report_damage_by.isoformat(),
            )
        except InputError:
            entry = _BAD_DELIVERED
        return entry

    def _new_requested(self, text: str) -> int:
        try:
            entry = parse_requested(text, self.today, self.dayfirst).toordinal()
        except InputError:
            entry = _BAD_REQUESTED
        return entry

    def _new_price(self, text: str) -> str:
        """The refund text of a price cell that is not canonical: the easy forms without the
        parser (see `canonical.EasyAmounts`), or `_BAD_AMOUNTS`."""
        entry = self._easy.text(text)
        if entry is None:
            try:
                price = parse_amount(text, "price", self.policy)
                entry = money_text(price) if price is not None else ""
            except InputError:
                entry = _BAD_AMOUNTS
        return entry

    def _new_shipping(self, text: str) -> bool:
        try:
            parse_amount(text, "shipping", self.policy)
            entry = True
        except InputError:
            entry = False
        return entry

    def _new_class(self, day: int) -> int:
        """The class of `day` (days in the same window band for every reason share one) times
        the class stride: its part of a decision key."""
        if not 0 <= day < _DAYS:
            return _BAD_DAY
        bands = tuple(window_band(self.policy, reason, day) for reason in self.policy.reasons)
        found = self._class_of_bands.setdefault(bands, len(self._class_of_bands))
        return found * self._class_stride

    def _decide(self, code: int, day: int, day_class: int) -> Decided:
        """What `assess` decides for the terms `code` stands for, `day` days after delivery."""
        policy = self.policy
        stride, reasons = self._strides["reason"]
        reason: Any = reasons[code // stride % len(reasons)]
        band = window_band(policy, reason, day)
        decided = self._by_band.get((code, band))
        if decided is None:
            terms = [domain[code // at % len(domain)] for at, domain in self._strides.values()]
            found = assess(policy, reason, band, *terms[1:])
            decided = Decided(
                decision=found.decision,
                remedy=found.remedy,
                return_shipping_paid_by=found.return_shipping_paid_by or "",
                failed_rules=";".join(found.failed_rules),
                review_rules=";".join(r.id for r in found.rules if r.outcome == REVIEW),
                refunds_price=found.refunds_price,
                policy=policy.identity.digest,
            )
            _put(self._by_band, (code, band), decided)
        _put(self._decided, code + day_class, decided, _DECIDED_LIMIT)
        return decided


# The fields `every_error` parses one by one, in column order (the dates first, as parse_claim).
_ALONE = ("delivered", "requested", *TERM_PARSERS, "price", "shipping", "exchange_size")
_AMOUNT_FIELDS = ("price", "shipping")
_UNKNOWN: tuple[Mapping[str, Any], Any] = ({}, None)  # a field without a cache
_ORDINAL = itemgetter(Delivered._fields.index("ordinal"))
_DECISION = itemgetter(Decided._fields.index("decision"))
_REFUNDS_PRICE = itemgetter(Decided._fields.index("refunds_price"))
# The result columns each holds, by name, and how to get each (itemgetter: as fast as it gets)
_DECIDED_AT = {
    name: itemgetter(at) for at, name in enumerate(Decided._fields) if name in RESULT_COLUMNS
}
_DELIVERED_AT = {
    name: itemgetter(at) for at, name in enumerate(Delivered._fields) if name in RESULT_COLUMNS
}


class _Cache(dict[Any, Any]):
    """Values by key (a cell's text, mostly), each made by `fill` when first asked for
    (`cache[key]`: a hit costs a dictionary look-up in C, a miss calls `fill`, and no scan of
    the looked-up values for misses is needed); emptied when full, as `_put` does."""

    __slots__ = ("fill",)

    def __init__(self, fill: Callable[[Any], Any]) -> None:
        super().__init__()
        self.fill = fill

    def __missing__(self, key: Any) -> Any:
        value = self.fill(key)
        _put(self, key, value)
        return value


def _put(cache: dict[Any, Any], key: Any, value: Any, limit: int = 0) -> None:
    if len(cache) >= (limit or _CACHE_LIMIT):
        cache.clear()
    cache[key] = value


Row = tuple[int, list[str]]  # (1-based line where the record starts, output record)
# Rows evaluated together (at most: see records.CHUNK_TEXT), enough to make per-chunk
# overheads vanish: on the 1M-row benchmark, 256 rows a chunk took 3.9 s, 1,024 3.5 s, 2,048
# 3.4 s (4,096 no less), for 5 MiB more at peak; the cells of a chunk are one flat list.
_CHUNK = 2048


@dataclass(slots=True)
class Chunk:
    """A run of evaluated records: start lines, input cells (padded), extra cells, results,
    and the input lines themselves when every record is one line as wide as the header."""

    lines: Sequence[int]
    grid: Grid  # the input cells
    extras: list[list[str]] | None  # cells beyond the header's width, per record
    evaluated: Evaluated
    texts: list[str] | None = None  # each record's line (no line end), if each is one line
    quoted: list[int] = field(default_factory=list)  # where `texts` have a quote character

    @property
    def records(self) -> list[list[str]]:
        """The input cells of each record, as lists (made when first asked for)."""
        return self.grid.lists()

    def rows(self) -> Iterator[Row]:
        """(line, output record): the input cells, the result cells, the extra cells."""
        records = self.records
        deque(map(list.extend, records, self.evaluated.results()), maxlen=0)
        if self.extras:
            deque(map(list.extend, records, self.extras), maxlen=0)
        return zip(self.lines, records, strict=True)


def evaluate_chunks(
    source: RecordReader,
    evaluator: Evaluator,
    summary: Summary,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Chunk]:
    """Evaluate every non-blank record after the header, in order, counting into `summary`.

    Fully blank lines (the csv module gives them as empty records) are not claims and are
    skipped; every other record gives exactly one output record. Short records are padded;
    cells beyond the header's width are kept, to follow the result cells.
    """
    width = evaluator.layout.width
    counts = summary.counts
    for raw in source.chunks(_CHUNK, width):
        grid = raw.grid
        starts = raw.starts
        texts = raw.texts
        extras: list[list[str]] | None = None
        cut = None
        if grid.flat is None:  # records of any width: made `width` wide
            records = grid.lists()
            cut = _cut_cells(raw.cut, records, evaluator.layout) if raw.cut else None
            if set(map(len, records)) != {width}:
                starts, records, extras = _regularise(raw.starts, records, width)
                texts = None
                if not records:
                    continue
                grid = Grid(records)
        evaluated = evaluator.evaluate_chunk(grid)
        if cut:
            _fail_cut(evaluated, grid.lists(), cut)
        if texts is None and evaluated.slow:
            _note_line_breaks(evaluated, grid.lists(), extras, starts)
        tally = Counter(map(_DECISION, evaluated.decided))
        tally.pop("", None)  # the rows settled by `slow`, counted below
        for decision, count in tally.items():
            counts[decision] += count
        for at, cells in evaluated.slow.items():
            if cells.error:
                summary.errors += 1
                if len(summary.error_lines) < _MAX_ERROR_LINES:
                    summary.error_lines.append(starts[at])
            else:
                counts[cells.decision] += 1
        summary.rows += len(grid)
        if progress is not None:
            progress(summary.rows)
        yield Chunk(starts, grid, extras, evaluated, texts, raw.quoted or [])


def _cut_cells(cut: dict[int, Damage], records: list[list[str]], layout: Layout) -> dict[int, str]:
    """The error of each record that the reader could not read whole (see `records.Damage`), by
    the record's identity (records keep it when `_regularise` drops the blank ones around them)."""
    return {id(records[at]): damage_text(damage, layout.header) for at, damage in cut.items()}


def damage_text(damage: Damage, names: Sequence[str]) -> str:
    """What the reader could not read of a record, as its row's error."""

    def name(cell: int) -> str:
        return names[cell] if cell < len(names) else f"column {cell + 1}"

    def column(cell: int) -> str:
        return f"column {names[cell]!r}" if cell < len(names) else f"column {cell + 1}"

    found = [
        f"{name(cell)}: longer than {CELL_CAP:,} characters, the limit of a cell: cut to that "
        "length"
        for cell in damage.cut
    ]
    if damage.cells:
        found.append(
            f"the row has more than {CELLS_CAP:,} cells, the limit of a row: the cells after "
            f"the first {CELLS_CAP:,} are dropped"
        )
    if damage.long:
        found.append(
            f"the row is longer than {RECORD_CAP:,} characters, the limit of a row: the rest "
            "is dropped"
        )
    if damage.unclosed:
        cell, first, last = damage.unclosed
        text = f"an unclosed quote in {column(cell)} on line {first} runs to the end of the file"
        if damage.recovered:
            text += f": the cell ends with line {first}, lines {first + 1}-{last} are read as rows"
        elif last > first:
            text += f": lines {first}-{last} were read as one cell"
        found.append(text + "; fix the quote")
    return "; ".join(found)


def _fail_cut(evaluated: Evaluated, records: list[list[str]], cut: dict[int, str]) -> None:
    """A row with a cut cell is not evaluated: its result is the error saying so (`slow` kept
    in row order, as the summary lists the lines of errors)."""
    for at, record in enumerate(records):
        error = cut.get(id(record))
        if error is not None:
            evaluated.decided[at] = _SLOW
            evaluated.slow[at] = _NO_RESULT._replace(error=error)
    evaluated.slow = dict(sorted(evaluated.slow.items()))


def _note_line_breaks(
    evaluated: Evaluated,
    records: list[list[str]],
    extras: list[list[str]] | None,
    starts: Sequence[int],
) -> None:
    """A failed row whose cells hold line breaks may be lines that a quote left open joined:
    its error says so, and from which line (an error about `delivered` alone would not)."""
    for at, cells in list(evaluated.slow.items()):
        if not cells.error:
            continue
        text = "\x1f".join(records[at] + (extras[at] if extras else []))
        if "\n" in text or "\r" in text:
            note = f"its cells hold line breaks: an unclosed quote may have joined lines from line {starts[at]}"
            evaluated.slow[at] = cells._replace(error=f"{cells.error}; {note}")


def _regularise(
    starts: Sequence[int], records: list[list[str]], width: int
) -> tuple[list[int], list[list[str]], list[list[str]]]:
    """Drop blank records, pad short ones, split off cells beyond `width`, with start lines."""
    lines: list[int] = []
    kept: list[list[str]] = []
    extras: list[list[str]] = []
    for start, cells in zip(starts, records, strict=True):
        if not cells:
            continue
        extra = cells[width:]
        del cells[width:]
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        lines.append(start)
        kept.append(cells)
        extras.append(extra)
    return lines, kept, extras


def split_record(record: list[str], width: int) -> tuple[list[str], list[str], list[str]]:
    """An output record's input cells, its `RESULT_COLUMNS` cells, and its extra cells."""
    end = width + len(RESULT_COLUMNS)
    return record[:width], record[width:end], record[end:]


def _unique(header: list[str]) -> tuple[str, ...]:
    """The header's names, a repeated one keeping every value: name, name_2, name_3..."""
    names: list[str] = []
    for name in header:
        key, n = name, 1
        while key in names:
            n += 1
            key = f"{name}_{n}"
        names.append(key)
    return tuple(names)
