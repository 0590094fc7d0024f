"""Attacks on `batch --reply`: ticket cells that look empty."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.mark.parametrize("cell", ["", "  ", "\u200b", " \ufeff "])
def test_a_blank_agent_cell_takes_the_agent_option(run, tmp_path: Path, cell: str) -> None:
    """An agent cell of spaces (or of invisible characters) was taken as the row's agent,
    found missing, and the row failed with 'needs the column agent (or --agent)' although
    --agent was given; an empty cell already took --agent."""
    path = tmp_path / "in.csv"
    path.write_text(
        f"order_id,customer,agent,delivered,category,price\nA1,Ada,{cell},2026-11-20,rings,120\n",
        encoding="utf-8",
    )
    code, out, err = run("batch", str(path), "--reply", "--agent", "Sam", "--format", "jsonl")
    record = json.loads(out.splitlines()[0])
    assert record["error"] is None, record["error"]
    assert record["reply_body"].endswith("Sam\nMIGEMS Customer Service")
    assert code == 0, err
