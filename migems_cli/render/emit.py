"""The one road every command's result takes to the user: JSON or a renderer, with warnings.

A command ends with `emit(env, result, render)`: with `--json` the document is built here, in
one place, from `result.to_dict()`, the `extras` the command adds, and a `warnings` list when it
shows a placeholder value of the policy (SPEC: "Every --json result may carry warnings");
otherwise `render` runs (human output), and every file text it shows through `console.plain`
marks the placeholder where it appears. A new block of output for every command is added here:
every document names the policy that answered (`"policy"`: name, version, effective_from,
digest, and `chosen_by`), and human output ends with a footer line naming its version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # the protocols exist for the type checker only: creating them costs ~1 ms
    from typing import Protocol

    from migems_cli.policy import Policy

    class Result(Protocol):
        """What a command hands to `emit`: a core result that knows its JSON shape."""

        def to_dict(self) -> dict[str, Any]: ...

    class Output(Protocol):
        """How to print (`Common` is one): JSON or not, and the policy whose placeholders to
        mark (None when there is no loaded policy, as for `policy check` on a broken file)."""

        @property
        def json(self) -> bool: ...

        @property
        def policy(self) -> Policy | None: ...


class Document(NamedTuple):
    """A result with no `to_dict` of its own: `build` makes its JSON document, on demand."""

    build: Callable[[], dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return self.build()


class Drawing:
    """A renderer named "module:function" and the arguments it draws: what `emit` can replay from
    the render cache (`migems_cli.render_cache`) when the same arguments were drawn before, in the
    same terminal, by the same code, without importing the renderer (nor rich). Everything the
    renderer reads must be in `args` (besides the placeholders and the footer, which `emit` adds
    to the key), and each must be a plain value or a NamedTuple of them (`render_cache.faithful`;
    anything else is simply drawn every time)."""

    __slots__ = ("args", "target")

    def __init__(self, target: str, args: tuple[Any, ...]) -> None:
        self.target = target
        self.args = args

    def __call__(self) -> None:
        from importlib import import_module

        module, _, name = self.target.partition(":")
        getattr(import_module(module), name)(*self.args)


class NoPolicy(NamedTuple):
    """How to print when no policy is loaded (`policy check` reads a file that may be broken)."""

    json: bool
    policy: None = None
    chosen_by: None = None


# How the version was chosen (the `chosen_by` of policy_versions), as the footer says it.
_CHOSEN = {
    "ordered": "by the order date",
    "delivered": "by the delivery date",
    "today": "in force today",
    "at": "in force on --at",
}


def policy_block(env: Output) -> dict[str, Any] | None:
    """The JSON "policy" object: which policy answered, and how it was chosen among versions
    (`chosen_by`: "ordered", "delivered", "today" or "at"; null for a single policy file)."""
    if env.policy is None:
        return None
    return {**env.policy.identity.to_dict(), "chosen_by": getattr(env, "chosen_by", None)}


def footer(env: Output) -> str:
    """The line human output ends with: the policy version that answered."""
    if env.policy is None:
        return ""
    identity = env.policy.identity
    chosen = _CHOSEN.get(getattr(env, "chosen_by", None) or "")
    start = f" from {identity.effective_from.isoformat()}" if identity.effective_from else ""
    how = f" ({chosen})" if chosen else ""
    return f"Policy version {identity.version or '?'}{start}{how} · {identity.digest}"


def placeholders(policy: Policy | None) -> tuple[tuple[str, str], ...]:
    """(value, note) for each policy value marked as a placeholder in policy.toml."""
    if policy is None:
        return ()
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


def warnings_for(policy: Policy | None, document: Any) -> list[str]:
    """A warning for each placeholder value that `document` shows."""
    texts = list(_strings(document))
    return [
        f"{value!r} is a {note}"
        for value, note in placeholders(policy)
        if any(value in text for text in texts)
    ]


def document(
    env: Output, result: Result, extras: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON document of `result`: its dict, then `extras`, the policy that answered, then
    any placeholder warnings."""
    data = {**result.to_dict(), **(extras or {})}
    block = policy_block(env)
    if block is not None:
        data["policy"] = block
    found = warnings_for(env.policy, data)
    if found:
        data["warnings"] = [*data.get("warnings", []), *found]
    return data


def emit(
    env: Output,
    result: Result,
    render: Callable[[], None],
    extras: Mapping[str, Any] | None = None,
    show_footer: bool = True,
) -> None:
    """Print `result` as one JSON document (see `document`) or run `render` (human output),
    then the policy's `footer` line (`show_footer=False`: output that must be only itself)."""
    if env.json:
        from migems_cli.render.json_out import print_json

        print_json(document(env, result, extras))
        return
    from migems_cli.render.console import PLACEHOLDERS

    token = PLACEHOLDERS.set(placeholders(env.policy))
    try:
        line = footer(env) if show_footer else ""
        if not isinstance(render, Drawing):
            _draw(render, line)
            return
        from migems_cli import render_cache

        found = render_cache.key("render", (render.target, render.args, PLACEHOLDERS.get(), line))
        if render_cache.replay(found):
            return
        with render_cache.recording(found) as record:
            _draw(render, line)
            record.complete = True
    finally:
        PLACEHOLDERS.reset(token)


def _draw(render: Callable[[], None], line: str) -> None:
    """Human output: `render`, then the footer `line` if any."""
    render()
    if line:
        from migems_cli.render.console import plain, stdout_console

        stdout_console().print(plain(line, style="dim"))
