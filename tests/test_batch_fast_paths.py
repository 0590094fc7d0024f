"""Batch's fast paths give exactly what the reference paths give (issue 15).

Canonical amounts: a price cell written as the output writes it (`120.00`) is echoed as the
refund without parsing (`canonical`); every other cell is parsed. Over random and hostile
strings, the fast path and the parser agree, cell by cell and row by row.
"""

from __future__ import annotations

import sys
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from migems_cli.batch import Evaluator, read_layout
from migems_cli.canonical import is_canonical, not_canonical
from migems_cli.claims import parse_amount
from migems_cli.errors import InputError
from migems_cli.money import money_text
from migems_cli.policy import bundled_policy_path
from migems_cli.policy_load import load_policy
from migems_cli.records import Grid

POLICY = load_policy(bundled_policy_path())
HOSTILE = [
    "120.00", "0.00", "0.05", "00.05", "0120.00", "120.0", "120", "120.000", "1,200.00",
    "$120.00", "120.00 USD", " 120.00", "120.00 ", "120.00\n", "\n120.00", "120.00\n5.00",
    "-120.00", "+120.00", "\uff11\uff12\uff10.\uff10\uff10", "\u0661\u0662\u0660.\u0660\u0660", "120.00\x00", "999999999.99", "1000000000.00",
    "1e3", "NaN", "Infinity", "12_0.00", "120,00", "", " ", ".50", "120.", "=1+2",
]  # fmt: skip
digits = st.text(alphabet="0123456789", min_size=0, max_size=11)
amounts = st.one_of(
    st.sampled_from(HOSTILE),
    st.builds(lambda a, b: f"{a}.{b}", digits, digits),
    st.builds(lambda a, b, c: a + b + c, st.sampled_from(["", " ", "$", "-", "0", "\n"]),
              st.builds(lambda a, b: f"{a}.{b}", digits, digits),
              st.sampled_from(["", " ", " USD", "\n", "0", "\r\n1.00"])),
    st.text(max_size=14),
)  # fmt: skip


def reference(text: str) -> str | None:
    """The refund text the parser gives for a price cell, or None when it does not parse."""
    try:
        value = parse_amount(text, "price", POLICY)
    except InputError:
        return None
    return "" if value is None else money_text(value)


@settings(max_examples=400)
@given(amounts)
@example("120.00")
@example("0120.00")
def test_a_canonical_cell_is_exactly_what_the_parser_writes_back(text: str) -> None:
    # an empty cell is no amount at all: the parser says so (None), the fast path leaves it
    assert is_canonical(text) == (text != "" and reference(text) == text)


@settings(max_examples=200)
@given(st.lists(amounts, max_size=12))
def test_the_column_scan_finds_every_cell_that_is_not_canonical(cells: list[str]) -> None:
    assert not_canonical(cells) == [at for at, cell in enumerate(cells) if not is_canonical(cell)]


# The easy forms (`canonical.EasyAmounts`): what a store's export or an agent writes besides
# `120.00`, read without the parser, for any currency code and symbol a policy may name.
markers = st.sampled_from(["", "$", "USD", "usd", "Usd", "EUR", "\u20ac", "US$", "kr", "\u017fd"])
spaces = st.sampled_from(["", " ", "  ", "\t", "\u00a0"])
whole = st.one_of(
    st.text(alphabet="0123456789", min_size=1, max_size=11),
    st.builds(lambda a, b: f"{a:,}", st.integers(0, 10**12), st.just(0)),
)
cents = st.sampled_from(["", ".", ".0", ".05", ".5", ".50", ".123", ",00"])
easy_forms = st.one_of(
    amounts,
    st.builds(
        lambda s1, m1, s2, n, c, s3, m2, s4: s1 + m1 + s2 + n + c + s3 + m2 + s4,
        spaces, markers, spaces, whole, cents, spaces, markers, spaces,
    ),
)  # fmt: skip
CURRENCIES = [("USD", "$"), ("USD", ""), ("", "$"), ("", ""), ("EUR", "\u20ac"), ("usd", "US$"),
              ("U1", ""), ("USD", "1$")]  # markers the parser cannot read: the fast path never  # fmt: skip


