"""`batch --output`: written atomically, and never over anything but a regular file.

The results go to a temporary file beside the target, renamed onto it only when complete; on
any failure or terminating signal the temporary file is removed and the target is untouched.
A rename replaces whatever the path names, so the target is checked first; it is refused (exit
2, one line naming --output) when it exists and is:
- not a regular file: a directory, FIFO, socket or device (`--output /dev/null` would turn the
  device into a regular file when run as root), or a symbolic link, even to a regular file (the
  link would be replaced and its target left stale; name the file itself);
- the input file (same device and inode: the input named by another path, a hard link to it,
  or the file stdin reads from);
- read-only. Judged by its mode bits, not only by access(2): for root, access(2) says every
  file is writable, so a file none of whose write bits is set (chmod a-w, 0444) is refused for
  everyone, root included; for other users a file access(2) says they cannot write is refused too.
A replaced file keeps its permission bits (a new file gets 0666 less the umask, as any program
creates one). A missing folder is one line saying so.
"""

from __future__ import annotations

import os
import signal
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TextIO

from migems_cli import TERMINATING, exit_on_signals
from migems_cli.errors import InputError
from migems_cli.file_kinds import file_kind


def check_target(path: Path, source: os.stat_result | None) -> os.stat_result | None:
    """The target's status if it is a regular file that may be replaced, None if it does not
    exist yet; an `InputError` for --output otherwise. `source`: the input's status, if known."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        folder = path.parent
        if not folder.is_dir():
            raise _refused(
                path, f"cannot be written: the folder {str(folder)!r} does not exist"
            ) from None
        return None
    except OSError as exc:  # a file where a folder should be (ENOTDIR), no permission...
        raise _refused(path, f"cannot be written ({exc.strerror})") from None
    mode = found.st_mode
    if stat.S_ISLNK(mode):
        raise _refused(path, "is a symbolic link: name the file itself (a link is never replaced)")
    if not stat.S_ISREG(mode):
        kind = file_kind(mode)
        raise _refused(path, f"is {kind}: only a regular file is ever replaced")
    if source is not None and (found.st_dev, found.st_ino) == (source.st_dev, source.st_ino):
        raise _refused(path, "is the input file: write the results to another file")
    if not mode & 0o222 or not os.access(path, os.W_OK):
        raise _refused(path, "is read-only: make it writable or choose another file")
    return found


def _refused(path: Path, message: str) -> InputError:
    return InputError("--output", str(path), message)


@contextmanager
def atomic_output(path: Path, source: os.stat_result | None) -> Iterator[TextIO]:
    """A UTF-8 text file (newlines untranslated) that becomes `path` when the block completes."""
    target = check_target(path, source)
    # Installed by the console script already; in any other caller (python -m, tests), for
    # the time the temporary file exists.
    replaced = exit_on_signals()
    # Held back while the temporary file is made and while it is removed, so that no signal
    # (a second Ctrl-C...) can come between its creation and the `try` that removes it.
    held = hold_signals(terminating_signals())
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        release_signals(held)
        raise _refused(path, f"cannot be written ({exc.strerror})") from None
    try:
        release_signals(held)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=1 << 16) as out:
                yield out
        except OSError as exc:  # a full disk, a quota...
            raise _refused(path, f"cannot be written ({exc.strerror})") from None
        if target is not None:
            mode = stat.S_IMODE(target.st_mode)
            if (target.st_uid, target.st_gid) != (os.getuid(), os.getgid()):
                with suppress(OSError):  # root can keep the owner; others may keep the group
                    os.chown(temp, target.st_uid, target.st_gid)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask  # mkstemp's 0600 would surprise whoever reads it next
        os.chmod(temp, mode)
        check_target(path, source)  # still what was checked: not swapped for a link meanwhile
        os.replace(temp, path)
    except BaseException:
        held = hold_signals(terminating_signals())
        with suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    finally:
        for signum, handler in replaced.items():
            signal.signal(signum, handler)
        release_signals(held)


def terminating_signals() -> list[int]:
    return [getattr(signal, name) for name in TERMINATING if hasattr(signal, name)]


def hold_signals(signals: list[int]) -> Any:
    """Block `signals` (they wait, pending); the mask to go back to."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, signals)


def release_signals(mask: Any) -> None:
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
