"""The return rules: pure functions from a claim and the policy to a `Verdict`.

A claim's `Verdict` holds the decision, remedy, refund amount, payer, deadlines and one
`RuleOutcome` per rule that applied. `judge` decides it (what `batch` needs for a row that its
caches cannot settle); `explain` fills in what an agent reads (each rule's detail, the next
steps) for `check`. The rules themselves are evaluated once, in `assess`: it depends on no date,
only on where the request falls against the windows, so it is cached across millions of rows.
"""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from migems_cli.claims import Claim
from migems_cli.errors import InputError
from migems_cli.money import money_text
from migems_cli.policy import Category, Policy, Reason, Season
from migems_cli.texts import claim_context, day_text, fill

if TYPE_CHECKING:
    from migems_cli.business_days import BusinessCalendar

PASS, FAIL, REVIEW = "pass", "fail", "review"
ELIGIBLE, INELIGIBLE, NEEDS_REVIEW = "eligible", "ineligible", "review"


class RuleOutcome(NamedTuple):
    """One rule's outcome for a claim: PASS, FAIL or REVIEW.

    `text_key` names the rule's text in policy.toml that explains the outcome (pass, fail,
    review, exempt or exempt_unknown); `detail` is that text filled in for the claim, by
    `explain` (empty until then).
    """

    id: str
    outcome: str
    text_key: str
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "outcome": self.outcome, "detail": self.detail}


class Assessment(NamedTuple):
    """The date-free part of a verdict: what `assess` decides (and caches) for one combination
    of a claim's terms and window band; `judge` adds the claim's dates and amounts."""

    decision: str
    rules: tuple[RuleOutcome, ...]
    remedy: str
    return_shipping_paid_by: str | None
    refunds_price: bool  # the refund amount is the item price (when one was given)
    failed_rules: tuple[str, ...]


class Deadlines(NamedTuple):
    """The claim's last days. `season`: the season whose longer window gave `return_by`, if
    one did; `moved`: (deadline id, the day as counted) for each deadline rolled forward to a
    business day (`returns.extend_to_business_day`)."""

    return_by: date
    report_damage_by: date
    damage_review_until: date
    season: Season | None = None
    moved: tuple[tuple[str, date], ...] = ()

    def to_dict(self) -> dict[str, str]:
        return {
            "return_by": self.return_by.isoformat(),
            "report_damage_by": self.report_damage_by.isoformat(),
            "damage_review_until": self.damage_review_until.isoformat(),
        }


class Verdict(NamedTuple):
    """The decision on one claim, with its rules' outcomes; `explain` adds what an agent reads
    (each rule's `detail`, the currency, the next steps)."""

    claim: Claim
    decision: str  # ELIGIBLE, INELIGIBLE or NEEDS_REVIEW
    remedy: str
    refund_amount: Decimal | None
    return_shipping_paid_by: str | None
    deadlines: Deadlines
    days_left: int  # on the governing deadline: the damage report's or the return window's
    rules: tuple[RuleOutcome, ...]
    failed_rules: tuple[str, ...]
    currency: str = ""
    next_steps: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        amount = self.refund_amount
        return {
            "decision": self.decision,
            "remedy": self.remedy,
            "refund_amount": money_text(amount) if amount is not None else None,
            "currency": self.currency,
            "return_shipping_paid_by": self.return_shipping_paid_by,
            "deadlines": self.deadlines.to_dict(),
            "days_left": self.days_left,
            "rules": [rule.to_dict() for rule in self.rules],
            "next_steps": list(self.next_steps),
            "claim": self.claim.to_dict(),
            **self.exchange_block(),
        }

    def exchange_block(self) -> dict[str, Any]:
        """`{"exchange": {...}}` for a claim that wants an exchange (`size`: the new ring size,
        as `ring-size` gives it, or null); nothing for a refund."""
        if self.claim.want != "exchange":
            return {}
        size = self.claim.exchange
        return {"exchange": size.to_dict() if size else {"size": None}}


