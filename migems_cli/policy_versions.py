"""A directory of policy versions: every `*.toml` in it, each with its own `effective_from`.

A claim is judged under the version in force on its order date, else on its delivery date
(`PolicySet.choose`); the commands that judge no claim use the version in force today. Each file
is validated as a policy (its errors as `file:line: key: message`), then the set: every file
names its `effective_from`, and no two name the same day. A version that starts after today is
allowed (a store writes next season's policy ahead), and `policy check` warns about it.

Only `--policy DIR` (or `MIGEMS_POLICY=DIR`) imports this module.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import NamedTuple

from migems_cli.errors import InputError, PolicyError
from migems_cli.policy import Policy, display_path

# How the version answering a claim was chosen, as the JSON "policy" object's `chosen_by` says.
BY_ORDERED, BY_DELIVERED, BY_TODAY = "ordered", "delivered", "today"
MAX_VERSIONS = 100  # files in a policy directory: each is read and validated on every run


class PolicySet(NamedTuple):
    """The valid versions of a policy directory, oldest first."""

    source: str  # the directory, as errors name it
    versions: tuple[Policy, ...]  # by effective_from, each one set

    def at(self, day: date) -> Policy | None:
        """The version in force on `day`: the latest whose effective_from is not after it."""
        found: Policy | None = None
        for policy in self.versions:
            start = policy.identity.effective_from
            if start is not None and start <= day:
                found = policy
        return found

    def choose(self, ordered: date | None, delivered: date | None) -> tuple[Policy, str]:
        """The version a claim is judged under, and which date chose it ("ordered" or
        "delivered"). Raises `InputError` naming that date when no version was in force then."""
        day, chosen_by = (ordered, BY_ORDERED) if ordered is not None else (delivered, BY_DELIVERED)
        if day is None:
            raise ValueError("choosing a policy version needs an order or a delivery date")
        policy = self.at(day)
        if policy is None:
            first = self.versions[0].identity
            start = first.effective_from.isoformat() if first.effective_from else "?"
            raise InputError(
                chosen_by,
                day.isoformat(),
                f"is before every policy version in {self.source}: the earliest, version "
                f"{first.version!r}, is in force from {start}",
            )
        return policy, chosen_by

    def today(self, today: date) -> Policy:
        """The version in force `today`, else (every version starts later) the earliest."""
        return self.at(today) or self.versions[0]


def policy_files(folder: Path) -> list[Path]:
    """The `*.toml` files of `folder`, by name. Raises `PolicyError` when it cannot be listed,
    holds none, or holds more than `MAX_VERSIONS`."""
    source = display_path(folder)
    try:
        names = sorted(name for name in os.listdir(folder) if name.endswith(".toml"))
    except OSError as exc:
        raise PolicyError(source, [f"{source}: cannot read: {exc.strerror or exc}"]) from None
    if not names:
        raise PolicyError(source, [f"{source}: no policy files (*.toml) in this directory"])
    if len(names) > MAX_VERSIONS:
        message = f"{len(names)} policy files; a policy directory holds at most {MAX_VERSIONS}"
        raise PolicyError(source, [f"{source}: {message}"])
    return [folder / name for name in names]


def load_versions(folder: Path) -> PolicySet:
    """Every version in `folder`, validated, then the set. Raises `PolicyError` listing every
    error of every file and of the set."""
    from migems_cli.policy_load import load_policy

    errors: list[str] = []
    loaded: list[Policy] = []
    for path in policy_files(folder):
        try:
            loaded.append(load_policy(path, remember=False))
        except PolicyError as exc:
            errors.extend(exc.problems)
    errors.extend(set_errors(loaded))
    source = display_path(folder)
    if errors:
        raise PolicyError(source, errors)
    versions = sorted(loaded, key=lambda policy: policy.identity.effective_from or date.min)
    return PolicySet(source, tuple(versions))


def set_errors(versions: list[Policy]) -> list[str]:
    """What makes valid files an invalid set: a version without effective_from, two versions
    in force from the same day."""
    errors: list[str] = []
    first: dict[date, Policy] = {}
    for policy in versions:
        start = policy.identity.effective_from
        if start is None:
            errors.append(
                f"{policy.source}:1: effective_from: missing key (every file of a policy "
                "directory says from which day it applies)"
            )
        elif start in first:
            errors.append(
                f"{policy.source}:{_line(policy)}: effective_from: {start.isoformat()} is also "
                f"the effective_from of {first[start].source}; each version needs its own day"
            )
        else:
            first[start] = policy
    return errors


def future_warnings(versions: PolicySet, today: date) -> list[tuple[str, str]]:
    """(file, warning) for each version that is not in force yet on `today`."""
    return [
        (
            policy.source,
            f"effective_from {start.isoformat()} is after today ({today.isoformat()}): version "
            f"{policy.identity.version!r} answers no claim ordered or delivered before then",
        )
        for policy in versions.versions
        if (start := policy.identity.effective_from) is not None and start > today
    ]


def check_directory(folder: Path, today: str | None) -> tuple[list[str], list[str], list[Policy]]:
    """`policy check DIR`: every error of every file and of the set, every warning as
    `file: warning: message`, and the valid versions (oldest first)."""
    from migems_cli.business_days import business_calendar
    from migems_cli.dates import resolve_today
    from migems_cli.policy_load import load_policy
    from migems_cli.policy_warnings import check_time_zone, policy_warnings

    errors: list[str] = []
    warnings: list[str] = []
    loaded: list[Policy] = []
    try:
        paths = policy_files(folder)
    except PolicyError as exc:
        return exc.problems, [], []
    for path in paths:
        try:
            policy = load_policy(path, remember=False, replies=True)  # the reply templates too
            check_time_zone(policy)
            business_calendar(policy, policy.source)
        except PolicyError as exc:
            errors.extend(exc.problems)
            continue
        loaded.append(policy)
        warnings.extend(f"{policy.source}: warning: {line}" for line in policy_warnings(policy))
    errors.extend(set_errors(loaded))
    versions = sorted(loaded, key=lambda policy: policy.identity.effective_from or date.min)
    if versions:
        import os

        zone = versions[-1].store.time_zone
        day = resolve_today(today, os.environ.get("MIGEMS_TODAY"), zone)
        found = future_warnings(PolicySet(display_path(folder), tuple(versions)), day)
        warnings.extend(f"{source}: warning: {line}" for source, line in found)
    return errors, warnings, versions


def _line(policy: Policy) -> int:
    """The line of `effective_from` in the policy's file (1 when it cannot be read again)."""
    from migems_cli.policy_lines import key_lines, line_of

    try:
        text = Path(policy.source).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeError, ValueError):
        return 1
    return line_of(key_lines(text), "effective_from")
