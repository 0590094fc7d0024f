"""`migems batch --json`: golden JSON Lines covering every decision, every failed-rule shape and
error rows, so a wrong key, a lost `failed_rules` entry or a null where a value belongs shows.
A deliberate change of the output (a new key) means regenerating the file and reading its diff.

Regenerate after a deliberate change with `pytest --update-golden` (see tests/conftest.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from migems_cli.errors import ExitCode

FIXTURE = Path(__file__).parent / "fixtures" / "batch" / "decisions.csv"


def test_jsonl_golden_covers_every_decision_and_errors(run, golden):
    result = run("batch", str(FIXTURE), "--json", "--today", "2026-03-31")
    out, err = result.out, result.err
    golden("batch_decisions.jsonl", out)
    assert result.code == ExitCode.ROW_ERRORS
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
