"""The journal's one error: a journal that cannot be opened, read or written."""

from __future__ import annotations

from migems_cli.errors import MigemsError


class JournalError(MigemsError):
    """A journal that cannot be used: printed as one line, exit 2 (when writing)."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"journal {where}: {problem}")
