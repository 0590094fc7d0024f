"""The rich renderer for `migems ring-size`: the chart, a look-up, a measurement, the guide."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from migems_cli.policy import RingSizes, RingSystem
from migems_cli.render.console import stdout_console
from migems_cli.ring_sizes import Chart, Lookup, Measurement, Row

MARK = "▶"
MARK_STYLE = "bold cyan"
BAR_WIDTH = 20


def render(
    chart: Chart,
    rings: RingSizes,
    answer: Lookup | Measurement | None,
    console: Console | None = None,
) -> None:
    """The whole chart, or the rows around a looked-up or measured size, with what they mean."""
    console = console or stdout_console()
    if isinstance(answer, Measurement):
        _measurement(console, answer)
    elif isinstance(answer, Lookup):
        _lookup(console, answer)
    rows = chart.rows if answer is None else answer.shown
    marked = set() if answer is None else _marked(answer)
    table, systems, short = chart_table(chart, rows, marked, console.width)
    console.print(table)
    _legend(console, chart, systems, short, full=answer is None)
    if isinstance(answer, Measurement):
        _advice(console, answer)
    for note in rings.notes:
        console.print(Text(note, style="dim"))


def _marked(answer: Lookup | Measurement) -> set[int]:
    if isinstance(answer, Measurement):
        return {answer.match.index}
    return {row.index for row in answer.matches}


def chart_table(
    chart: Chart, rows: tuple[Row, ...], marked: set[int], width: int
) -> tuple[Table, tuple[RingSystem, ...], bool]:
    """The widest table that fits `width`: full headers, then short ones, then fewer systems.

    Systems are dropped from the end of the policy's list (never the chart's own system); the
    diameter and circumference columns always stay, so every dropped size can be recomputed.
    """
    systems = chart.systems
    table = _table(chart, rows, marked, systems, short=False)
    if _width(table) <= width:
        return table, systems, False
    while True:
        table = _table(chart, rows, marked, systems, short=True)
        droppable = [s for s in systems if s.id != chart.chart_system.id]
        if _width(table) <= width or not droppable:
            return table, systems, True
        systems = tuple(s for s in systems if s is not droppable[-1])


def _width(table: Table) -> int:
    measuring = Console(width=1000, color_system=None, force_terminal=False, emoji=False)
    return measuring.measure(table).maximum


def _table(
    chart: Chart,
    rows: tuple[Row, ...],
    marked: set[int],
    systems: tuple[RingSystem, ...],
    short: bool,
) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    if marked:
        table.add_column("", no_wrap=True, width=1)
    for system in systems:
        header = _header(system, short)
        if system.label == "letters":
            table.add_column(header, justify="left", no_wrap=True)
        else:
            table.add_column(header, justify="right", no_wrap=True)
    table.add_column("Ø mm" if short else "Inner Ø mm", justify="right", no_wrap=True)
    table.add_column("Circ mm" if short else "Inner circ. mm", justify="right", no_wrap=True)
    for row in rows:
        cells = [row.sizes[s.id].label for s in systems]
        cells += [str(row.diameter_mm), str(row.circumference_mm)]
        if marked:
            hit = row.index in marked
            table.add_row(MARK if hit else "", *cells, style=MARK_STYLE if hit else None)
        else:
            whole = row.sizes[chart.chart_system.id].value
            table.add_row(*cells, style="bold" if whole is not None and whole % 1 == 0 else None)
    return table


def _header(system: RingSystem, short: bool) -> str:
    return system.id.upper() if short else system.name


def _legend(
    console: Console, chart: Chart, systems: tuple[RingSystem, ...], short: bool, full: bool
) -> None:
    legend = Text(style="dim")
    if full:
        for system in systems:
            legend.append(f"{_header(system, short)}: {system.title}. ")
        legend.append("Ø: inner diameter; circ.: inner circumference. ")
    hidden = [s.name for s in chart.systems if s not in systems]
    if hidden:
        legend.append(f"Not shown at this width: {', '.join(hidden)} (see --json).")
    if legend.plain:
        console.print(legend)


def _sizes_line(chart: Chart, row: Row) -> Text:
    line = Text()
    for number, system in enumerate(chart.systems):
        if number:
            line.append(" · ", style="dim")
        line.append(f"{system.name} ", style="dim")
        line.append(row.sizes[system.id].label, style="bold")
    return line


def _lookup(console: Console, answer: Lookup) -> None:
    chart = answer.chart
    first, last = answer.matches[0], answer.matches[-1]
    rows = chart.label(first) + (f" to {chart.label(last)}" if last is not first else "")
    head = Text(f"{answer.system.name} {answer.size.label}", style="bold")
    if answer.exact:
        head.append(f" = {rows}")
    else:
        head.append(f" falls between the chart's rows; nearest: {rows}", style="yellow")
    head.append(f" ({MARK} below)", style="dim")
    console.print(head)


def _measurement(console: Console, answer: Measurement) -> None:
    chart = answer.chart
    kind = answer.kind
    console.print(Text("Order: ", style="bold") + _sizes_line(chart, answer.match))
    other, other_mm = (
        ("circumference", answer.circumference_mm)
        if kind == "diameter"
        else ("diameter", answer.diameter_mm)
    )
    console.print(
        Text(f"Measured: inner {kind} {answer.measured_mm} mm (inner {other} {other_mm} mm).")
    )
    match = f"{chart.label(answer.match)} ({answer.match.length(kind)} mm)"
    if answer.exact:
        console.print(Text(f"Matches {match} exactly."))
        return
    if answer.below is None or answer.fraction is None:
        console.print(Text(f"Below the smallest size in the chart: {match}."))
        return
    below = f"{chart.label(answer.below)} ({answer.below.length(kind)} mm)"
    console.print(
        Text(
            f"Between {below} and {match}: {answer.match.length(kind) - answer.measured_mm} mm "
            f"under the larger, so order the larger."
        )
    )
    filled = round(answer.fraction * BAR_WIDTH)
    bar = Text(f"{chart.label(answer.below)} ├")
    bar.append("─" * filled)
    bar.append("●", style="bold")
    bar.append("─" * (BAR_WIDTH - filled))
    bar.append(f"┤ {chart.label(answer.match)}")
    console.print(bar)


def _advice(console: Console, answer: Measurement) -> None:
    console.print(_listing(["•"] * len(answer.advice), answer.advice))


def _listing(marks: list[str], lines: tuple[str, ...]) -> Table:
    """Marked lines whose wrapped continuations stay indented under their text."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for mark, line in zip(marks, lines, strict=True):
        grid.add_row(mark, Text(line))
    return grid


def render_how(rings: RingSizes, console: Console | None = None) -> None:
    """The store's measuring guide, with the option each method feeds."""
    console = console or stdout_console()
    console.print(Text("How to measure", style="bold"))
    for method in rings.how_to:
        console.print(Text(method.title, style="bold"))
        numbers = [f" {number}." for number in range(1, len(method.steps) + 1)]
        console.print(_listing(numbers, method.steps))
        console.print(Text(f"    Then: migems ring-size --{method.measures} LENGTH", style="dim"))
    console.print(Text(rings.advice["warm_fingers"]))
