"""Batch rows judged under more than one policy, or by their order date (issue 14).

`Router` stands where `batch.Evaluator` stands (`evaluate_chunk`, `layout`) when a run needs
what the fast path does not know: a directory of policy versions (each row under the version
in force on its order date, else its delivery date), an `ordered` column (checked, and choosing
any season), or a policy that rolls deadlines to business days. Each row is sent to the
`Evaluator` of its version, which keeps its own caches (a cached decision is never shared
between versions); rows whose deadlines a season or a business day moves, which the fast path's
day classes cannot express, go through that evaluator's reference path (`parse_claim` and
`judge`, exactly as `check`). A run with one policy file, no `ordered` column and no rolling
never comes here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from migems_cli.batch import (
    _NO_RESULT,
    _SLOW,
    Delivered,
    Evaluated,
    Evaluator,
    Layout,
    Result,
    _put,
)
from migems_cli.claims import parse_delivered, parse_ordered
from migems_cli.errors import InputError
from migems_cli.policy import Policy
from migems_cli.records import Grid

if TYPE_CHECKING:
    from migems_cli.policy_versions import PolicySet

_NO_DATES = Delivered(0, "", "")


def needs_router(policies: Sequence[Policy], layout: Layout) -> bool:
    """Whether a run over `layout` with these versions needs a `Router` (see the module)."""
    return (
        len(policies) > 1
        or "ordered" in layout.index
        or any(policy.extend_to_business_day for policy in policies)
    )


class Router:
    """Evaluates chunks of rows, each row under its own policy version (see the module)."""

    def __init__(
        self,
        policy: Policy,
        versions: PolicySet | None,
        today: date,
        dayfirst: bool,
        layout: Layout,
    ) -> None:
        self.layout = layout
        self.today = today
        self.dayfirst = dayfirst
        self._versions = versions
        policies = versions.versions if versions is not None else (policy,)
        self._evaluators = [Evaluator(each, today, dayfirst, layout) for each in policies]
        self._index = {id(each): at for at, each in enumerate(policies)}
        self._delivered_at = layout.index["delivered"]
        self._ordered_at = layout.index.get("ordered")
        # (delivered cell, ordered cell) -> (evaluator index, by reference path) or an error
        self._routes: dict[tuple[str, str], tuple[int, bool] | str] = {}

    def evaluate_chunk(self, rows: Grid) -> Evaluated:
        """The results of each row, in order; never raises for bad cells."""
        count = len(rows)
        delivered_cells = rows.column(self._delivered_at)
        ordered_cells = [""] * count if self._ordered_at is None else rows.column(self._ordered_at)
        groups: dict[int, list[int]] = {}
        own: dict[int, Result] = {}  # rows settled here: errors, and the reference path
        routes = self._routes
        for at, key in enumerate(zip(delivered_cells, ordered_cells, strict=True)):
            route = routes.get(key)
            if route is None:
                route = self._route(key)
            if isinstance(route, str):
                own[at] = self._error(route, rows.row(at))
            elif route[1]:
                own[at] = self._evaluators[route[0]].slow(rows.row(at))
            else:
                groups.setdefault(route[0], []).append(at)
        if not own and len(groups) == 1:  # every row under one version, on the fast path
            return self._evaluators[next(iter(groups))].evaluate_chunk(rows)
        decided: list[Any] = [_SLOW] * count
        amounts: list[str] = [""] * count
        delivered: list[Delivered] = [_NO_DATES] * count
        for index, where in groups.items():
            part = self._evaluators[index].evaluate_chunk(rows.take(where))
            for j, at in enumerate(where):
                decided[at] = part.decided[j]
                amounts[at] = part.amounts[j]
                delivered[at] = part.delivered[j]
            for j, cells in part.slow.items():
                own[where[j]] = cells
        # in row order, as the summary lists the lines of errors
        return Evaluated(decided, amounts, delivered, dict(sorted(own.items())))

    def policy_of(self, row: list[str]) -> Policy:
        """The version the row (an evaluated one) was judged under, as `evaluate_chunk` chose it."""
        key = (row[self._delivered_at], "" if self._ordered_at is None else row[self._ordered_at])
        route = self._routes.get(key) or self._route(key)
        return self._evaluators[route[0] if not isinstance(route, str) else -1].policy

    def _route(self, key: tuple[str, str]) -> tuple[int, bool] | str:
        """Where rows with these delivered and ordered cells go: (evaluator, by the reference
        path), or the error of a bad ordered cell or of a date no version was in force on. A
        bad delivered cell goes to the reference path, which names every bad cell."""
        route: tuple[int, bool] | str
        try:
            day = parse_delivered(key[0], self.today, self.dayfirst)
        except InputError:
            try:
                parse_ordered(key[1], None, self.today, self.dayfirst)
                route = (len(self._evaluators) - 1, True)
            except InputError as exc:
                route = str(exc)
        else:
            try:
                ordered = parse_ordered(key[1], day, self.today, self.dayfirst)
                policy = (
                    self._versions.choose(ordered, day)[0]
                    if self._versions is not None
                    else self._evaluators[0].policy
                )
            except InputError as exc:
                route = str(exc)
            else:
                special = policy.extend_to_business_day or (
                    ordered is not None and any(s.covers(ordered) for s in policy.seasons)
                )
                route = (self._index[id(policy)], special)
        _put(self._routes, key, route)
        return route

    def _error(self, message: str, row: list[str]) -> Result:
        """A row whose order date is wrong or chooses no version: that error, then every other
        bad cell of the row (as the newest version reads them)."""
        evaluator = self._evaluators[-1]
        values = {name: row[at] for name, at in evaluator._fields}
        others = evaluator.every_error(values)
        return _NO_RESULT._replace(error=f"{message}; {others}" if others else message)
