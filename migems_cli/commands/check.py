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
    """
    from migems_cli.claims import parse_claim
    from migems_cli.render.emit import emit
    from migems_cli.rules import ELIGIBLE, INELIGIBLE, evaluate

    env: Common = common(policy, today, json, dayfirst)
    claim = parse_claim(
        env.policy,
        {
            "delivered": delivered,
            "requested": requested,
            "reason": reason,
            "category": category,
            "custom": custom,
            "sale": sale,
            "condition": condition,
            "packaging": not no_packaging,
            "photos": photos,
            "price": price,
            "shipping": shipping,
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
