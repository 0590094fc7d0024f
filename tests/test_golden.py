"""Golden JSON: each command's --json output, compared byte for byte with tests/golden/.

A change to any key, value, order or indentation shows up here as a diff. After a deliberate
change, regenerate with `.venv/bin/pytest tests/test_golden.py --update-golden` and review the
diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migems_cli.errors import ExitCode

GOLDEN = Path(__file__).parent / "golden"
TODAY = ("--today", "2026-11-26")

CASES = {
    "check_eligible.json": (
        ["check", "--delivered", "2026-11-20", "--category", "rings", "--price", "120"],
        ExitCode.OK,
    ),
    "check_ineligible.json": (
        ["check", "--delivered", "2026-11-03", "--category", "earrings", "--price", "45"],
        ExitCode.INELIGIBLE,
    ),
    "check_review.json": (
        ["check", "--delivered", "2026-11-10", "--reason", "damaged", "--photos"],
        ExitCode.REVIEW,
    ),
    "deadlines.json": (
        ["deadlines", "--ordered", "2026-11-20", "--delivered", "2026-11-20", "--country", "US"],
        ExitCode.OK,
    ),
    "refund_pending.json": (["refund", "--received", "2026-11-24", "--price", "120"], ExitCode.OK),
    "refund_due.json": (["refund", "--received", "2026-11-13", "--price", "120"], ExitCode.OK),
    "refund_overdue.json": (["refund", "--received", "2026-11-01", "--price", "120"], ExitCode.OK),
    "status.json": (["status", "--ordered", "2026-11-20"], ExitCode.OK),
    "status_partial_ca.json": (["status", "partial", "--country", "CA"], ExitCode.OK),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_output_is_golden(run, golden, name):
    args, code = CASES[name]
    result = run(*args, *TODAY, "--json")
    assert (result.code, result.err) == (code, "")
    golden(name, result.out)


def test_each_refund_golden_file_is_in_its_state():
    for state in ("pending", "due", "overdue"):
        document = json.loads((GOLDEN / f"refund_{state}.json").read_text(encoding="utf-8"))
        assert document["state"] == state


def test_each_check_golden_file_has_its_decision():
    for decision in ("eligible", "ineligible", "review"):
        document = json.loads((GOLDEN / f"check_{decision}.json").read_text(encoding="utf-8"))
        assert document["decision"] == decision


def test_batch_jsonl_is_golden_with_every_decision_and_an_error_row(run, golden):
    source = GOLDEN / "batch_every_decision.csv"
    result = run("batch", str(source), "--format", "jsonl", *TODAY)
    assert result.code == ExitCode.ROW_ERRORS
    golden("batch_every_decision.jsonl", result.out)
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert [row["decision"] for row in rows] == ["eligible", "ineligible", "review", None]
    assert rows[-1]["error"]
