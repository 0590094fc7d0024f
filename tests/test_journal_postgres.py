"""The journal on PostgreSQL: a throwaway server started from the machine's binaries (see
tests/pg_server.py), one fresh database per test."""

from __future__ import annotations

import itertools
import json
import subprocess

import pytest

from migems_cli.errors import ExitCode
from tests import pg_server
from tests.helpers import migems_script, modules_after, script_env
from tests.test_journal import IN_TIME, LATE, REASON, concurrent_checks, one_line_error

_names = itertools.count()


@pytest.fixture(scope="session")
def pg_url():
    why = pg_server.missing()
    if why:
        pytest.skip(why)
    with pg_server.postgres_server() as url:
        yield url


@pytest.fixture
def pg(pg_url, monkeypatch) -> str:
    monkeypatch.delenv("MIGEMS_AGENT", raising=False)
    return pg_server.fresh_database(pg_url, f"journal_{next(_names)}")


def entries(url: str) -> list[dict[str, object]]:
    import psycopg

    with psycopg.connect(url) as db:
        found = db.execute("SELECT to_regclass('migems_entries')").fetchone()
        if found is None or found[0] is None:
            return []
        return [
            {"id": entry_id, **json.loads(body)}
            for entry_id, body in db.execute("SELECT id, body FROM migems_entries ORDER BY id")
        ]


def test_override_record_and_second_contact(run, pg) -> None:
    j = ["--journal", pg, "--order", "A1001"]
    assert run(*LATE, *j, "--record", "--agent", "ana").code == ExitCode.INELIGIBLE
    done = run(
        *LATE, *j, "--override", "eligible", "--override-reason", REASON, "--agent", "bo", "--json"
    )
    assert done.code == ExitCode.OK
    assert json.loads(done.out)["override"]["to"] == "eligible"
    again = json.loads(run(*LATE, *j, "--json").out)
    assert [e["agent"] for e in again["history"]] == ["bo", "ana"]
    assert "differs from the last one recorded" in again["warnings"][0]
    found = entries(pg)
    assert [e["decision"] for e in found] == ["ineligible", "eligible"]
    assert found[1]["override"]["reason"] == REASON


def test_migems_journal_names_the_server(run, pg) -> None:
    assert run(*IN_TIME, "--record", env={"MIGEMS_JOURNAL": pg}).code == 0
    assert len(entries(pg)) == 1
    listed = json.loads(run("log", "--json", env={"MIGEMS_JOURNAL": pg}).out)
    assert [e["decision"] for e in listed["entries"]] == ["eligible"]


@pytest.mark.slow  # 50 processes: .ci/run runs it (pytest -m slow)
def test_50_concurrent_checks_record_exactly_50_entries(pg) -> None:
    done = concurrent_checks(pg)
    assert [d.returncode for d in done] == [0] * 50, [d.stderr for d in done if d.returncode]
    found = entries(pg)
    assert sorted(e["order_id"] for e in found) == sorted(f"O{n}" for n in range(50))
    assert len({e["id"] for e in found}) == 50


def test_batch_record_and_a_streamed_export(run, pg, tmp_path) -> None:
    claims = tmp_path / "claims.csv"
    count = 5000  # more than the server-side cursor fetches at once
    with claims.open("w") as out:
        out.write("order_id,claim_id,delivered,category,price\n")
        out.writelines(f"A{n},C{n},2026-11-03,rings,{n % 90 + 10}\n" for n in range(count))
    done = run("batch", str(claims), "--record", "--journal", pg, "-o", str(tmp_path / "o.csv"))
    assert done.code == 0
    assert f"{count} entries recorded" in done.err
    export = run("log", "--journal", pg, "--format", "jsonl")
    lines = export.out.splitlines()
    assert len(lines) == count
    assert json.loads(lines[0])["order_id"] == f"A{count - 1}"  # newest first
    assert json.loads(lines[-1])["claim_id"] == "C0"
    shown = json.loads(
        run("log", "show", str(json.loads(lines[0])["id"]), "--journal", pg, "--json").out
    )
    assert shown["order_id"] == f"A{count - 1}"


