"""Help without markdown-it and pygments: Typer's rich help imports them and never uses them.

`typer.rich_utils` (imported to print any help) imports `rich.markdown.Markdown` (markdown-it,
used only with `rich_markup_mode="markdown"`; migems uses "rich") and `rich.traceback.Traceback`
(pygments, used only for pretty exceptions; migems turns them off): about 50 ms of imports of
a 150 ms help. `import_rich_utils` imports it with stand-ins for those two names, which import the
real class the moment anything uses them: the help looks exactly as before (a test compares it
with Typer's own import), and a later `import rich.markdown` gets the real module.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

# module -> the name typer.rich_utils imports from it
_DEFERRED = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}


class _Deferred(type):
    """The metaclass of a stand-in: class attributes come from the real class (imported then)."""

    _target: tuple[str, str]

    def real(cls) -> Any:
        module, name = cls._target
        return getattr(importlib.import_module(module), name)

    def __getattr__(cls, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(cls.real(), attribute)


def _stand_in(module: str, name: str) -> type:
    def __new__(cls: _Deferred, *args: Any, **kwargs: Any) -> Any:
        return cls.real()(*args, **kwargs)

    return _Deferred(name, (), {"__new__": __new__, "_target": (module, name)})


def import_rich_utils() -> ModuleType:
    """`typer.rich_utils`, imported without markdown-it and pygments (see the module's doc)."""
    found = sys.modules.get("typer.rich_utils")
    if found is not None:
        return found
    installed = []
    for module, name in _DEFERRED.items():
        if module not in sys.modules:
            stand_in = ModuleType(module)
            setattr(stand_in, name, _stand_in(module, name))
            sys.modules[module] = stand_in
            installed.append(module)
    try:
        return importlib.import_module("typer.rich_utils")
    finally:
        for module in installed:  # a later import gets the real module
            del sys.modules[module]
