"""The effective policy as plain JSON-ready data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from migems_cli.policy import Policy, fraction_text


def plain(value: Any) -> Any:
    """Records, mappings, tuples, dates and decimals as JSON types."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):  # a NamedTuple record
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Fraction):  # ring-size coefficients: "0.8128", or "1/3"
        return fraction_text(value)
    return value


def policy_document(policy: Policy) -> dict[str, Any]:
    document: dict[str, Any] = plain(policy)
    return document
