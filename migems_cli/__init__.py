"""migems: the MIGEMS support toolkit (returns, refunds, deadlines, statuses, ring sizes)."""

from __future__ import annotations

import sys as _sys
from typing import Any as _Any

from migems_cli.errors import ExitCode as _ExitCode  # loaded before a handler can need it

# Signals that end the process unless handled. Each becomes SystemExit(128 + signum), so that
# a run stops through its `finally` clauses (`batch --output` removes its temporary file) and
# exits 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP..., never with a traceback. SIGHUP is
# handled last: once /proc shows it caught, every other one is (Python catches SIGINT itself from
# its start, so only SIGHUP tells that migems' handlers are in place; a test sends Ctrl-C then).
TERMINATING = ("SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGHUP")


def _exit(signum: int, frame: object) -> None:
    raise SystemExit(_ExitCode.for_signal(signum))


def exit_on_signals() -> dict[int, _Any]:
    """Make every terminating signal that still has its default action exit as `_exit` does;
    a signal the caller ignores (nohup, a background job) stays ignored. Returns the handlers
    replaced, by signal number."""
    import signal

    replaced: dict[int, _Any] = {}
    for name in TERMINATING:
        signum = getattr(signal, name, None)
        if signum is None:  # not on this platform
            continue
        current = signal.getsignal(signum)
        if current in (signal.SIG_DFL, signal.default_int_handler):
            replaced[signum] = signal.signal(signum, _exit)
    return replaced


# Start-up (Typer, the policy, rich) allocates some 30,000 to 60,000 objects that live until the
# process ends. At the collector's default pace (every 700 allocations) it scanned them about 50
# times over, to free nothing: 6 to 8 ms of a 100 ms `migems check`. A run of migems collects
# every START_GC_ALLOCATIONS allocations instead (a batch sets its own pace: run_control.quiet_gc).
START_GC_ALLOCATIONS = 100_000


def start() -> None:
    """What a run of migems does first, before the slow imports: exit quietly on signals, and
    let the collector wait out start-up."""
    import gc

    exit_on_signals()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(START_GC_ALLOCATIONS, older, oldest)


# The console script imports this package first: from here on, Ctrl-C during the ~0.1 s of
# start-up exits 130 quietly instead of printing a KeyboardInterrupt traceback. Imported by
# anything else (tests, another program) the package leaves signals and the collector alone.
if _sys.argv and _sys.argv[0].replace("\\", "/").rpartition("/")[2] in (
    "migems",
    "migems.exe",
    "migems-script.py",
):
    start()


def version() -> str:
    """The installed distribution's version (one source: the package metadata)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _version

    try:
        return _version("migems")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
