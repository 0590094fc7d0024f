"""The one road every command's result takes to the user: JSON or a renderer, with warnings.

A command calls `emit(env, document, render)` once. With `--json` the document is printed with
a `warnings` list when it shows a placeholder value of the policy (SPEC: "Every --json result may
carry warnings"); otherwise the renderer runs, and every file text it shows through
`console.plain` marks the placeholder where it appears.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from migems_cli.options import Common
    from migems_cli.policy import Policy


def placeholders(policy: Policy) -> tuple[tuple[str, str], ...]:
    """(value, note) for each policy value marked as a placeholder in policy.toml."""
    store = policy.store
    if store.support_email_is_placeholder and store.support_email:
        return ((store.support_email, "placeholder: set support_email in policy.toml"),)
    return ()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def warnings_for(policy: Policy, document: Any) -> list[str]:
    """A warning for each placeholder value that `document` shows."""
    texts = list(_strings(document))
    return [
        f"{value!r} is a {note}"
        for value, note in placeholders(policy)
        if any(value in text for text in texts)
    ]


def emit(env: Common, document: Callable[[], dict[str, Any]], render: Callable[[], None]) -> None:
    """Print `document()` as JSON (with `warnings` when any) or run `render` (human output)."""
    if env.json:
        from migems_cli.render.json_out import print_json

        data = document()
        found = warnings_for(env.policy, data)
        if found:
            data = {**data, "warnings": [*data.get("warnings", []), *found]}
        print_json(data)
        return
    from migems_cli.render.console import PLACEHOLDERS

    token = PLACEHOLDERS.set(placeholders(env.policy))
    try:
        render()
    finally:
        PLACEHOLDERS.reset(token)
