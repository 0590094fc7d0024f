"""A throwaway PostgreSQL server from the machine's binaries (initdb, pg_ctl), for the journal's
tests and its benchmark: a data folder in a temporary directory, a free local port, the socket
in the same directory. PostgreSQL refuses to run as root: as root (CI here) the server runs as
the unprivileged user `nobody`, through runuser.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

USER = "migems"


def missing() -> str | None:
    """Why no server can be started here, or None."""
    for tool in ("initdb", "pg_ctl"):
        if shutil.which(tool) is None:
            return f"no PostgreSQL server binaries here ({tool} is not on PATH)"
    return None


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "nobody", "--", *args]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgres_server(durable: bool = False) -> Iterator[str]:
    """Start a server; yield its URL (database `postgres`, user `migems`, trust auth); stop it.

    Not `durable`: fsync off, for the tests' speed (the benchmark keeps it on)."""
    root = Path(tempfile.mkdtemp(prefix="migems-pg-"))
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
    data = root / "data"
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C"}
    run = {"check": True, "capture_output": True, "env": env, "timeout": 120}
    subprocess.run(
        _as_server_user(
            ["initdb", "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync"]
        ),
        **run,  # type: ignore[call-overload]
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200"
    if not durable:
        options += " -c fsync=off"
    subprocess.run(
        _as_server_user(
            ["pg_ctl", "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]
        ),
        **run,  # type: ignore[call-overload]
    )
    try:
        yield f"postgresql://{USER}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user(["pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(url: str, name: str) -> str:
    """A new empty database on the server of `url`; its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name
