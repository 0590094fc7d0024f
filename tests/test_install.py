"""The built wheel, installed (not editable) into a fresh venv, carries its policy.toml."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from migems_cli.errors import ExitCode

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_runs_check_from_another_directory(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
    )
    [wheel] = wheels.glob("migems-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    # the dependencies come from this environment; migems itself only from the wheel
    purelib = sysconfig.get_paths()["purelib"]
    target = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(target, "deps-from-test-env.pth").write_text(purelib + "\n")
    subprocess.run(
        [
            str(bin_dir / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
    )
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("MIGEMS_POLICY", "PYTHONPATH")}
    env["MIGEMS_TODAY"] = "2026-11-26"
    done = subprocess.run(
        [
            str(bin_dir / "migems"),
            "check",
            "--delivered",
            "2026-11-03",
            "--category",
            "rings",
            "--price",
            "120",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=workdir,
        env=env,
        check=False,
    )
    assert done.returncode == ExitCode.OK, done.stderr
    assert json.loads(done.stdout)["refund_amount"] == "120.00"
    located = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import migems_cli.policy as p; print(p.bundled_policy_path())",
        ],
        capture_output=True,
        text=True,
        cwd=workdir,
        env=env,
        check=True,
    ).stdout.strip()
    assert Path(located).is_relative_to(Path(target))
    assert Path(located).read_text(encoding="utf-8") == (ROOT / "policy.toml").read_text(
        encoding="utf-8"
    )
