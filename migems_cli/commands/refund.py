"""`migems refund`: when a refund is expected after the return was received, and its state."""

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
    PriceOption,
    ReplyOption,
    ShippingOption,
    TodayOption,
    common,
)


def refund(
    received: Annotated[
        str,
        typer.Option(
            help="Day the supplier received the returned item.",
            show_default=False,
            metavar="DATE",
        ),
    ],
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
    """When the refund is expected, whether it is pending, due or overdue, and what to do next.

    With --reply, only a reply to the customer, ready to send.

    Example: migems refund --received 2026-11-20 --price 120 --shipping 22
    """
    from migems_cli.claims import parse_amount
    from migems_cli.dates import parse_date
    from migems_cli.render.emit import emit
    from migems_cli.schedule import refund_schedule

    env = common(policy, today, json, dayfirst)
    day = parse_date(received, "received", env.today, dayfirst)
    amount = parse_amount(price, "price", env.policy)  # as check reads its --price
    paid = parse_amount(shipping, "shipping", env.policy)
    schedule = refund_schedule(env.policy, env.calendar, day, env.today, amount, paid)

    def render() -> None:
        from migems_cli.render.schedule_rich import render_refund

        render_refund(schedule)

    if reply:
        from migems_cli.render.reply_out import send
        from migems_cli.replies import Ticket, refund_reply

        send(env, schedule, refund_reply(env.policy, schedule, Ticket(customer, order, agent)))
    else:
        emit(env, schedule, render)
    return ExitCode.OK
