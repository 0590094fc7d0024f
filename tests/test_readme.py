"""The README's command tour is real output (regenerate with tools/readme_tour.py --update)."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import readme_tour  # noqa: E402


def test_readme_tour_matches_real_output(monkeypatch: pytest.MonkeyPatch) -> None:
    current = readme_tour.README.read_text(encoding="utf-8")
    blocks = readme_tour.BLOCK.findall(current)
    assert blocks, "the README has no console blocks"
    # Each command is still a real process, as the tour runs it; they run side by side (none
    # writes a file) and render() then reads their outputs.
    commands = sorted(
        {line[2:].strip() for block in blocks for line in block.splitlines() if line[:2] == "$ "}
    )
    with ThreadPoolExecutor(max_workers=4) as pool:
        outputs = dict(zip(commands, pool.map(readme_tour._run, commands), strict=True))
    monkeypatch.setattr(readme_tour, "_run", outputs.__getitem__)
    assert readme_tour.render(current) == current, "run: python tools/readme_tour.py --update"
