"""migems: the MIGEMS support toolkit (returns, refunds, deadlines, statuses, ring sizes)."""

from __future__ import annotations


def version() -> str:
    """The installed distribution's version (one source: the package metadata)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _version

    try:
        return _version("migems")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
