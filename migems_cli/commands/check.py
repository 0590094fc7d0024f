"""`migems check`: is this return or claim eligible, and what happens next."""

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from migems_cli.errors import ExitCode, InputError, MigemsError
from migems_cli.options import (
    AgentOption,
    ClaimIdOption,
    Common,
    CustomerOption,
    DayfirstOption,
    JournalOption,
    JsonOption,
    OrderOption,
    PolicyOption,
    PriceOption,
    RecordOption,
    ReplyOption,
    ShippingOption,
    TodayOption,
    common,
)

if TYPE_CHECKING:
    from migems_cli.policy import Policy


def _reasons(incomplete: str) -> list[str]:
    return _policy_names(lambda p: [r.id for r in p.reasons], incomplete)


def _categories(incomplete: str) -> list[str]:
    return _policy_names(lambda p: [c.plural for c in p.categories], incomplete)


def _policy_names(pick: "Callable[[Policy], list[str]]", incomplete: str) -> list[str]:
    """Shell completion from the bundled (or MIGEMS_POLICY) policy; silent when it is invalid."""
    try:
        names: list[str] = pick(common(None, None, False, False).policy)
    except MigemsError:
        return []
    return [name for name in names if name.startswith(incomplete.lower())]


def check(
    delivered: Annotated[
        str,
        typer.Option(help="Day the order was delivered.", metavar="DATE", show_default=False),
    ],
    requested: Annotated[
        str | None,
        typer.Option(
            help="Day the customer asked to return it.",
            metavar="DATE",
            show_default="today",
        ),
    ] = None,
    ordered: Annotated[
        str | None,
        typer.Option(
            help="Day the order was placed: it chooses the policy version (with --policy DIR) "
            "and any holiday season's longer window.",
            metavar="DATE",
            show_default=False,
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            help="changed-mind, damaged, defective or wrong-item: the policy's reasons.",
            metavar="REASON",
            show_default="changed-mind",
            autocompletion=_reasons,
        ),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(
            help="Item category from the policy (rings, earrings, ...), singular or plural.",
            metavar="NAME",
            show_default=False,
            autocompletion=_categories,
        ),
    ] = None,
    custom: Annotated[
        bool, typer.Option("--custom", help="The item is customized, personalized or custom-made.")
    ] = False,
    sale: Annotated[bool, typer.Option("--sale", help="The item was bought on sale.")] = False,
    condition: Annotated[
        str | None,
        typer.Option(
            help="unused, worn or used: the policy's conditions.",
            metavar="CONDITION",
            show_default="unused",
        ),
    ] = None,
    no_packaging: Annotated[
        bool, typer.Option("--no-packaging", help="The original packaging is missing.")
    ] = False,
    photos: Annotated[
        bool, typer.Option("--photos", help="The customer sent photos of the damage or defect.")
    ] = False,
    price: PriceOption = None,
    shipping: ShippingOption = None,
    want: Annotated[
        str | None,
        typer.Option(
            help="refund or exchange: what the customer asks for.",
            metavar="WANT",
            show_default="refund",
            autocompletion=lambda incomplete: [
                w for w in ("refund", "exchange") if w.startswith(incomplete.lower())
            ],
        ),
    ] = None,
    exchange_size: Annotated[
        str | None,
        typer.Option(
            help="The ring size to exchange for: 'US 7.5', 'UK P', 'EU 56', 'JP 13', 'CH 16', "
            "'DE 17.3', or a measured 17.3mm (diameter) or 54.4mm (circumference).",
            metavar="SIZE",
            show_default=False,
        ),
    ] = None,
    policy: PolicyOption = None,
    today: TodayOption = None,
    json: JsonOption = False,
    dayfirst: DayfirstOption = False,
    reply: ReplyOption = False,
    customer: CustomerOption = None,
    order: OrderOption = None,
    agent: AgentOption = None,
    claim_id: ClaimIdOption = None,
    record: RecordOption = False,
    override: Annotated[
        str | None,
        typer.Option(
            "--override",
            help="Decide eligible or ineligible in place of the rules (needs --override-reason "
            "and --agent; always recorded in the journal).",
            metavar="DECISION",
            show_default=False,
        ),
    ] = None,
    override_reason: Annotated[
        str | None,
        typer.Option(
            "--override-reason",
            help="Why the rules are overridden, in words (recorded with the override).",
            metavar="TEXT",
            show_default=False,
        ),
    ] = None,
    journal: JournalOption = None,
) -> int:
    """Check whether one item can be returned, refunded or replaced, and what to do next.

    Exit status: 0 eligible, 1 ineligible, 3 needs review by a person, 2 bad input. With
    --override the status follows the overriding decision.

    With --order and a journal (--journal, MIGEMS_JOURNAL, or the default file), the decisions
    recorded earlier for that order (and --claim-id) are shown above the verdict, with a warning
    when the new one differs; --record appends the decision to the journal.

    With --reply, only a reply to the customer, ready to send (the exit status is the same).

    Example: migems check --delivered 2026-11-03 --reason damaged --photos --price 120

    Exchange: migems check --delivered 2026-11-20 --category ring --want exchange --exchange-size 'US 7'
    """
    from migems_cli.claims import parse_claim
    from migems_cli.render.emit import emit
    from migems_cli.rules import ELIGIBLE, INELIGIBLE, evaluate, overridden

    env: Common = common(policy, today, json, dayfirst)
    if env.versions is not None:  # the version in force on the order (else delivery) date
        from migems_cli.claims import parse_delivered, parse_ordered

        day = parse_delivered(delivered, env.today, env.dayfirst)
        env.choose(parse_ordered(ordered, day, env.today, env.dayfirst), day)
    try:
        claim = parse_claim(
            env.policy,
            {
                "delivered": delivered,
                "requested": requested,
                "ordered": ordered,
                "reason": reason,
                "category": category,
                "custom": custom,
                "sale": sale,
                "condition": condition,
                "packaging": not no_packaging,
                "photos": photos,
                "price": price,
                "shipping": shipping,
                "want": want,
                "exchange_size": exchange_size,
            },
            env.today,
            env.dayfirst,
            env.today_from,
        )
    except InputError as exc:
        # the SPEC's `--override ... --reason TEXT`: --reason is the return's reason here
        if override is not None and override_reason is None and exc.field in ("reason", "--reason"):
            hint = "; an override's reason goes in --override-reason TEXT"
            raise InputError(exc.field, exc.value, exc.message + hint) from None
        raise
    verdict = evaluate(env.policy, claim)
    extras: dict[str, object] = {}
    found = None
    changed = None
    if override is not None or override_reason is not None or record or order is not None:
        from migems_cli.journal.contact import contact
        from migems_cli.journal.entry import Ticket, override_of, ticket_text

        if override is not None:
            changed = override_of(verdict.decision, override, override_reason, agent)
            verdict = overridden(env.policy, verdict, changed.to)
            extras["override"] = changed.to_dict()
        elif override_reason is not None:
            raise InputError("--override-reason", override_reason, "goes with --override")
        ticket = Ticket(
            ticket_text("--agent", agent),
            ticket_text("--order", order),
            ticket_text("--claim-id", claim_id),
        )
        write = record or changed is not None
        found = contact(journal, ticket, verdict, env.policy, env.today, write, changed)
        if order is not None:
            extras["history"] = [entry.to_dict() for entry in found.history]
        if found.recorded is not None:
            extras["recorded"] = {"id": found.recorded, "journal": found.journal}
        if found.differs:
            extras["warnings"] = [found.differs]

    def render() -> None:
        from migems_cli.render.check_rich import render_check

        if found is not None and found.history:
            from migems_cli.render.journal_rich import render_history

            render_history(found, env.today)
        render_check(verdict, env.policy, env.today, changed)
        if found is not None and found.recorded is not None:
            from migems_cli.render.journal_rich import render_recorded

            render_recorded(found)

    if reply:
        from migems_cli.render.reply_out import send
        from migems_cli.replies import Ticket as ReplyTicket
        from migems_cli.replies import check_reply

        answer = check_reply(env.policy, verdict, ReplyTicket(customer, order, agent))
        if found is not None and found.differs and not env.json:
            print(f"Warning: {found.differs}", file=sys.stderr)  # the reply alone is on stdout
        send(env, verdict, answer, extras)
    else:
        emit(env, verdict, render, extras)
    exits = {ELIGIBLE: ExitCode.OK, INELIGIBLE: ExitCode.INELIGIBLE}
    return exits.get(verdict.decision, ExitCode.REVIEW)
