"""The project's error family: each error carries the exit code the CLI maps it to."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Every exit status migems uses (SPEC "Exit codes"); httpie's `ExitStatus` is the model."""

    OK = 0  # success; for check: eligible
    INELIGIBLE = 1  # check: ineligible
    ROW_ERRORS = 1  # batch: one or more rows could not be evaluated (they are still written)
    BAD_INPUT = 2  # bad usage or input, invalid policy, output that cannot be written
    REVIEW = 3  # check: needs review by a person
    INTERRUPTED = 130  # Ctrl-C (SIGINT): for_signal(2); other signals exit 128 + their number

    @classmethod
    def for_signal(cls, signum: int) -> int:
        """The shell's convention for a process ended by signal `signum`: 128 + its number."""
        return _SIGNALLED + signum


_SIGNALLED = 128


class MigemsError(Exception):
    """Base of every error a user can cause; caught once at the CLI's edge."""

    exit_code: int = ExitCode.BAD_INPUT


class InputError(MigemsError):
    """A value typed or fed in (an option, a CSV cell) that cannot be used."""

    def __init__(self, field: str, value: object, message: str) -> None:
        self.field = field
        self.value = value
        self.message = message
        super().__init__(f"{field}: {message} (got {value!r})")


class PolicyError(MigemsError):
    """A policy file that cannot be read or is invalid; `problems` holds one line per error."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        first = problems[0] if problems else "invalid policy"
        more = (
            f" (and {len(problems) - 1} more; run 'migems policy check')"
            if len(problems) > 1
            else ""
        )
        super().__init__(f"invalid policy: {first}{more}")