@settings(max_examples=600)
@given(easy_forms, st.sampled_from(CURRENCIES))
@example("$120", ("USD", "$"))
@example("1,200.00", ("USD", "$"))
@example("$120 USD", ("USD", "$"))  # two markers: refused
@example("1,234,567,890.00", ("USD", "$"))  # ten digits: refused
@example("usd 0120.5", ("USD", "$"))
@example("U1 120", ("U1", ""))  # a code with a digit: the parser reads no marker there
@example("1$120", ("USD", "1$"))
def test_an_easy_amount_is_exactly_what_the_parser_gives(
    text: str, currency: tuple[str, str]
) -> None:
    from migems_cli.canonical import EasyAmounts
    from migems_cli.money import parse_money

    code, symbol = currency
    try:
        expected: str | None = money_text(parse_money(text, "price", code, symbol))
    except InputError:
        expected = None
    got = EasyAmounts(code, symbol).text(text)
    assert got is None or got == expected, (text, got, expected)


def test_the_easy_forms_are_read_without_the_parser() -> None:
    from migems_cli.canonical import EasyAmounts

    easy = EasyAmounts("USD", "$")
    forms = ["$120", "120 USD", " 120.00 ", "120", "1,200.00", "120.5", "0120.00", "usd 12",
             "123,456,789.00"]  # fmt: skip
    assert [easy.text(form) for form in forms] == [
        "120.00", "120.00", "120.00", "120.00", "1200.00", "120.50", "120.00", "12.00",
        "123456789.00",
    ]  # fmt: skip
    refused = ["$120 USD", "1,200", "-1", "12.345", "EUR 5", "1,234,567,890.00", "120."]
    assert [easy.text(form) for form in refused] == [None] * len(refused)
    assert EasyAmounts("", "$").text("$120") is None  # no currency: no marker at all


def test_a_column_without_line_breaks_is_matched_as_one_text(monkeypatch) -> None:
    """The scan runs one match per odd cell over the joined column (not a match per cell,
    which is what made it slow): with the per-cell pattern out of reach, it still answers."""
    import migems_cli.canonical as canonical

    class NoCellByCell:
        def fullmatch(self, text: str) -> None:
            raise AssertionError("matched cell by cell")

    cells = ["120.00", "$5", "0.99", "12", "7.50"]
    monkeypatch.setattr(canonical, "_CANONICAL", NoCellByCell())
    assert canonical.not_canonical(cells) == [1, 3]


HEADER = ["delivered", "price", "shipping"]


def evaluator(header: list[str]) -> Evaluator:
    return Evaluator(POLICY, date(2026, 6, 30), False, read_layout(header, "<test>"))


def reference_amounts(price: str, shipping: str) -> str:
    """A row's amounts as the parser gives them: the refund text of the price, or the bad
    marker when the price or the shipping does not parse (as `parse_claim` refuses the row)."""
    from migems_cli.batch import _BAD_AMOUNTS

    refund = reference(price)
    if refund is None or (shipping and reference(shipping) is None):
        return _BAD_AMOUNTS
    return refund


@settings(max_examples=150)
@given(st.lists(st.tuples(amounts, amounts), min_size=1, max_size=40))
def test_the_amounts_of_a_chunk_are_those_of_the_parser(pairs: list[tuple[str, str]]) -> None:
    """`_amounts_column` (canonical prices echoed, easy forms read without the parser) against
    the parser: every (price, shipping) pair parsed."""
    fast = evaluator(HEADER)
    rows = [["2026-06-01", price, shipping] for price, shipping in pairs]
    expected = [reference_amounts(price, shipping) for price, shipping in pairs]
    assert fast._amounts_column(Grid(rows)) == expected
    flat = Grid(flat=[cell for row in rows for cell in row], width=3)  # as most chunks come
    assert fast._amounts_column(flat) == expected  # again, from the caches


def test_amounts_without_a_shipping_or_a_price_column() -> None:
    rows = [["2026-06-01", "12.00"], ["2026-06-01", "$3"], ["2026-06-01", "x"]]
    got = evaluator(["delivered", "price"])._amounts_column(Grid(rows))
    assert got == [reference_amounts(price, "") for _, price in rows]
    assert got[0] == "12.00"
    no_price = evaluator(["delivered", "shipping"])._amounts_column(
        Grid([["2026-06-01", "x"], ["2026-06-01", "5"]])
    )
    assert no_price == [reference_amounts("", "x"), reference_amounts("", "5")]
    assert no_price[1] == ""  # no price: nothing to refund


