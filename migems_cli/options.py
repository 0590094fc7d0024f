"""The options every command shares, and the context they resolve to."""

from __future__ import annotations

import os
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import typer

# Typer's vendored click (typer._click; Typer does not re-export its types): the only way to give
# an argument a type whose help shows no `<str>`.
from typer._click.types import StringParamType

if TYPE_CHECKING:
    from typer._click.core import Context, Parameter  # no public alias: see StringParamType

    from migems_cli.business_days import BusinessCalendar
    from migems_cli.policy import Policy
    from migems_cli.policy_versions import PolicySet


class _Plain(StringParamType):
    """Text whose help shows the argument's metavar alone (FILE), not `FILE <str>` (Typer)."""

    def get_metavar(self, param: Parameter, ctx: Context) -> str:
        return ""


PLAIN_TEXT = _Plain()

PolicyOption = Annotated[
    str | None,  # not click's Path: the loader checks the file itself (and says why, one line)
    typer.Option(
        "--policy",
        help="Policy file to use, or a directory of policy versions: each claim is judged under "
        "the version in force on its order date, else its delivery date (env MIGEMS_POLICY).",
        show_default="the bundled policy.toml",
        metavar="PATH",
        click_type=PLAIN_TEXT,
    ),
]
TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today",
        help="Treat this date as today (env MIGEMS_TODAY).",
        metavar="DATE",
        show_default="today in the store's time zone",
    ),
]
JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON document on stdout instead of tables."),
]
DayfirstOption = Annotated[
    bool,
    typer.Option("--dayfirst", help="Read slashed dates as DD/MM/YYYY instead of MM/DD/YYYY."),
]
PriceOption = Annotated[
    str | None,
    typer.Option(
        help="Price paid for the item, like 120.00.", metavar="AMOUNT", show_default=False
    ),
]
ShippingOption = Annotated[
    str | None,
    typer.Option(
        help="Shipping the customer paid (never refunded).", metavar="AMOUNT", show_default=False
    ),
]


class Common:
    """What every command needs: the loaded policy, today's date, the business calendar, and
    how to print.

    A `--today`/`MIGEMS_TODAY` value is checked at once; the clock (and zoneinfo) is read only
    when a command asks for `today`, and the holidays library only when it asks for `calendar`.
    """

    def __init__(self, policy: Policy, today: str | None, json: bool, dayfirst: bool) -> None:
        self.policy = policy
        # --policy DIR: its versions, and how `policy` was chosen among them (the JSON "policy"
        # object's chosen_by); None for a single policy file
        self.versions: PolicySet | None = None
        self.chosen_by: str | None = None
        self.json = json
        self.dayfirst = dayfirst
        self._option = today
        self._env = os.environ.get("MIGEMS_TODAY")
        self._fixed: date | None = None
        if today or self._env:
            from migems_cli.dates import fixed_today

            self._fixed = fixed_today(today, self._env, dayfirst)

    @property
    def today_from(self) -> str:
        """Where `today` comes from, as an error names it."""
        if self._option:
            return "--today"
        if self._env:
            return "MIGEMS_TODAY"
        return f"the clock in {self.policy.store.time_zone}"

    @cached_property
    def today(self) -> date:
        if self._fixed is not None:
            return self._fixed
        from migems_cli.dates import resolve_today
        from migems_cli.policy_warnings import check_time_zone

        check_time_zone(self.policy)
        return resolve_today(self._option, self._env, self.policy.store.time_zone, self.dayfirst)

    @cached_property
    def calendar(self) -> BusinessCalendar:
        """The policy's business days (its holiday country less its closures), built once."""
        from migems_cli.business_days import business_calendar

        return business_calendar(self.policy)

    def choose(self, ordered: date | None, delivered: date | None) -> Policy:
        """The policy a claim ordered and delivered on these days is judged under, made
        `self.policy`: with a directory of versions, the version in force on the order date,
        else the delivery date (InputError when none was); else the one policy file."""
        if self.versions is not None:
            self.policy, self.chosen_by = self.versions.choose(ordered, delivered)
            self.__dict__.pop("calendar", None)  # the chosen version's closures
        return self.policy


def common(policy: str | None, today: str | None, json: bool, dayfirst: bool) -> Common:
    """Load the policy (a file, or a directory of versions: then the one in force today until
    a command chooses by a claim's dates) and check `--today`; raises `PolicyError` or
    `InputError`."""
    from migems_cli.policy import is_directory, resolve_policy_path

    path = resolve_policy_path(policy)
    if is_directory(path):
        from migems_cli.policy_versions import BY_TODAY, load_versions

        versions = load_versions(path)
        env = Common(versions.versions[-1], today, json, dayfirst)
        env.policy = versions.today(env.today)  # today in the newest version's time zone
        env.versions, env.chosen_by = versions, BY_TODAY
        return env
    from migems_cli.policy_load import load_policy

    return Common(load_policy(path), today, json, dayfirst)


# Per-ticket options (issues 12 and 13): which order and claim an answer is about, for whom, and
# who answers. Defined once here; each command that takes them adds the parameter.
OrderOption = Annotated[
    str | None,
    typer.Option("--order", help="The order number.", metavar="NUMBER", show_default=False),
]
ClaimIdOption = Annotated[
    str | None,
    typer.Option("--claim-id", help="The claim's id.", metavar="ID", show_default=False),
]
CustomerOption = Annotated[
    str | None,
    typer.Option(
        "--customer", help="The customer's name, for a reply.", metavar="NAME", show_default=False
    ),
]
AgentOption = Annotated[
    str | None,
    typer.Option(
        "--agent",
        help="Your name, as the reply is signed and the journal records it (env MIGEMS_AGENT).",
        metavar="NAME",
        envvar="MIGEMS_AGENT",
        show_envvar=False,
        show_default=False,
    ),
]
ReplyOption = Annotated[
    bool,
    typer.Option(
        "--reply",
        help="Print only a reply to the customer, plain text ready to paste into an e-mail, "
        "from the policy's templates (with --json: the JSON gains a reply). Needs --customer, "
        "--agent and usually --order; a reply that would miss a value is refused (exit 2).",
    ),
]
# The decision journal (issue 13): where it is, and whether to record in it.
JournalOption = Annotated[
    str | None,
    typer.Option(
        "--journal",
        help="Journal to record in and read from: a file (SQLite) or a postgresql:// URL "
        "(env MIGEMS_JOURNAL).",
        metavar="TARGET",
        show_default="$XDG_DATA_HOME/migems/journal.sqlite3",
        click_type=PLAIN_TEXT,
    ),
]
RecordOption = Annotated[
    bool,
    typer.Option("--record", help="Append the decision to the journal (see --journal)."),
]
