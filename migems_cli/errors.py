"""The project's error family: each error carries the exit code the CLI maps it to."""

from __future__ import annotations


class MigemsError(Exception):
    """Base of every error a user can cause; caught once at the CLI's edge."""

    exit_code = 2


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
