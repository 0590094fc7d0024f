"""Rich consoles for human output: stdout for data, stderr for everything else."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def stdout_console() -> Console:
    """Colour only on a terminal and never with NO_COLOR (rich honours both)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, emoji=False)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False)


DECISION_STYLE = {"eligible": "bold green", "ineligible": "bold red", "review": "bold yellow"}
OUTCOME_STYLE = {"pass": "green", "fail": "red", "review": "yellow"}
