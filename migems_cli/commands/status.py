"""`migems status`: what each order status means and what to tell the customer."""

from typing import Annotated

import typer

from migems_cli.errors import ExitCode
from migems_cli.options import (
    PLAIN_TEXT,
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


def status(
    name: Annotated[
        str | None,
        typer.Argument(
            help="Status to show (Processing, Shipped, Partial; any case).",
            show_default="all",
            metavar="NAME",
            click_type=PLAIN_TEXT,
        ),
    ] = None,
    ordered: Annotated[
        str | None,
        typer.Option(
            help="Day the order was placed: adds Processing's ship window.",
            show_default=False,
            metavar="DATE",
        ),
    ] = None,
    country: Annotated[
        str | None,
        typer.Option(
            help="Customer's country (two letters): says which statuses can apply there.",
            show_default=False,
            metavar="CODE",
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
    """Order statuses: what each means, how long it takes, and what to tell the customer.

    With --reply and a NAME, only a reply telling the customer what the status means.

    Example: migems status partial --country CA
    """
    from migems_cli.render.emit import Drawing, emit
    from migems_cli.statuses import status_info

    env = common(policy, today, json, dayfirst)
    window = None
    if ordered is not None:  # only then are business days counted (holidays imported)
        from migems_cli.dates import parse_date
        from migems_cli.schedule import ship_window

        window = ship_window(
            env.policy, env.calendar, parse_date(ordered, "ordered", env.today, dayfirst)
        )
    report = status_info(env.policy, name, country, window)
    if reply:
        from migems_cli.render.reply_out import send
        from migems_cli.replies import Ticket, status_reply

        send(env, report, status_reply(env.policy, report, Ticket(customer, order, agent)))
    else:
        shown = env.today if ordered else None  # read only for a ship window
        emit(env, report, Drawing("migems_cli.render.status_rich:render_status", (report, shown)))
    return ExitCode.OK
