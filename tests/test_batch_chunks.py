"""`migems batch` over many chunks: a few thousand rows of repeated combinations, bad cells late.

Batch decides a combination of terms once and reuses the decision from its caches; the amounts
and dates of each row are parsed apart. A bad cell in a row whose combination was decided in an
earlier chunk must still make that row an error, and every other row must keep its decision.
Each combination's outcome is written out here (not only compared with `check`'s functions).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from migems_cli.batch import Evaluator, Summary, evaluate_chunks, read_layout
from migems_cli.claims import FIELDS, parse_claim
from migems_cli.errors import InputError
from migems_cli.policy import bundled_policy_path
from migems_cli.policy_load import load_policy
from migems_cli.records import RecordReader
from migems_cli.render.batch_out import write_csv
from tests.helpers import run_main

TODAY = "2026-06-30"
POLICY = load_policy(bundled_policy_path())
HEADER = ["claim_id", *FIELDS]  # every column batch reads
# (reason, day, custom, sale, condition, packaging, photos) -> decision, remedy, payer, failed
COMBOS = [
    (("changed-mind", 5, "", "", "", "", ""), ("eligible", "refund", "customer", "")),
    (("changed-mind", 30, "no", "n", "unused", "yes", ""), ("eligible", "refund", "customer", "")),
    (("changed-mind", 31, "", "", "", "", ""), ("ineligible", "none", "", "return-window")),
    (("changed-mind", 3, "yes", "", "", "", ""), ("ineligible", "none", "", "custom")),
    (("changed-mind", 0, "", "1", "", "", ""), ("ineligible", "none", "", "sale")),
    (("changed-mind", 10, "", "", "", "no", ""), ("ineligible", "none", "", "packaging")),
    (("changed-mind", 1, "", "", "worn", "", ""), ("ineligible", "none", "", "condition")),
    (("damaged", 2, "", "", "", "", "yes"), ("eligible", "replacement-or-refund", "store", "")),
    (("damaged", 7, "", "", "", "", "t"), ("eligible", "replacement-or-refund", "store", "")),
    (("damaged", 2, "", "", "", "", "no"), ("review", "replacement-or-refund", "store", "")),
    (("damaged", 20, "", "", "", "", "yes"), ("review", "replacement-or-refund", "store", "")),
    (("damaged", 40, "", "", "", "", "y"), ("ineligible", "none", "", "damage-window")),
]
PRICES = [("50", "50.00"), ("19.99", "19.99"), ("", ""), ("120.5", "120.50"), ("7", "7.00")]
DELIVERIES = [date(2026, 5, 1) - timedelta(days=n) for n in (0, 3, 10)]
ROWS = 3000
# Row index (0-based, after the header) -> (column, bad text, field the error names): all after
# the first chunk of 256, each on a combination decided many times before it.
BAD = {
    300: ("price", "12.3.4", "price"),
    301: ("price", "bad", "price"),
    640: ("shipping", "x1", "shipping"),
    777: ("custom", "maybe", "custom"),
    1024: ("delivered", "2026-13-01", "delivered"),
    1500: ("requested", "-1", "requested"),  # a day before delivery: see `rows`
    1800: ("reason", "exchange", "reason"),
    2100: ("photos", "2", "photos"),
    2600: ("condition", "broken", "condition"),
    2999: ("price", "-5", "price"),
}


def rows() -> list[list[str]]:
    made = []
    for at in range(ROWS):
        (reason, day, custom, sale, condition, packaging, photos), _ = COMBOS[at % len(COMBOS)]
        delivered = DELIVERIES[at % len(DELIVERIES)]
        price, _ = PRICES[at % len(PRICES)]
        shipping = "5" if at % 4 == 0 else ""
        cells = {
            "claim_id": f"C{at}",
            "delivered": delivered.isoformat(),
            "requested": (delivered + timedelta(days=day)).isoformat(),
            "reason": reason,
            "category": "necklace",
            "custom": custom,
            "sale": sale,
            "condition": condition,
            "packaging": packaging,
            "photos": photos,
            "price": price,
            "shipping": shipping,
            "want": "",
            "exchange_size": "",
            "ordered": "",
        }
        if at in BAD:
            column, text, _ = BAD[at]
            if text == "-1":
                text = (delivered - timedelta(days=1)).isoformat()
            cells[column] = text
        made.append([cells[name] for name in HEADER])
    return made


def check_error(cells: list[str]) -> str:
    """The error `check`'s parser gives for the row."""
    values = dict(zip(HEADER, cells, strict=True))
    with pytest.raises(InputError) as raised:
        parse_claim(POLICY, values, date.fromisoformat(TODAY))
    return str(raised.value)