# JSON Lines from pre-encoded pieces (`render.batch_jsonl`) against the reference writer (one
# `json_record` dumped per row, `render.batch_out.write_jsonl`), over random files.

NAMES = ["claim_id", "delivered", "requested", "reason", "category", "price", "shipping",
         "sale", "photos", "ordered", "note", "Note", "\u00e9t\u00e9 \"q\"", "a\x1bb", "note",
         "\ue000", "x\ue0001\ue000", "%s", "\u2028"]  # fmt: skip
# Hostile cells: what the encoder escapes (quotes, backslashes, C0 controls, NUL), what json_safe
# escapes (DEL, C1, bidi controls, U+2028/2029, lone surrogates), non-ASCII, the delimiters, a
# long cell, markers like the template's (private-use characters), an empty price (a refund
# with no amount: null).
CELLS = st.one_of(
    st.sampled_from(["", "2026-06-01", "2026-06-20", "06/03/2026", "changed-mind", "damaged",
                     "ring", "hats", "yes", "no", "120.00", "$5", "12,5", "=1+2", "x\ny",
                     "\u2028", "\u2029", "\x7f", "\x85", "caf\u00e9", '"', '""', 'a"b', "\\",
                     "\\u0000", "\ud800", "\udfff", "-3", "\t", "a\tb", "\x00", "\x1b[2J",
                     "\u202e", "\r", ";", ",", "x" * 3000, "\ue000", "\ue0000\ue000", "null",
                     "%s", "\U0001f48d"]),
    st.text(max_size=6),
)  # fmt: skip


def jsonl_both_ways(text: str, delimiter: str = ",") -> tuple[str, str]:
    import io

    from migems_cli.batch import Summary, evaluate_chunks
    from migems_cli.records import RecordReader
    from migems_cli.render.batch_formats import _rows
    from migems_cli.render.batch_jsonl import write_jsonl
    from migems_cli.render.batch_out import write_jsonl as reference

    outputs = []
    for writer in (write_jsonl, lambda chunks, layout, out: reference(_rows(chunks), layout, out)):
        records = RecordReader(io.StringIO(text, newline=""), delimiter)
        layout = read_layout(records.header() or [], "<test>")
        evaluator = Evaluator(POLICY, date(2026, 6, 30), False, layout)
        out = io.StringIO(newline="")
        writer(evaluate_chunks(records, evaluator, Summary()), layout, out)
        outputs.append(out.getvalue())
    return outputs[0], outputs[1]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from(NAMES), min_size=1, max_size=6),
    st.lists(st.lists(CELLS, max_size=8), max_size=12),
    st.sampled_from([1, 3, 256]),
    st.sampled_from([",", ";", "\t"]),
    st.booleans(),
)
@example(names=["claim_id"], rows=[["\x00"]], chunk=1, delimiter=",", regular=False)  # 3.10
@example(  # a decision that refunds the price of a row without one: null, not ""
    names=["delivered", "requested", "reason", "category", "price"],
    rows=[["2026-06-20", "2026-06-25", "changed-mind", "ring", ""]] * 2
    + [["2026-06-20", "2026-06-25", "changed-mind", "ring", "120.00"]],
    chunk=256,
    delimiter=",",
    regular=True,
)
def test_jsonl_from_pieces_is_the_reference_text(
    names: list[str], rows: list[list[str]], chunk: int, delimiter: str, regular: bool
) -> None:
    """`regular`: every row as wide as the header (the writer then looks at the lines)."""
    import csv
    import io

    import migems_cli.batch

    known = {"claim_id", "delivered", "requested", "reason", "category", "price", "shipping"}
    known |= {"sale", "photos", "ordered"}
    # a known column named twice is refused (exit 2); other names may repeat (note, note_2)
    names = [n for at, n in enumerate(names) if n not in known or n not in names[:at]]
    if "delivered" not in names:
        names = ["delivered", *names]
    if regular:
        rows = [[*row, *[""] * len(names)][: len(names)] for row in rows]
    if sys.version_info < (3, 11):  # 3.10's csv writer cannot write a NUL (the reader reads it)
        rows = [[cell.replace("\x00", "") for cell in row] for row in rows]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(names)
    writer.writerows(rows)
    saved = migems_cli.batch._CHUNK
    migems_cli.batch._CHUNK = chunk
    try:
        fast, reference = jsonl_both_ways(buffer.getvalue(), delimiter)
    finally:
        migems_cli.batch._CHUNK = saved
    assert fast == reference


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.text(alphabet='ab"\\\t\x00\x1b\x7f\x85\u2028\u00e9;, ', max_size=5), max_size=5
        ),
        max_size=10,
    ),
    st.sampled_from([",", ";", "\t"]),
    st.booleans(),
)
@example(rows=[['a"b', "2026-06-01", "1.00", "x"]], delimiter=",", regular=True)
def test_jsonl_from_pieces_of_lines_written_by_hand(
    rows: list[list[str]], delimiter: str, regular: bool
) -> None:
    """Lines no csv writer made: quotes in unquoted cells (`a"b`), tabs, backslashes, controls,
    read as they come; `regular`: every row 4 cells (the writer then looks at the lines)."""
    if regular:
        rows = [[*row, "", "", "", ""][:4] for row in rows]
    header = delimiter.join(["claim_id", "delivered", "price", "note"])
    text = "\r\n".join([header, *(delimiter.join(row) for row in rows)]) + "\r\n"
    fast, reference = jsonl_both_ways(text, delimiter)
    assert fast == reference


