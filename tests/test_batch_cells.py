"""`migems batch` cell by cell, with the decision written out, not only "batch equals check".

Batch is the only command that reads yes/no cells (check takes flags), and its property tests
compare it with `parse_claim`, which shares the same parsers: a wrong parser would pass them.
So every accepted spelling here has its expected outcome spelled out, in check's terms (the
decision and failed rules `check` gives for the matching flag), and check is run too.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date, timedelta

import pytest

from tests.helpers import run_main

TODAY = "2026-03-31"
DELIVERED = date(2026, 1, 10)
HEADER = "claim_id,delivered,requested,reason,category,custom,sale,packaging,photos,price"
TRUE = ["yes", "YES", "Yes", "y", "Y", "true", "TRUE", "True", "t", "T", "1", " yes ", "\ty"]
FALSE = ["no", "NO", "No", "n", "N", "false", "FALSE", "False", "f", "F", "0", " no ", "0 "]
EMPTY = ["", "   "]
BAD = ["maybe", "2", "yess", "-1", "ja", "nope", "00", "y es", "tru", "+1"]

# (field, reason) -> (decision, failed_rules) for True, False and an empty cell, on day 5 with a
# price of 50: the outcome `check` gives with the flag given, and without it.
FLAG_OUTCOMES = {
    ("custom", "changed-mind"): {True: ("ineligible", "custom"), False: ("eligible", "")},
    ("sale", "changed-mind"): {True: ("ineligible", "sale"), False: ("eligible", "")},
    ("packaging", "changed-mind"): {True: ("eligible", ""), False: ("ineligible", "packaging")},
    ("photos", "damaged"): {True: ("eligible", ""), False: ("review", "")},
}
DEFAULTS = {"custom": False, "sale": False, "packaging": True, "photos": False}
CHECK_FLAG = {  # the check option for the non-default value of each field
    "custom": "--custom",
    "sale": "--sale",
    "packaging": "--no-packaging",
    "photos": "--photos",
}


def batch(capsys, tmp_path, lines: list[str], *options: str) -> tuple[int, list[dict[str, str]]]:
    path = tmp_path / "claims.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run_main(
        ["batch", str(path), "--format", "csv", "--today", TODAY, *options], capsys
    )
    return code, list(csv.DictReader(io.StringIO(out, newline="")))


def row(
    claim_id: str,
    day: int,
    reason: str = "changed-mind",
    *,
    custom: str = "",
    sale: str = "",
    packaging: str = "",
    photos: str = "",
    price: str = "50",
) -> str:
    requested = (DELIVERED + timedelta(days=day)).isoformat()
    cells = [claim_id, DELIVERED.isoformat(), requested, reason, "necklace"]
    cells += [custom, sale, packaging, photos, price]
    return ",".join(f'"{cell}"' for cell in cells)


def check(capsys, *options: str) -> dict[str, object]:
    code, out, err = run_main(
        [
            *("check", "--delivered", DELIVERED.isoformat(), "--category", "necklace"),
            *("--price", "50", "--today", TODAY, "--json", *options),
        ],
        capsys,
    )
    assert code in (0, 1, 3), err
    result = json.loads(out)
    assert isinstance(result, dict)
    return result


def check_outcome(capsys, *options: str) -> tuple[str, str]:
    result = check(capsys, *options)
    rules = result["rules"]
    assert isinstance(rules, list)
    failed = ";".join(rule["id"] for rule in rules if rule["outcome"] == "fail")
    return str(result["decision"]), failed


@pytest.mark.parametrize(("field", "reason"), list(FLAG_OUTCOMES))
def test_every_yes_no_spelling_has_its_decision(capsys, tmp_path, field, reason):
    outcomes = FLAG_OUTCOMES[(field, reason)]
    spelled = [(text, True) for text in TRUE] + [(text, False) for text in FALSE]
    spelled += [(text, DEFAULTS[field]) for text in EMPTY]
    lines = [HEADER] + [
        row(f"r{at}", 5, reason, **{field: text}) for at, (text, _) in enumerate(spelled)
    ]
    _, rows = batch(capsys, tmp_path, lines)
    assert len(rows) == len(spelled)
    for (text, meaning), got in zip(spelled, rows, strict=True):
        assert (got["decision"], got["failed_rules"], got["error"]) == (*outcomes[meaning], ""), (
            f"{field}={text!r} should read as {meaning}"
        )
    # the same outcomes in check's terms: the flag given, and not given
    base = ("--reason", reason, "--requested", (DELIVERED + timedelta(days=5)).isoformat())
    flag = CHECK_FLAG[field]
    assert check_outcome(capsys, *base, flag) == outcomes[not DEFAULTS[field]]
    assert check_outcome(capsys, *base) == outcomes[DEFAULTS[field]]


@pytest.mark.parametrize("field", list(DEFAULTS))
def test_a_bad_yes_no_cell_is_an_error_row(capsys, tmp_path, field):
    reason = "damaged" if field == "photos" else "changed-mind"
    lines = [HEADER, row("ok", 5, reason)]
    lines += [row(f"bad{at}", 5, reason, **{field: text}) for at, text in enumerate(BAD)]
    code, rows = batch(capsys, tmp_path, lines)
    assert code == 1
    assert rows[0]["error"] == ""
    for text, got in zip(BAD, rows[1:], strict=True):
        assert got["decision"] == ""
        assert got["error"] == (
            f"{field}: not a yes/no value; use yes/no, y/n, true/false or 1/0 (got '{text}')"
        )


# Days from delivery -> (decision, failed rules) for a change of mind and for damage with
# photos, under the bundled policy (30-day return window, 7 days to report damage, review to 30).
BOUNDARIES = {
    "changed-mind": {
        0: ("eligible", ""),
        7: ("eligible", ""),
        8: ("eligible", ""),
        30: ("eligible", ""),
        31: ("ineligible", "return-window"),
    },
    "damaged": {
        0: ("eligible", ""),
        7: ("eligible", ""),
        8: ("review", ""),
        30: ("review", ""),
        31: ("ineligible", "damage-window"),
    },
}


@pytest.mark.parametrize("reason", list(BOUNDARIES))
def test_window_boundaries_in_batch_as_in_check(capsys, tmp_path, reason):
    days = [-1, 0, 7, 8, 30, 31]
    lines = [HEADER] + [row(f"d{day}", day, reason, photos="yes") for day in days]
    _, rows = batch(capsys, tmp_path, lines)
    before = rows[0]
    assert before["decision"] == ""
    assert before["error"] == (
        f"requested: is before the delivered date {DELIVERED.isoformat()} (got '2026-01-09')"
    )
    for day, got in zip(days[1:], rows[1:], strict=True):
        expected = BOUNDARIES[reason][day]
        assert (got["decision"], got["failed_rules"], got["error"]) == (*expected, ""), day
        requested = (DELIVERED + timedelta(days=day)).isoformat()
        in_check = check_outcome(capsys, "--reason", reason, "--photos", "--requested", requested)
        assert in_check == expected, day
    code, out, err = run_main(
        [
            *("check", "--delivered", DELIVERED.isoformat(), "--requested", "2026-01-09"),
            *("--reason", reason, "--today", TODAY),
        ],
        capsys,
    )
    assert (code, out) == (2, "")
    assert err == f"Error: --{before['error']}\n"  # check names the option


def test_repeated_unknown_columns_are_numbered_and_kept(capsys, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text(
        "claim_id,note,delivered,note,Note,note,note_2\nN-1,a,2026-01-10,b,c,d,e\n",
        encoding="utf-8",
    )
    # in a child process with a timeout: a naming loop that never ends must fail, not hang
    done = subprocess.run(
        [sys.executable, "-m", "migems_cli", "batch", str(path), "--json", "--today", TODAY],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["input"] == {
        "claim_id": "N-1",
        "note": "a",
        "delivered": "2026-01-10",
        "note_2": "b",
        "Note": "c",
        "note_3": "d",
        "note_2_2": "e",
    }
    assert list(record["input"])[-3:] == ["Note", "note_3", "note_2_2"]  # in header order
