"""Rich consoles for human output: stdout for data, stderr for everything else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from migems_cli.render.safe import visible
from migems_cli.stdout_guard import Passthrough

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

# (value, note) pairs: placeholder values of the policy that human output marks where it shows
# them; set by `migems_cli.render.emit.emit` around a renderer.
PLACEHOLDERS: ContextVar[tuple[tuple[str, str], ...]] = ContextVar("placeholders", default=())


def plain(text: str, style: str = "") -> Text:
    """Text from a file as rich `Text`: never markup, control characters visible, placeholders
    marked. Every renderer builds file text (policy texts, CSV cells, paths) with this."""
    from rich.text import Text

    shown = visible(text, newlines=True)
    for value, note in PLACEHOLDERS.get():
        if value:
            shown = shown.replace(value, f"{value} ({note})")
    return Text(shown, style=style)


# The spaces before a line end (and the colour codes after them). A match starts only at a run's
# first space: tried at every space, the pattern went over each run of column padding again from
# each of its spaces (1.6 ms of the 7 ms it takes to draw `check`'s panel, 0.1 ms this way).
_TRAILING = re.compile(r"(?<! ) +((?:\x1b\[[0-9;]*m)*)(?=\n)")


class TrimmedLines(Passthrough):
    """A file-like wrapper that drops the spaces rich pads each line with before its line end.

    Piped output then has no trailing spaces (a terminal shows none either way). Colour codes
    after the padding stay. Only whole lines are trimmed: rich writes whole lines.
    """

    def write(self, text: str) -> int:
        self.file.write(_TRAILING.sub(r"\1", text))
        return len(text)


@contextmanager
def trimmed(console: Console) -> Iterator[Console]:
    """`console` writing through `TrimmedLines` for the block (a console of the caller's)."""
    file = console.file
    if isinstance(file, TrimmedLines):
        yield console
        return
    console.file = TrimmedLines(file)  # type: ignore[assignment]
    try:
        yield console
    finally:
        console.file = file


def stdout_console() -> Console:
    """Colour only on a terminal and never with NO_COLOR (rich honours both); no line is padded."""
    import sys

    from rich.console import Console

    return Console(
        highlight=False,
        soft_wrap=False,
        emoji=False,
        markup=False,
        file=TrimmedLines(sys.stdout),  # type: ignore[arg-type]
    )


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False, markup=False)


DECISION_STYLE = {"eligible": "bold green", "ineligible": "bold red", "review": "bold yellow"}
OUTCOME_STYLE = {"pass": "green", "fail": "red", "review": "yellow"}
