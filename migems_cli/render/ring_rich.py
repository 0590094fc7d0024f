"""The rich renderer for `migems ring-size`: the chart, a look-up, a measurement, the guide."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from migems_cli.policy import RingSizes, RingSystem
from migems_cli.render.console import plain, stdout_console, trimmed
from migems_cli.render.safe import visible
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
    with trimmed(console or stdout_console()) as shown:
        _render(chart, rings, answer, shown)


def _render(
    chart: Chart, rings: RingSizes, answer: Lookup | Measurement | None, console: Console
) -> None:
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
        console.print(plain(note, style="dim"))


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
        cells = [visible(row.sizes[s.id].label) for s in systems]
        cells += [str(row.diameter_mm), str(row.circumference_mm)]
        if marked:
            hit = row.index in marked
            table.add_row(MARK if hit else "", *cells, style=MARK_STYLE if hit else None)
        else:
            whole = row.sizes[chart.chart_system.id].value
            table.add_row(*cells, style="bold" if whole is not None and whole % 1 == 0 else None)
    return table


def _header(system: RingSystem, short: bool) -> str:
    return visible(system.id.upper() if short else system.name)


def _legend(
    console: Console, chart: Chart, systems: tuple[RingSystem, ...], short: bool, full: bool
) -> None:
    legend = plain("", style="dim")
    if full:
        for system in systems:
            legend.append(f"{_header(system, short)}: {system.title}. ")
        legend.append("Ø: inner diameter; circ.: inner circumference. ")
    hidden = [s.name for s in chart.systems if s not in systems]
    if hidden:
        legend.append(f"Not shown at this width: {', '.join(hidden)} (see --json).")
    if legend.plain:
        console.print(legend)


def _order(console: Console, chart: Chart, row: Row) -> None:
    """'Order: US/CA 7 · UK/AU N½ · ...', broken only between systems, never inside a size."""
    pieces = []
    for system in chart.systems:
        piece = plain(f"{system.name} ", style="dim")
        piece.append(row.sizes[system.id].label, style="bold")
        pieces.append(piece)
    lines = [plain("Order: ", style="bold")]
    for piece in pieces:
        line = lines[-1]
        lead = " · " if len(line) > len("Order: ") else ""
        if len(line) > len("Order: ") and len(line) + len(lead) + len(piece) > console.width:
            lines.append(plain("       "))
            line, lead = lines[-1], ""
        line.append(lead, style="dim")
        line.append_text(piece)
    for line in lines:
        console.print(line)


def _lookup(console: Console, answer: Lookup) -> None:
    chart = answer.chart
    first, last = answer.matches[0], answer.matches[-1]
    if last is not first or not answer.exact:
        _order(console, chart, answer.match)
    rows = chart.label(first) + (f" to {chart.label(last)}" if last is not first else "")
    head = plain(f"{answer.system.name} {answer.size.label}", style="bold")
    if answer.exact:
        head.append(f" = {rows}")
        if last is not first:
            head.append(f"; order the larger, {chart.label(answer.match)}")
    else:
        head.append(f" falls between the chart's rows; order the larger, {rows}", style="yellow")
    head.append(f" ({MARK} below)", style="dim")
    console.print(head)


def _measurement(console: Console, answer: Measurement) -> None:
    chart = answer.chart
    kind = answer.kind
    _order(console, chart, answer.match)
    other, other_mm = (
        ("circumference", answer.circumference_mm)
        if kind == "diameter"
        else ("diameter", answer.diameter_mm)
    )
    console.print(
        plain(f"Measured: inner {kind} {answer.measured_mm} mm (inner {other} {other_mm} mm).")
    )
    match = f"{chart.label(answer.match)} ({answer.match.length(kind)} mm)"
    if answer.exact:
        console.print(plain(f"Matches {match} exactly."))
        return
    if answer.below is None or answer.fraction is None:
        console.print(plain(f"Below the smallest size in the chart: {match}."))
        return
    below = f"{chart.label(answer.below)} ({answer.below.length(kind)} mm)"
    console.print(
        plain(
            f"Between {below} and {match}: {answer.match.length(kind) - answer.measured_mm} mm "
            f"under the larger, so order the larger."
        )
    )
    filled = round(answer.fraction * BAR_WIDTH)
    bar = plain(f"{chart.label(answer.below)} ├")
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
        grid.add_row(mark, plain(line))
    return grid


def render_how(rings: RingSizes, console: Console | None = None) -> None:
    """The store's measuring guide, with the option each method feeds."""
    with trimmed(console or stdout_console()) as shown:
        _how(rings, shown)


def _how(rings: RingSizes, console: Console) -> None:
    console.print(plain("How to measure", style="bold"))
    for method in rings.how_to:
        console.print(plain(method.title, style="bold"))
        numbers = [f" {number}." for number in range(1, len(method.steps) + 1)]
        console.print(_listing(numbers, method.steps))
        console.print(plain(f"    Then: migems ring-size --{method.measures} LENGTH", style="dim"))
    console.print(plain(rings.advice["warm_fingers"]))