def test_append_only_and_schema_versions(run, pg) -> None:
    import psycopg

    run(*IN_TIME, "--record", "--journal", pg)
    with psycopg.connect(pg, autocommit=True) as db:
        for statement in (
            "UPDATE migems_entries SET decision = 'x'",
            "DELETE FROM migems_entries",
            "TRUNCATE migems_entries",
        ):
            with pytest.raises(psycopg.Error, match="append-only"):
                db.execute(statement)
        versions = [v for (v,) in db.execute("SELECT version FROM migems_schema ORDER BY 1")]
        assert versions == [1, 2]
        db.execute("INSERT INTO migems_schema VALUES (7, 'later')")
    line = one_line_error(run(*IN_TIME, "--record", "--journal", pg))
    assert "schema version 7, newer than this migems knows (2)" in line
    assert len(entries(pg)) == 1


def test_an_unreachable_server_fails_writes_and_warns_reads(run, pg_url) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://agent:s3cret@127.0.0.1:{port}/journal"
    line = one_line_error(run(*IN_TIME, "--record", "--journal", url))
    assert line.startswith(f"Error: journal postgresql://agent:***@127.0.0.1:{port}/journal: ")
    assert "s3cret" not in line
    read = run(*IN_TIME, "--order", "A1", "--journal", url, "--json")
    assert read.code == 0
    assert read.err.startswith("Warning: journal postgresql://agent:***@")
    assert "s3cret" not in read.err
    assert json.loads(read.out)["history"] == []
    assert "s3cret" not in one_line_error(run("log", "--journal", url))


def test_a_bad_url_is_one_line(run) -> None:
    line = one_line_error(run(*IN_TIME, "--record", "--journal", "postgresql://[::1"))
    assert line.startswith("Error: journal postgresql://[::1: ")


def test_psycopg_only_for_a_postgresql_url(tmp_path, pg) -> None:
    watched = ("psycopg",)
    local = modules_after(
        [*IN_TIME, "--record", "--journal", str(tmp_path / "j")], watched, script_env()
    )
    assert (local.code, local.modules) == (0, [])
    remote = modules_after([*IN_TIME, "--record", "--journal", pg], watched, script_env())
    assert remote.code == 0
    assert "psycopg" in remote.modules


def test_console_script_records_into_postgres(pg) -> None:
    done = subprocess.run(
        [migems_script(), *LATE, "--override", "eligible", "--override-reason", REASON,
         "--agent", "ana", "--journal", pg],
        env=script_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert entries(pg)[0]["override"]["agent"] == "ana"


def test_ctrl_c_during_batch_record_leaves_whole_chunks(pg, tmp_path) -> None:
    import signal
    import time

    claims = tmp_path / "claims.csv"
    count = 60_000  # not a multiple of the 256-row chunk: a completed run is told apart
    with claims.open("w") as out:
        out.write("order_id,delivered,category,price\n")
        out.writelines(f"A{n},2026-11-03,rings,{n % 500 + 1}\n" for n in range(count))
    process = subprocess.Popen(
        [migems_script(), "batch", str(claims), "--record", "--journal", pg, "-o", str(tmp_path / "o.csv")],
        env=script_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None and not entries(pg):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert b"Traceback" not in err
    recorded = len(entries(pg))
    if process.returncode == ExitCode.INTERRUPTED:
        assert recorded % 256 == 0
        assert 0 < recorded < count
    else:  # the run finished before the signal came
        assert (process.returncode, recorded) == (0, count)


def test_a_password_in_the_query_is_hidden_too(run) -> None:
    url = "postgresql://agent@127.0.0.1:1/journal?password=s3cret&connect_timeout=2"
    line = one_line_error(run(*IN_TIME, "--record", "--journal", url))
    assert "s3cret" not in line
    assert "password=***&connect_timeout=2" in line
