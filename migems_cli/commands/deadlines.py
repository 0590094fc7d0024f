"""`migems deadlines`: shipping dates from the order date, return deadlines from delivery."""

from typing import Annotated

import typer

from migems_cli.errors import ExitCode
from migems_cli.options import (
    AgentOption,
    CustomerOption,
    DayfirstOption,
    JsonOption,
    OrderOption,
    PolicyOption,
    ReplyOption,
    TodayOption,
    common,
)


def deadlines(
    ordered: Annotated[
        str | None,
        typer.Option(help="Day the order was placed.", show_default=False, metavar="DATE"),
    ] = None,
    delivered: Annotated[
        str | None,
        typer.Option(help="Day the order was delivered.", show_default=False, metavar="DATE"),
    ] = None,
    country: Annotated[
        str, typer.Option(help="Destination country, a two-letter code like US.", metavar="CODE")
    ] = "US",
    policy: PolicyOption = None,
    today: TodayOption = None,
    json: JsonOption = False,
    dayfirst: DayfirstOption = False,
    reply: ReplyOption = False,
    customer: CustomerOption = None,
    order: OrderOption = None,
    agent: AgentOption = None,
) -> int:
    """Every deadline of an order: when it ships and arrives, and the return and damage deadlines.

    Give --ordered, --delivered or both. Dates count business days (holidays excluded).

    With --reply, only a reply to the customer: the return deadlines once delivered, else when
    the order ships and arrives.

    Example: migems deadlines --ordered 2026-11-20 --delivered 2026-12-10
    """
    from migems_cli.dates import parse_date
    from migems_cli.render.emit import emit
    from migems_cli.schedule import order_deadlines

    if ordered is None and delivered is None:
        raise typer.BadParameter(
            "give --ordered DATE, --delivered DATE or both",
            param_hint="'--ordered' / '--delivered'",
        )
    env = common(policy, today, json, dayfirst)
    placed = parse_date(ordered, "ordered", env.today, dayfirst) if ordered is not None else None
    arrived = (
        parse_date(delivered, "delivered", env.today, dayfirst) if delivered is not None else None
    )
    if env.versions is not None:  # the version in force on the order (else delivery) date
        env.choose(placed, arrived)
    calendar = env.calendar if placed is not None else None  # delivery dates count calendar days
    report = order_deadlines(env.policy, calendar, placed, arrived, country, env.today)

    def render() -> None:
        from migems_cli.render.schedule_rich import render_deadlines

        render_deadlines(report, env.policy.shipping.country_name(report.country))

    if reply:
        from migems_cli.render.reply_out import send
        from migems_cli.replies import Ticket, deadlines_reply

        ticket = Ticket(customer, order, agent)
        send(env, report, deadlines_reply(env.policy, report, ticket, placed, arrived))
    else:
        emit(env, report, render)
    return ExitCode.OK
