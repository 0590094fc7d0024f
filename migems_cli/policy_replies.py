"""`[replies]` of policy.toml: the customer reply templates, checked against the situations
and placeholders of `migems_cli.reply_situations`."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from migems_cli.policy import PAYERS, ReplyTemplate, ReplyTexts
from migems_cli.policy_checker import Checker, join_path
from migems_cli.reply_situations import COMMON, LISTS, PROVIDED, situation_family

_KEYS = ("greeting", "closing", "return_shipping")


def build_replies(check: Checker, top: dict[str, Any]) -> ReplyTexts:
    """`[replies]`: every situation has a template, every placeholder is one its command's
    result provides, and a list placeholder stands alone in its paragraph."""
    families = situation_family()
    table = check.table(top.get("replies", {}), "replies", (*_KEYS, *families))
    greeting = check.text(table, "replies", "greeting", COMMON)
    closing = check.strings(table, "replies", "closing")
    for index, line in enumerate(closing):
        check.template(f"replies.closing[{index}]", line, COMMON)
    if "closing" in table and not closing:
        check.error("replies.closing", "must not be empty")
    payers = check.table(table.get("return_shipping", {}), "replies.return_shipping", PAYERS)
    paid_by = {
        payer: check.text(payers, "replies.return_shipping", payer, COMMON) for payer in PAYERS
    }
    templates: dict[str, ReplyTemplate] = {}
    for situation, family in families.items():
        if situation in table:
            templates[situation] = _template(check, table[situation], situation, family)
    return ReplyTexts(
        greeting=greeting,
        closing=closing,
        return_shipping=MappingProxyType(paid_by),
        templates=MappingProxyType(templates),
    )


def _template(check: Checker, data: Any, situation: str, family: str) -> ReplyTemplate:
    path = f"replies.{situation}"
    body_t = check.table(data, path, ("subject", "body"))
    allowed = PROVIDED[family]
    subject = check.text(body_t, path, "subject", allowed - LISTS)
    body = check.strings(body_t, path, "body")
    if "body" in body_t and not body:
        check.error(join_path(path, "body"), "must not be empty")
    for index, paragraph in enumerate(body):
        where = f"{path}.body[{index}]"
        if not paragraph.strip():
            check.error(where, "must not be empty")
        check.template(where, paragraph, allowed)
        for name in LISTS & allowed:
            field = "{" + name + "}"
            if field in paragraph and paragraph.strip() != field:
                check.error(where, f"{field} is a list: it must be a paragraph of its own")
    return ReplyTemplate(subject, body)