@settings(max_examples=300)
@given(st.text(), st.booleans())
@example("a\x7fb", True)
@example('"', False)
def test_a_clean_text_holds_nothing_to_escape(text: str, quotes: bool) -> None:
    """`clean` (memchr, or isprintable) never says clean where one search for the characters
    the encoder or json_safe would change finds one (it may send a text with another
    unprintable character, `\\xad`, to that search); on ASCII text they agree.
    `quotes=False` lets quotes by."""
    from migems_cli.render.batch_jsonl import _DIRTY, clean, inner

    looked_at = text if quotes else text.replace('"', "")
    if clean(text, quotes) or text.isascii():
        assert clean(text, quotes) == (_DIRTY.search(looked_at) is None)
    if clean(text):  # a clean cell is its own JSON text
        assert inner(text) == text


@settings(max_examples=200)
@given(st.lists(st.text(alphabet='ab,"\\\x00\x1f\x7f\xa0\u2028\u00e9', max_size=4), max_size=8))
def test_the_cells_to_escape_are_found_by_one_search(cells: list[str]) -> None:
    from migems_cli.render.batch_jsonl import _DIRTY, _dirty

    assert _dirty(cells) == {at for at, cell in enumerate(cells) if _DIRTY.search(cell)}


@pytest.mark.parametrize("versioned", [False, True])
def test_jsonl_of_policy_versions_and_order_dates_is_the_reference_text(
    run, monkeypatch, tmp_path, policy_text, versioned
) -> None:
    """Rows evaluated by `batch_versions.Router` (an `ordered` column; a folder of versions,
    each row's `chosen_by` its own): the fast writer writes what the reference writes."""
    from migems_cli.render import batch_formats
    from migems_cli.render.batch_formats import Format, _rows
    from migems_cli.render.batch_out import write_jsonl as reference

    policy = tmp_path / "v1.toml"
    policy.write_text(policy_text, encoding="utf-8")
    if versioned:
        v2 = policy_text.replace('version = "1"', 'version = "2"', 1)
        v2 = v2.replace('effective_from = "2026-11-26"', 'effective_from = "2027-01-01"', 1)
        (tmp_path / "v2.toml").write_text(v2.replace("window_days = 30", "window_days = 14", 1))
    source = tmp_path / "claims.csv"
    source.write_text(
        "claim_id,delivered,ordered,reason,category,price\n"
        "A,2026-11-20,2026-11-10,changed-mind,rings,120.00\n"
        "B,2027-01-05,2027-01-02,changed-mind,rings,\n"
        "C,2027-01-05,,damaged,rings,15.50\n"
        "D,2026-13-01,2026-11-10,changed-mind,rings,1.00\n"
        'E,2026-11-20,2026-11-10,changed-mind,rings,"1,200.00",extra\n',
        encoding="utf-8",
    )
    args = ["batch", str(source), "--format", "jsonl", "--today", "2027-01-10"]
    args += ["--policy", str(tmp_path if versioned else policy)]
    fast = run(*args)
    monkeypatch.setitem(
        batch_formats.WRITERS,
        Format.jsonl,
        lambda chunks, layout, out, _: reference(_rows(chunks), layout, out),
    )
    slow = run(*args)
    assert (slow.code, slow.out) == (fast.code, fast.out)
    assert fast.out.count("\n") == 5
    assert ('"chosen_by": "ordered"' in fast.out) == versioned
    assert ('"version": "2"' in fast.out) == versioned


