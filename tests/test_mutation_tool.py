"""tools/mutate.py's list of equivalent mutants names mutants the code has, and --renumber
follows its entries when a module changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import mutate  # noqa: E402


def test_every_equivalent_entry_names_a_current_mutant() -> None:
    assert len(mutate.list_entries(mutate.EQUIVALENT.read_text(encoding="utf-8"))) > 50
    stale = mutate.stale_entries(mutate.EQUIVALENT, ROOT)
    assert not stale, (
        "these entries of tools/mutants_equivalent.txt name no mutant of the code now: run "
        "python tools/mutate.py --renumber, and fix by hand what it prints\n" + "\n".join(stale)
    )


TOY = """\
def f(x: int) -> bool:
    y = x + 1
    z = x * 2
    return y > z
PAIR = (1, 1)
"""

# A line above, `z = ...` deleted, PAIR indented under an `if`.
TOY_NOW = """\
# a comment above moves everything


def f(x: int) -> bool:
    y = x + 1
    return y > 3
if True:
    PAIR = (1, 1)
"""

ENTRIES = """\
# header comment

toy:2:x + 1 -> x - 1  # moves
toy:3:2 -> 3  # its line is deleted
toy:5:1 -> 2 @11  # the second 1, re-indented
"""


def _git(repo: Path, *args: str) -> None:
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    env |= {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t.invalid"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t.invalid"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


def _repo(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "migems_cli").mkdir()
    (tmp_path / "tools").mkdir()
    module = tmp_path / "migems_cli" / "toy.py"
    listing = tmp_path / "tools" / "equivalent.txt"
    module.write_text(TOY)
    listing.write_text(ENTRIES)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "toy and its list")
    return module, listing


def _renumber(repo: Path, listing: Path) -> int:
    return mutate.main(["--renumber", "--root", str(repo), "--equivalent", str(listing)])


def test_renumber_follows_moved_lines_and_reports_deleted_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module, listing = _repo(tmp_path)
    module.write_text(TOY_NOW)  # the module changes after the list was written
    listing.write_text(ENTRIES + "toy:6:y > 3 -> y >= 3  # written now: stays\n")

    assert _renumber(tmp_path, listing) == 1
    assert listing.read_text() == (
        "# header comment\n\n"
        "toy:5:x + 1 -> x - 1  # moves\n"
        "toy:3:2 -> 3  # its line is deleted\n"  # not guessed: kept, and printed
        "toy:8:1 -> 2 @15  # the second 1, re-indented\n"
        "toy:6:y > 3 -> y >= 3  # written now: stays\n"
    )
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 1
    assert printed[0].startswith("equivalent.txt:4: toy:3:2 -> 3: its line `z = x * 2` was")
    keys = {f"toy:{m.line}:{m.description}" for m in mutate.mutants_of(TOY_NOW)}
    assert "toy:5:x + 1 -> x - 1" in keys
    assert "toy:8:1 -> 2 @15" in keys

    listing.write_text(listing.read_text().replace("toy:3:2 -> 3  # its line is deleted\n", ""))
    assert _renumber(tmp_path, listing) == 0  # a second run changes nothing


def test_stale_entries_names_an_entry_whose_line_moved(tmp_path: Path) -> None:
    module, listing = _repo(tmp_path)
    assert mutate.stale_entries(listing, tmp_path) == []
    module.write_text("\n" + TOY)
    assert mutate.stale_entries(listing, tmp_path) == [
        "equivalent.txt:3: toy:2:x + 1 -> x - 1",
        "equivalent.txt:4: toy:3:2 -> 3",
        "equivalent.txt:5: toy:5:1 -> 2 @11",
    ]


def test_map_line_takes_unique_moved_lines_and_guesses_no_copy() -> None:
    old = ["def f():", "    return 1", "def g():", "    return 2"]
    new = ["def g():", "    return 2", "", "def f():", "    return 1"]  # f moved below g
    assert [mutate.map_line(old, new, n)[0] for n in (1, 2, 3, 4)] == [4, 5, 1, 2]
    # the first of two `pass` lines went: which `pass` is left is not guessed
    line, why = mutate.map_line(["a", "pass", "b", "pass", "c"], ["a", "b", "pass", "c"], 2)
    assert line is None
    assert "which one is unclear" in why
