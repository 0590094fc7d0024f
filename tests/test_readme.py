"""The README's command tour is real output (regenerate with tools/readme_tour.py --update)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import readme_tour  # noqa: E402


def test_readme_tour_matches_real_output() -> None:
    current = readme_tour.README.read_text(encoding="utf-8")
    assert readme_tour.BLOCK.search(current), "the README has no console blocks"
    assert readme_tour.render(current) == current, "run: python tools/readme_tour.py --update"