@pytest.mark.parametrize("where", ["header", "extra"])
def test_jsonl_with_every_marker_character_taken_is_the_reference_text(
    monkeypatch, where: str
) -> None:
    """The template's markers are characters the row's text does not hold; a header that
    holds them all is written the reference way from the start, a row whose extra cell does
    from its chunk on: the same text."""
    import migems_cli.batch
    import migems_cli.render.batch_jsonl as fast

    monkeypatch.setattr(fast, "_MARKS", range(0xE000, 0xE003))
    monkeypatch.setattr(migems_cli.batch, "_CHUNK", 2)
    taken = "\ue000\ue001\ue002"
    header = f"delivered,note{taken}" if where == "header" else "delivered,note"
    rows = ["2026-06-01,a", "2026-06-01,b\x1b", f"x,c,{taken}", "2026-06-01,d"]
    first, reference = jsonl_both_ways("\r\n".join([header, *rows, ""]))
    assert first == reference
    assert first.count("\n") == 4
    assert taken in first


def test_a_long_result_part_is_not_cached() -> None:
    """Rows with a long extra cell (or a long error) are dumped each time: memory stays flat
    however many such rows a file has; short ones are cached."""
    import json

    from migems_cli.render.batch_jsonl import _SHORT, _Template

    layout = read_layout(["delivered", "note"], "<test>")
    template = _Template(layout, json.JSONEncoder(ensure_ascii=False).encode)
    result = ("", "", "", "", "", "", "", "", "", "delivered: not a date")
    for extra in [("x" * _SHORT,), ("y" * _SHORT,)]:
        long = template.tail(result, extra)
        assert '"extra": ["' + extra[0] in long[0]
    assert template._tails == {}
    short = template.tail(result, ("z",))
    assert template._tails == {(result, ("z",)): short}


def test_a_price_with_the_stores_currency_is_settled_without_the_slow_path() -> None:
    """`$120` and `120 USD` read as `check` reads them (the policy's currency), in the caches:
    such rows no longer go one by one through `parse_claim` (a 1.7% share cost a quarter of
    the run in the issue's profile)."""
    symbol, code = POLICY.store.currency_symbol, POLICY.store.currency
    rows = [["2026-06-01", f"{symbol}120", ""], ["2026-06-01", f"120 {code}", f"{symbol}5"]]
    fast = evaluator(HEADER)
    assert fast._amounts_column(Grid(rows)) == ["120.00", "120.00"]
    assert fast.evaluate_chunk(Grid(rows)).slow == {}


# CSV lines echoed as read (`render.batch_out._inputs`): a line whose quoting is the csv
# writer's own is written as it came; any other, or one with a formula cell, is formatted by the
# writer. Against the reference: every record formatted by the writer (no line texts kept).

CONTENT = st.text(alphabet=[",", ";", "\t", '"', "=", "-", "+", "@", "a", "b", " ", "1", "\x00"],
                  max_size=5)  # fmt: skip


def _cell_text(kind: str, content: str, delimiter: str) -> str:
    if kind == "bare":  # as it is (a quote in it is irregular), without the delimiter
        return content.replace(delimiter, "a")
    if kind == "quoted":  # as the writer would quote it, needed or not
        return '"' + content.replace('"', '""') + '"'
    return '"' + content + '"' + content  # irregular: text after the closing quote


LINE = st.lists(
    st.tuples(st.sampled_from(["bare", "quoted", "quoted", "odd"]), CONTENT), min_size=4,
    max_size=4,
)  # every line as wide as the header: the chunk keeps its lines' texts  # fmt: skip


