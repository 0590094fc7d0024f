"""The rich renderer for `migems policy show`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from migems_cli.policy import Policy, fraction_text
from migems_cli.render.console import plain, stdout_console
from migems_cli.render.fold import folding_table

if TYPE_CHECKING:
    from rich.console import Console


class _Table:
    """Rows of policy text for `folding_table`: a table when it fits, else stacked blocks."""

    def __init__(self, title: str, *headers: str) -> None:
        self.title = title
        self.headers = headers
        self.rows: list[tuple[str, ...]] = []

    def add_row(self, *cells: str) -> None:
        self.rows.append(cells)

    def print(self, console: Console) -> None:
        console.print(folding_table(console, plain(self.title), self.headers, self.rows))


_table = _Table


def _settled(value: str) -> str:
    """A point the page leaves open: the policy's answer, or that a person decides."""
    return "review: the page is silent, a person decides" if value == "review" else value


def render_policy(policy: Policy) -> None:
    console = stdout_console()
    store = policy.store
    console.print(plain(f"{store.name} policy · {policy.source}", style="bold"))
    windows = _table("Windows", "What", "Value")
    windows.add_row("Return window", f"{policy.return_window_days} days from delivery")
    windows.add_row("Report damage", f"{policy.damage_report_days} days from delivery")
    windows.add_row("Damage review until", f"{policy.damage_review_days} days from delivery")
    windows.add_row(
        "Refund",
        f"{policy.refund.min_business_days}-{policy.refund.max_business_days} business days "
        "after the item is received",
    )
    windows.add_row("Shipping refunded", "yes" if policy.shipping_refunded else "no")
    windows.add_row(
        "Processing",
        f"{policy.processing.min_business_days}-{policy.processing.max_business_days} business days",
    )
    windows.add_row(
        "Ships to", ", ".join(map(policy.shipping.country_name, policy.shipping.destinations))
    )
    windows.add_row("Currency / time zone", f"{store.currency} / {store.time_zone}")
    windows.add_row("Holidays", f"{policy.calendar.holiday_country} public holidays")
    closures = ", ".join(d.isoformat() for d in policy.calendar.closures) or "none"
    windows.add_row("Store closures", closures)
    windows.add_row("Support e-mail", store.support_email)  # marked as a placeholder by `plain`
    windows.print(console)

    categories = _table("Categories", "Category", "Change of mind")
    for category in policy.categories:
        barred = category.name in policy.non_returnable_categories
        categories.add_row(category.plural, "non-returnable" if barred else "returnable")
    categories.print(console)

    reasons = _table("Reasons", "Reason", "Rules", "Remedy", "Return shipping", "Photos")
    for reason in policy.reasons:
        reasons.add_row(
            reason.id,
            reason.path,
            reason.remedy,
            reason.return_shipping_paid_by,
            "required" if reason.photos_required else "-",
        )
    reasons.print(console)

    zones = _table("Shipping zones", "Zone", "Transit", "Rate", "Countries")
    for zone in policy.shipping.zones:
        countries = "every other" if "*" in zone.countries else f"{len(zone.countries)} countries"
        zones.add_row(
            zone.name,
            f"{zone.transit.min_business_days}-{zone.transit.max_business_days} business days",
            f"{zone.rate} {store.currency}" if zone.rate is not None else "-",
            countries,
        )
    zones.print(console)

    statuses = _table("Order statuses", "Status", "Typical duration", "Countries")
    for status in policy.statuses:
        statuses.add_row(status.name, status.typical_duration, ", ".join(status.countries) or "all")
    statuses.print(console)

    exchange = policy.exchange
    exchanges = _table("Exchanges", "What", "Value")
    exchanges.add_row("Offered", "yes" if exchange.allowed else "no")
    exchanges.add_row("For reasons", ", ".join(exchange.reasons) or "none")
    exchanges.add_row("Ring sizes for", ", ".join(exchange.sized_categories) or "none")
    exchanges.add_row(
        "New item shipped at the cost of", _settled(exchange.new_item_shipping_paid_by)
    )
    exchanges.add_row("Price difference (another item)", _settled(exchange.price_difference))
    exchanges.add_row("Another size, same price", "yes" if exchange.sizes_same_price else "no")
    exchanges.print(console)

    rules = _table("Rules", "Rule", "Clause")
    for rule in policy.rules.values():
        rules.add_row(rule.id, rule.clause)
    rules.print(console)

    rings = policy.ring_sizes
    chart = rings.system(rings.chart_system)
    title = (
        f"Ring-size systems (chart: {chart.name if chart else rings.chart_system} "
        f"{fraction_text(rings.chart_from)} to {fraction_text(rings.chart_to)} by "
        f"{fraction_text(rings.chart_step)}; plausible circumferences "
        f"{fraction_text(rings.min_circumference_mm)}-{fraction_text(rings.max_circumference_mm)} mm)"
    )
    systems = _table(title, "System", "Key", "Size to mm", "Step")
    for system in rings.systems:
        size = "size" if system.base_size == 0 else f"(size - {fraction_text(system.base_size)})"
        if system.label == "letters":
            size += f", size 0 = {system.letters[:1]}"
        systems.add_row(
            system.name,
            system.id,
            f"{system.measure} = {fraction_text(system.base_mm)} + "
            f"{fraction_text(system.mm_per_size)} x {size}",
            fraction_text(system.step),
        )
    systems.print(console)
