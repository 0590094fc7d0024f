"""`migems batch --json`: golden JSON Lines covering every decision, every failed-rule shape and
error rows, so a wrong key, a lost `failed_rules` entry or a null where a value belongs shows.
A deliberate change of the output (a new key) means regenerating the file and reading its diff.

Regenerate after a deliberate change with:
    MIGEMS_UPDATE_GOLDEN=1 pytest tests/test_golden_jsonl.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.helpers import run_main

FIXTURE = Path(__file__).parent / "fixtures" / "batch" / "decisions.csv"
GOLDEN = Path(__file__).parent / "golden" / "batch_decisions.jsonl"


def test_jsonl_golden_covers_every_decision_and_errors(capsys):
    code, out, err = run_main(["batch", str(FIXTURE), "--json", "--today", "2026-03-31"], capsys)
    if os.environ.get("MIGEMS_UPDATE_GOLDEN"):
        GOLDEN.write_text(out, encoding="utf-8")
    assert out == GOLDEN.read_text(encoding="utf-8")
    assert code == 1
    assert err.startswith(
        "migems batch: 12 rows: 4 eligible, 3 ineligible, 3 review, 2 errors (lines 11, 12);"
    )
    records = [json.loads(line) for line in out.splitlines()]
    decisions = [record["decision"] for record in records]
    assert set(decisions) == {"eligible", "ineligible", "review", None}
    for record in records:  # the shape every consumer relies on
        assert isinstance(record["failed_rules"], list)
        if record["decision"] == "ineligible":
            assert record["failed_rules"], record["input"]["claim_id"]
            assert (record["refund_amount"], record["remedy"]) == (None, "none")
        if "review_rules" in record:  # the rules that sent a row to review, where batch has them
            assert bool(record["review_rules"]) == (record["decision"] == "review")
        if record["decision"] is None:
            assert record["error"]
            assert record["failed_rules"] == []
            assert record["return_by"] is None
        else:
            assert record["error"] is None
            assert record["return_by"] is not None
    assert records[-1]["extra"] == ["extra cell"]
    assert [record["line"] for record in records] == list(range(2, 14))
