"""`migems check`: is this return or claim eligible, and what happens next."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from migems_cli.errors import ExitCode, MigemsError
from migems_cli.options import (
    AgentOption,
    Common,
    CustomerOption,
    DayfirstOption,
    JsonOption,
    OrderOption,
    PolicyOption,
    PriceOption,
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
) -> int:
    """Check whether one item can be returned, refunded or replaced, and what to do next.

    Exit status: 0 eligible, 1 ineligible, 3 needs review by a person, 2 bad input.

    With --reply, only a reply to the customer, ready to send (the exit status is the same).

    Example: migems check --delivered 2026-11-03 --reason damaged --photos --price 120

    Exchange: migems check --delivered 2026-11-20 --category ring --want exchange --exchange-size 'US 7'
    """
    from migems_cli.claims import parse_claim
    from migems_cli.render.emit import emit
    from migems_cli.rules import ELIGIBLE, INELIGIBLE, evaluate

    env: Common = common(policy, today, json, dayfirst)
    if env.versions is not None:  # the version in force on the order (else delivery) date
        from migems_cli.claims import parse_delivered, parse_ordered

        day = parse_delivered(delivered, env.today, env.dayfirst)
        env.choose(parse_ordered(ordered, day, env.today, env.dayfirst), day)
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
    verdict = evaluate(env.policy, claim)

    def render() -> None:
        from migems_cli.render.check_rich import render_check

        render_check(verdict, env.policy, env.today)

    if reply:
        from migems_cli.render.reply_out import send
        from migems_cli.replies import Ticket, check_reply

        send(env, verdict, check_reply(env.policy, verdict, Ticket(customer, order, agent)))
    else:
        emit(env, verdict, render)
    exits = {ELIGIBLE: ExitCode.OK, INELIGIBLE: ExitCode.INELIGIBLE}
    return exits.get(verdict.decision, ExitCode.REVIEW)
