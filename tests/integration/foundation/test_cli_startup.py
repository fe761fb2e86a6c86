"""`advocacy` start-up errors: a busy port, a bad setting or an unreachable database end it at once, in one line."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ADVOCACY = str(Path(sys.executable).parent / "advocacy")


def run(tmp_path: Path, *args: str, **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the console script in an empty folder with only the given variables (no .env, no inherited settings)."""
    started = time.monotonic()
    done = subprocess.run(
        [ADVOCACY, *args],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done, time.monotonic() - started


def error_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield held.getsockname()[1]


def test_up_on_a_busy_port_stops_with_one_line_saying_so(tmp_path: Path, busy_port: int) -> None:
    done, seconds = run(tmp_path, "up", "--port", str(busy_port), "--data-dir", str(tmp_path / "data"))
    assert done.returncode != 0
    [line] = error_lines(done)
    assert "already in use" in line and str(busy_port) in line
    assert seconds < 10
    assert not (tmp_path / "data" / "postgres").exists()  # nothing was started


def test_up_with_a_bad_setting_stops_with_one_line_naming_it(tmp_path: Path) -> None:
    done, seconds = run(
        tmp_path, "up", "--port", "0", "--data-dir", str(tmp_path / "data"), DEFAULT_LANGUAGE="de"
    )
    assert done.returncode != 0
    [line] = error_lines(done)
    assert "DEFAULT_LANGUAGE" in line and "fr or en" in line
    assert seconds < 10
    assert not (tmp_path / "data" / "postgres").exists()  # refused before any embedded server started


def test_migrate_with_a_bad_setting_stops_with_one_line_naming_it(tmp_path: Path) -> None:
    done, _ = run(
        tmp_path,
        "migrate",
        DATABASE_URL="postgresql://postgres@127.0.0.1:1/x",
        REDIS_URL="redis://127.0.0.1:1/0",
        MAX_UPLOAD_BYTES="lots",
    )
    assert done.returncode != 0
    [line] = error_lines(done)
    assert "MAX_UPLOAD_BYTES" in line


def test_migrate_with_an_unreachable_database_says_it_cannot_reach_postgresql(tmp_path: Path) -> None:
    done, seconds = run(
        tmp_path,
        "migrate",
        DATABASE_URL="postgresql://postgres@127.0.0.1:1/x",
        REDIS_URL="redis://127.0.0.1:1/0",
        SECRET_KEY="s" * 40,
    )
    assert done.returncode != 0
    [line] = error_lines(done)
    assert "cannot reach PostgreSQL" in line and "DATABASE_URL" in line
    assert seconds < 10


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_up_says_what_it_is_doing_before_it_is_ready(tmp_path: Path, stores: Any) -> None:
    """A first start takes half a minute: each step is said as it begins, with the time since the start."""
    process = subprocess.Popen(
        [ADVOCACY, "up", "--no-demo", "--port", str(free_port()), "--data-dir", str(tmp_path / "data")],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "DATABASE_URL": stores.database_url,
            "REDIS_URL": stores.redis_url,
            "REDIS_NAMESPACE": stores.namespace,
            "SECRET_KEY": "s" * 40,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip())
            if "Advocacy is running" in line:
                break
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    steps = [line for line in lines if line.startswith("[")]
    assert any("applying database migrations" in step for step in steps), lines
    assert any("starting the API" in step for step in steps), lines
    assert all(step.split("]")[0].endswith(" s") for step in steps)
    assert any("Advocacy is running" in line for line in lines), lines