def deadlines(policy: Policy, delivered: date, ordered: date | None = None) -> Deadlines:
    """Calendar-day deadlines counted from the delivery date (the last day is inclusive).

    An order date in one of the policy's seasons gives the longer of the season's and the
    normal return window (of overlapping seasons, the longest; on a tie, the first listed).
    With `returns.extend_to_business_day`, a deadline that falls on a day the store is not
    open moves to the next business day. Raises `InputError` naming `delivered` when a
    deadline would fall after `date.max`.
    """
    try:
        return_by = delivered + timedelta(days=policy.return_window_days)
        season: Season | None = None
        if ordered is not None:
            for candidate in policy.seasons:
                if candidate.covers(ordered):
                    end = candidate.return_by
                    if end is None:
                        end = delivered + timedelta(days=candidate.window_days or 0)
                    if end > return_by:
                        return_by, season = end, candidate
        dates = Deadlines(
            return_by=return_by,
            report_damage_by=delivered + timedelta(days=policy.damage_report_days),
            damage_review_until=delivered + timedelta(days=policy.damage_review_days),
            season=season,
        )
        return _rolled(policy, dates) if policy.extend_to_business_day else dates
    except OverflowError:
        raise InputError("delivered", delivered.isoformat(), TOO_LATE) from None


_ROLLED = ("return_by", "report_damage_by", "damage_review_until")


def _rolled(policy: Policy, dates: Deadlines) -> Deadlines:
    """`dates` with each deadline on a day the store is closed moved to the next business day
    (OverflowError past `date.max`)."""
    calendar = _calendar(policy)
    moved: list[tuple[str, date]] = []
    rolled: list[date] = []
    for name in _ROLLED:
        day = original = getattr(dates, name)
        while not calendar.is_business_day(day):
            day += timedelta(days=1)
        if day != original:
            moved.append((name, original))
        rolled.append(day)
    if not moved:
        return dates
    return Deadlines(rolled[0], rolled[1], rolled[2], dates.season, tuple(moved))


@lru_cache(maxsize=16)
def _calendar(policy: Policy) -> "BusinessCalendar":
    from migems_cli.business_days import business_calendar  # imports holidays: only when rolling

    return business_calendar(policy)


# The error for a date whose deadlines or business days would fall outside `datetime.date`.
TOO_LATE = f"too late in the calendar: its deadlines fall after {date.max.isoformat()}"


@lru_cache(maxsize=8192)
def assess(
    policy: Policy,
    reason: Reason,
    band: int,
    category: Category | None,
    custom: bool,
    sale: bool,
    condition: str,
    packaging: bool,
    photos: bool,
    want: str = "refund",
    sized: bool = False,
) -> Assessment:
    """Every rule that applies to a claim, and the decision they add up to.

    `band` says where the request falls against the windows (see `window_band`); outcomes depend
    on nothing else about the dates, which keeps this cacheable across millions of rows.
    `want`: refund or exchange; `sized`: the exchange names a new ring size (the same item).
    """
    rules: list[RuleOutcome] = []
    add = rules.append
    defect = reason.path == "defect"
    if not defect:
        within = PASS if band <= _IN_RETURN else FAIL
        add(RuleOutcome("return-window", within, within))
        ok = condition in policy.accepted_conditions
        add(RuleOutcome("condition", PASS if ok else FAIL, PASS if ok else FAIL))
        add(RuleOutcome("packaging", PASS if packaging else FAIL, PASS if packaging else FAIL))
    else:
        if band <= _IN_REPORT:
            add(RuleOutcome("damage-window", PASS, PASS))
        elif band <= _IN_REVIEW:
            add(RuleOutcome("damage-window", REVIEW, REVIEW))
        else:
            add(RuleOutcome("damage-window", FAIL, FAIL))
        if not reason.photos_required:
            add(RuleOutcome("photos", PASS, "exempt"))
        else:
            add(RuleOutcome("photos", PASS if photos else REVIEW, PASS if photos else REVIEW))
    if category is None:
        # Not given: on a change of mind it may be a non-returnable one, so a person asks which
        # item it is; a damaged, defective or wrong item is covered whatever its category.
        if defect:
            add(RuleOutcome("category", PASS, "exempt_unknown"))
        elif policy.non_returnable_categories:
            add(RuleOutcome("category", REVIEW, REVIEW))
        else:
            add(RuleOutcome("category", PASS, PASS))
    elif category.name not in policy.non_returnable_categories:
        add(RuleOutcome("category", PASS, PASS))
    else:
        add(
            RuleOutcome("category", PASS, "exempt")
            if defect
            else RuleOutcome("category", FAIL, FAIL)
        )
    if not custom:
        add(RuleOutcome("custom", PASS, PASS))
    else:
        add(RuleOutcome("custom", PASS, "exempt") if defect else RuleOutcome("custom", FAIL, FAIL))
    if not sale:
        add(RuleOutcome("sale", PASS, PASS))
    else:
        add(RuleOutcome("sale", REVIEW, REVIEW) if defect else RuleOutcome("sale", FAIL, FAIL))
    exchanged = want == "exchange" and not defect and _exchange_rules(policy, reason, sized, add)
    if want == "exchange" and defect:
        # "a replacement or refund": the page's own remedy for these, whatever the customer asks
        add(RuleOutcome("exchange", PASS, "exempt"))
    outcomes = {r.outcome for r in rules}
    decision = INELIGIBLE if FAIL in outcomes else NEEDS_REVIEW if REVIEW in outcomes else ELIGIBLE
    remedy = "exchange" if exchanged else reason.remedy
    return Assessment(
        decision=decision,
        rules=tuple(rules),
        remedy="none" if decision == INELIGIBLE else remedy,
        return_shipping_paid_by=None if decision == INELIGIBLE else reason.return_shipping_paid_by,
        # "a full refund, excluding shipping costs": the item price, never the shipping paid;
        # an exchange refunds nothing
        refunds_price=decision == ELIGIBLE and not exchanged,
        failed_rules=tuple(r.id for r in rules if r.outcome == FAIL),
    )