@pytest.mark.parametrize(
    ("chunk", "cache_limit"), [(None, None), (7, None), (100, 3)], ids=["256", "7", "100-cache3"]
)
def test_thousands_of_rows_across_chunks(capsys, tmp_path, monkeypatch, chunk, cache_limit):
    if chunk is not None:
        monkeypatch.setattr("migems_cli.batch._CHUNK", chunk)
    if cache_limit is not None:
        monkeypatch.setattr("migems_cli.batch._CACHE_LIMIT", cache_limit)
        monkeypatch.setattr("migems_cli.batch._DECIDED_LIMIT", cache_limit)
    made = rows()
    path = tmp_path / "many.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        writer.writerows(made)
    code, out, err = run_main(["batch", str(path), "--format", "csv", "--today", TODAY], capsys)
    assert code == 1  # some rows are errors
    written = list(csv.DictReader(io.StringIO(out, newline="")))
    assert [row["claim_id"] for row in written] == [f"C{at}" for at in range(ROWS)]
    counts = dict.fromkeys(("eligible", "ineligible", "review"), 0)
    for at, (cells, got) in enumerate(zip(made, written, strict=True)):
        assert [got[name] for name in HEADER] == [
            "'" + cell if cell.startswith("-") else cell for cell in cells
        ]
        result = tuple(got[name] for name in ("decision", "remedy", "refund_amount"))
        result += (got["return_shipping_paid_by"], got["failed_rules"], got["error"])
        if at in BAD:
            error = check_error(cells)
            assert error.startswith(f"{BAD[at][2]}: "), error
            assert result == ("", "", "", "", "", error), at
            assert (got["return_by"], got["report_damage_by"]) == ("", ""), at
            continue
        decision, remedy, payer, failed = COMBOS[at % len(COMBOS)][1]
        refund = PRICES[at % len(PRICES)][1] if decision == "eligible" else ""
        assert result == (decision, remedy, refund, payer, failed, ""), at
        delivered = DELIVERIES[at % len(DELIVERIES)]
        assert got["return_by"] == (delivered + timedelta(days=30)).isoformat()
        assert got["report_damage_by"] == (delivered + timedelta(days=7)).isoformat()
        counts[decision] += 1
    lines = ", ".join(str(at + 2) for at in sorted(BAD))
    assert err.startswith(
        f"migems batch: {ROWS} rows: {counts['eligible']} eligible, "
        f"{counts['ineligible']} ineligible, {counts['review']} review, "
        f"{len(BAD)} errors (lines {lines}); "
    )


def test_an_evaluator_writes_commas_by_default(capsys, tmp_path):
    """An `Evaluator` made with its defaults writes what `batch` writes for a comma file."""
    text = "claim_id,delivered,requested,category,price\n"
    text += "A,2026-05-01,2026-05-03,ring,10\nB,2026-05-01,,ring,x\n"
    records = RecordReader(io.StringIO(text, newline=""), ",")
    layout = read_layout(records.header() or [], "<test>")
    evaluator = Evaluator(POLICY, date.fromisoformat(TODAY), False, layout)
    out = io.StringIO(newline="")
    write_csv(evaluate_chunks(records, evaluator, Summary()), layout, out, ",")
    path = tmp_path / "two.csv"
    path.write_text(text, encoding="utf-8")
    _, cli, _ = run_main(["batch", str(path), "--format", "csv", "--today", TODAY], capsys)
    assert out.getvalue() == cli
    assert (
        out.getvalue()
        .splitlines()[1]
        .startswith(
            "A,2026-05-01,2026-05-03,ring,10,eligible,refund,10.00,customer,2026-05-31,2026-05-08,"
        )
    )