def csv_both_ways(text: str, delimiter: str) -> tuple[str, str]:
    import io

    from migems_cli.batch import Summary, evaluate_chunks
    from migems_cli.records import RecordReader
    from migems_cli.render.batch_out import write_csv

    outputs = []
    for keep_texts in (True, False):
        records = RecordReader(io.StringIO(text, newline=""), delimiter)
        layout = read_layout(records.header() or [], "<test>")
        chunks = evaluate_chunks(records, evaluator(list(layout.header)), Summary())
        if not keep_texts:
            chunks = (chunk for chunk in chunks if not setattr(chunk, "texts", None))
        out = io.StringIO(newline="")
        write_csv(chunks, layout, out, delimiter)
        outputs.append(out.getvalue())
    return outputs[0], outputs[1]


@settings(max_examples=150, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=30), st.sampled_from([",", ";", "\t"]))
@example([[("quoted", "a,b"), ("quoted", "ab"), ("quoted", "=1,2"), ("bare", "")]], ",")
@example([[("quoted", '"'), ("odd", "x"), ("bare", 'a"b'), ("quoted", "")]], ",")
@example([[("bare", "1"), ("quoted", "=1,2"), ("bare", ""), ("bare", "")]], ",")  # formula
@example([[("odd", "x,"), ("bare", "b"), ("bare", "c")]], ",")  # text after the closing quote
@example([[("bare", "1"), ("bare", ""), ("bare", ""), ("quoted", "a,b")]], ",")  # quoted, last
@example([[("quoted", "\t;1"), ("bare", ""), ("bare", ""), ("bare", "")]], "\t")  # formula
def test_csv_lines_echoed_as_read_are_what_the_writer_writes(
    lines: list[list[tuple[str, str]]], delimiter: str
) -> None:
    body = [delimiter.join(_cell_text(kind, c, delimiter) for kind, c in line) for line in lines]
    header = delimiter.join(["delivered", "price", "note", "x"])
    text = "\r\n".join([header, *body]) + "\r\n"
    fast, reference = csv_both_ways(text, delimiter)
    assert fast == reference


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_lines_quoted_as_the_writer_quotes_them_are_echoed_and_no_others(delimiter: str) -> None:
    """`_not_echoed` names exactly the quoted lines the writer would write otherwise (or that
    need a formula neutralised): a wrong one costs a byte-exact output, a missed one speed."""
    import csv
    import io

    from migems_cli.render.batch_out import _not_echoed

    echoed = ['1,"a,b",,', '"a,b",x,,', 'x,,,"a,b"', '"a,,b",,,', '"a, b",c,,d']
    redone = [
        '"ab",x,,',  # quoted without need
        '"a""b,c",,,',  # a doubled quote
        '"a,b"x,,,',  # text after the closing quote
        '"=a,b",,,',  # a formula start
        'x,"-a,b",,',
        '"a,b","c,d",,',  # two quoted cells
        'a"b,c,d,e',  # a quote inside a bare cell
        '"",x,,',  # an empty quoted cell
        '"a, b",c,"",d',  # and a second one
        '"\ta,b",,,',
        '"+a,b",,,',
        '"@a,b",,,',
    ]
    texts = [line.replace(",", delimiter) for line in echoed + redone]
    records = [next(csv.reader(io.StringIO(text), delimiter=delimiter)) for text in texts]
    quoted = list(range(len(texts)))
    expected = list(range(len(echoed), len(texts)))
    assert _not_echoed(texts, Grid(records), quoted, delimiter) == expected


@settings(max_examples=300)
@given(
    st.lists(st.text(alphabet=",;-=+@\t\x1fa1", max_size=6), min_size=1, max_size=8),
    st.sampled_from([(",", "\n"), (";", "\n"), ("\x1f", "")]),
)
def test_formula_starts_are_found_in_exactly_the_pieces_that_hold_them(
    pieces: list[str], framing: tuple[str, str]
) -> None:
    """`_matching` (the CSV writer's search for cells that start like a formula) names each
    piece in which lead + formula character occurs, searched as lead + piece + tail: no piece
    more (a line named needlessly is formatted again) and none fewer (a formula echoed)."""
    from migems_cli.render.batch_out import FORMULA_START, _matching

    lead, tail = framing
    needles = tuple(lead + c for c in FORMULA_START if c not in (lead, "\r"))
    # (no needle runs from one piece into the next: that would end with the lead itself)
    expected = {
        at
        for at, piece in enumerate(pieces)
        if any(needle in lead + piece + tail for needle in needles)
    }
    assert _matching(needles, pieces, lead, tail) == expected