def _exchange_rules(
    policy: Policy, reason: Reason, sized: bool, add: Callable[[RuleOutcome], None]
) -> bool:
    """The rules of a change-of-mind exchange, added by `add`; whether it is an exchange (the
    store exchanges this reason). What the page leaves open is the [exchange] value that settles
    it, or `review` (the value's text says what a person decides)."""
    terms = policy.exchange
    if not terms.allowed or reason.id not in terms.reasons:
        add(RuleOutcome("exchange", FAIL, FAIL))
        return False
    add(RuleOutcome("exchange", PASS, PASS))
    shipping = terms.new_item_shipping_paid_by
    add(RuleOutcome("exchange-shipping", REVIEW if shipping == REVIEW else PASS, shipping))
    if sized and terms.sizes_same_price:
        add(RuleOutcome("exchange-price", PASS, "same_item"))
    else:
        price = terms.price_difference
        add(RuleOutcome("exchange-price", REVIEW if price == REVIEW else PASS, price))
    return True


# Where a request day falls: within the damage report window, the review window, the return
# window, or after all of them. Bands are ordered so "band <= X" reads "no later than X".
_IN_REPORT, _IN_REVIEW, _IN_RETURN, _LATE = 0, 1, 2, 3


def window_band(policy: Policy, reason: Reason, day: int) -> int:
    if reason.path == "defect":
        if day <= policy.damage_report_days:
            return _IN_REPORT
        return _IN_REVIEW if day <= policy.damage_review_days else _LATE
    return _IN_RETURN if day <= policy.return_window_days else _LATE


def _date_band(reason: Reason, requested: date, dates: Deadlines) -> int:
    """`window_band` against the deadlines themselves: what a season or a deadline moved to a
    business day changes (without either, both give the same band)."""
    if reason.path == "defect":
        if requested <= dates.report_damage_by:
            return _IN_REPORT
        return _IN_REVIEW if requested <= dates.damage_review_until else _LATE
    return _IN_RETURN if requested <= dates.return_by else _LATE


def judge(policy: Policy, claim: Claim) -> Verdict:
    """Decide a claim: decision, remedy, refund amount, who pays return shipping, deadlines."""
    reason = claim.reason
    day = claim.day
    dates = deadlines(policy, claim.delivered, claim.ordered)
    found = assess(
        policy,
        reason,
        _date_band(reason, claim.requested, dates)
        if dates.season or dates.moved
        else window_band(policy, reason, day),
        claim.category,
        claim.custom,
        claim.sale,
        claim.condition,
        claim.packaging,
        claim.photos,
        claim.want,
        claim.exchange is not None,
    )
    governing = dates.report_damage_by if reason.path == "defect" else dates.return_by
    return Verdict(
        claim=claim,
        decision=found.decision,
        remedy=found.remedy,
        refund_amount=claim.price if found.refunds_price else None,
        return_shipping_paid_by=found.return_shipping_paid_by,
        deadlines=dates,
        days_left=(governing - claim.requested).days,
        rules=found.rules,
        failed_rules=found.failed_rules,
    )


