"""`migems ring-size`: the conversion chart, look-ups by any system, and measurements."""

from typing import Annotated, Any

import typer

from migems_cli.errors import ExitCode, InputError
from migems_cli.options import (
    AgentOption,
    CustomerOption,
    JsonOption,
    OrderOption,
    PolicyOption,
    ReplyOption,
    TodayOption,
    common,
)


def ring_size(
    us: Annotated[
        str | None,
        typer.Option(
            help="Look up a US/Canada size, like 7, 7.25 or '7 1/4'.",
            show_default=False,
            metavar="SIZE",
        ),
    ] = None,
    uk: Annotated[
        str | None,
        typer.Option(
            help="Look up a UK/Ireland/Australia size: a letter, a half like N½ or 'N 1/2', or Z+1.",
            show_default=False,
            metavar="SIZE",
        ),
    ] = None,
    eu: Annotated[
        str | None,
        typer.Option(
            help="Look up an EU/ISO 8653 size (inner circumference in mm), like 54.",
            show_default=False,
            metavar="SIZE",
        ),
    ] = None,
    jp: Annotated[
        str | None,
        typer.Option(help="Look up a Japanese size, like 14.", show_default=False, metavar="SIZE"),
    ] = None,
    ch: Annotated[
        str | None,
        typer.Option(
            help="Look up a Swiss/Italian/Spanish size (circumference minus 40), like 14.",
            show_default=False,
            metavar="SIZE",
        ),
    ] = None,
    de: Annotated[
        str | None,
        typer.Option(
            help="Look up a German size (inner diameter in mm, as the chart's DE column), like 17.3.",
            show_default=False,
            metavar="MM",
        ),
    ] = None,
    circumference: Annotated[
        str | None,
        typer.Option(
            help="Measured inner circumference of the finger: 54.4, 5.44cm or 2.14in (mm by default).",
            show_default=False,
            metavar="LENGTH",
        ),
    ] = None,
    diameter: Annotated[
        str | None,
        typer.Option(
            help="Measured inner diameter of a ring that fits: 17.3, 1.73cm or 0.68in (mm by default).",
            show_default=False,
            metavar="LENGTH",
        ),
    ] = None,
    how: Annotated[
        bool,
        typer.Option("--how", help="Show how to measure a finger or a ring (the store's FAQ)."),
    ] = False,
    policy: PolicyOption = None,
    today: TodayOption = None,
    json: JsonOption = False,
    reply: ReplyOption = False,
    customer: CustomerOption = None,
    order: OrderOption = None,
    agent: AgentOption = None,
) -> int:
    """Ring sizes: the chart in every system, a size quoted in one system, or a measurement.

    With no option, the whole chart. With --us, --uk, --eu, --jp, --ch or --de, that size's row
    and its neighbours (when a size covers several rows, the larger is the one to order). With --circumference or --diameter, the size to order (between two sizes, the
    larger), the sizes either side and the measuring advice.

    With --reply and a size or measurement, only a reply to the customer: the size to order and
    the measuring advice.

    Example: migems ring-size --circumference 54.4
    """
    from migems_cli.render.emit import emit
    from migems_cli.ring_sizes import build_chart, lookup, measure

    given = {
        name: value
        for name, value in (
            ("us", us),
            ("uk", uk),
            ("eu", eu),
            ("jp", jp),
            ("ch", ch),
            ("de", de),
            ("circumference", circumference),
            ("diameter", diameter),
        )
        if value is not None
    }
    if len(given) > 1:
        options = [f"--{name}" for name in given]
        raise InputError(
            options[0],
            " ".join(f"--{name} {value}" for name, value in given.items()),
            f"give one size or measurement at a time, not {' and '.join(options)}",
        )
    env = common(policy, today, json, False)
    rings = env.policy.ring_sizes
    chart = build_chart(rings)
    name, value = next(iter(given.items()), ("", ""))
    answer = (
        measure(chart, rings, name, value)
        if name in ("circumference", "diameter")
        else lookup(chart, rings, name, value)
        if name
        else None
    )

    def render() -> None:
        from migems_cli.render import ring_rich

        if answer is not None or not how:
            ring_rich.render(chart, rings, answer)
        if how:
            ring_rich.render_how(rings)

    extras: dict[str, Any] = {}
    if how:  # the store's measuring steps, after the chart or the answer
        from migems_cli.policy_dump import plain

        extras["how_to"] = plain(rings.how_to)
    if reply:
        from migems_cli.render.reply_out import send
        from migems_cli.replies import Ticket, ring_reply

        ticket = Ticket(customer, order, agent)
        send(env, answer or chart, ring_reply(env.policy, answer, ticket), extras)
    else:
        emit(env, answer or chart, render, extras)
    return ExitCode.OK
