"""What a path that is not a regular file is, in words: for the one-line refusals of a policy
file (`policy_load`) and of an `--output` target (`output_file`)."""

from __future__ import annotations

import stat

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISLNK, "a symbolic link"),
)


def file_kind(mode: int) -> str:
    """'a directory', 'a FIFO (named pipe)'... for `mode` (an st_mode), else 'not a regular file'."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")