def explain(policy: Policy, verdict: Verdict) -> Verdict:
    """`verdict` with each rule's detail and the agent's next steps, from policy texts."""
    context = claim_context(policy, verdict.claim, verdict.deadlines, verdict.refund_amount)
    if verdict.claim.category is None and policy.non_returnable_categories:
        # the category rule's texts then name what to ask about: the non-returnable categories
        context["category"] = ", ".join(
            c.plural for c in policy.categories if c.name in policy.non_returnable_categories
        )
    notes = _notes(policy, verdict, context)
    rules = tuple(
        r._replace(
            detail=" ".join(
                filter(None, (fill(policy.rules[r.id].text(r.text_key), context), *notes[r.id]))
            )
        )
        for r in verdict.rules
    )
    steps: list[str] = []
    if verdict.decision == ELIGIBLE and verdict.remedy == "exchange":
        steps.extend(policy.exchange.next_steps)
        if verdict.claim.exchange is not None:
            context["new_size"] = verdict.claim.exchange.label
            steps.append(policy.exchange.sized_step)
    elif verdict.decision == ELIGIBLE:
        steps.extend(policy.next_steps[verdict.claim.reason.path])
    else:
        wanted, key = (
            (FAIL, "next_step") if verdict.decision == INELIGIBLE else (REVIEW, "review_step")
        )
        steps.extend(policy.rules[r.id].text(key) for r in verdict.rules if r.outcome == wanted)
        if verdict.decision == INELIGIBLE:
            steps.extend(policy.next_steps["ineligible"])
    return verdict._replace(
        rules=rules,
        currency=policy.store.currency,
        next_steps=tuple(fill(step, context) for step in steps if step),
    )


# The rule whose detail tells of each deadline that was moved to a business day.
_MOVED_RULE = {
    "return_by": "return-window",
    "report_damage_by": "damage-window",
    "damage_review_until": "damage-window",
}


def _notes(policy: Policy, verdict: Verdict, context: dict[str, str]) -> dict[str, list[str]]:
    """Texts appended to rule details, by rule id (see `deadline_notes`)."""
    notes: dict[str, list[str]] = {rule.id: [] for rule in verdict.rules}
    for name, texts in deadline_notes(
        policy, verdict.deadlines, verdict.claim.ordered, context
    ).items():
        notes.get(_MOVED_RULE[name], []).extend(texts)
    return notes


def deadline_notes(
    policy: Policy, dates: Deadlines, ordered: date | None, context: dict[str, str]
) -> dict[str, list[str]]:
    """What to say about deadlines, by deadline id: the season that extended the return window
    (`returns.season_note`), and each deadline moved to a business day (`business_day_note`)."""
    notes: dict[str, list[str]] = {name: [] for name in _MOVED_RULE}
    season = dates.season
    context = _with(context, return_by=day_text(dates.return_by))
    if season is not None and ordered is not None:
        notes["return_by"].append(
            fill(
                policy.season_note,
                _with(
                    context,
                    season=season.name,
                    season_from=season.ordered_from.isoformat(),
                    season_to=season.ordered_to.isoformat(),
                    ordered=ordered.isoformat(),
                ),
            )
        )
    for name, original in dates.moved:
        moved = _with(
            context, moved_from=day_text(original), moved_to=day_text(getattr(dates, name))
        )
        notes[name].append(fill(policy.business_day_note, moved))
    return notes


def _with(context: dict[str, str], **more: str) -> dict[str, str]:
    """A copy of `context` (of its own type: unknown placeholders stay as written) with `more`."""
    copy = type(context)(context)
    copy.update(more)
    return copy


def overridden(policy: Policy, verdict: Verdict, decision: str) -> Verdict:
    """`verdict` decided `decision` by a person (`check --override`): every rule outcome stays
    as evaluated; the remedy, refund amount, return shipping and next steps become those of the
    new decision (a goodwill return is refunded like any eligible one)."""
    claim = verdict.claim
    if decision == ELIGIBLE:
        exchanged = claim.want == "exchange" and claim.reason.path != "defect"
        changed = verdict._replace(
            decision=decision,
            remedy="exchange" if exchanged else claim.reason.remedy,
            refund_amount=None if exchanged else claim.price,
            return_shipping_paid_by=claim.reason.return_shipping_paid_by,
        )
    elif decision == INELIGIBLE:
        changed = verdict._replace(
            decision=decision, remedy="none", refund_amount=None, return_shipping_paid_by=None
        )
    else:
        changed = verdict._replace(decision=decision)
    return explain(policy, changed)


def evaluate(policy: Policy, claim: Claim) -> Verdict:
    """`check`'s answer for one claim: `explain(judge(...))`."""
    return explain(policy, judge(policy, claim))
