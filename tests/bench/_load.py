"""Loopback load for the HTTP benchmarks: serve an app with uvicorn in a subprocess, load it with wrk.

wrk (Debian's package; `make bench` installs it when missing) runs as a second process, so the server
under test has a core of its own on a 2-core machine. Each run is bounded in time and connections.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import msgspec


class LoadResult(msgspec.Struct, frozen=True, kw_only=True):
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(factory: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve `module:function` (an app factory taking no arguments) on a loopback port; yields the base URL."""
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", factory, "--factory", "--host", "127.0.0.1", "--port", str(port),
        "--no-access-log", "--log-level", "warning", "--loop", "uvloop", "--http", "httptools",
    ]  # fmt: skip
    process = subprocess.Popen(command, env={**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"{factory} exited with {process.returncode}") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if not match:
        return float("nan")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(
    url: str, *, seconds: int = 8, connections: int = 32, headers: dict[str, str] | None = None
) -> LoadResult:
    """Load `url` with wrk (1 thread) and parse requests/s and latency percentiles."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: `apt-get install -y wrk` (make bench does it)")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return LoadResult(rps=rps, p50_ms=p50, p99_ms=p99, requests=total, errors=errors)


class Target(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    headers: dict[str, str] = {}


def interleaved(
    subject: Target, baseline: Target, *, rounds: int = 3, seconds: int = 4
) -> tuple[LoadResult, LoadResult]:
    """Measure subject and baseline in alternation, `rounds` times each, and keep each side's median round.

    Both servers are up at once (an idle one costs nothing), so a burst of other work on the machine hits
    both sides alike instead of whichever happened to run during it.
    """
    wrk(baseline.url, seconds=2, headers=baseline.headers)
    wrk(subject.url, seconds=2, headers=subject.headers)
    subject_runs, baseline_runs = [], []
    for _ in range(rounds):
        baseline_runs.append(wrk(baseline.url, seconds=seconds, headers=baseline.headers))
        subject_runs.append(wrk(subject.url, seconds=seconds, headers=subject.headers))
    return median_run(subject_runs), median_run(baseline_runs)


def median_run(runs: list[LoadResult]) -> LoadResult:
    ordered = sorted(runs, key=lambda run: run.rps)
    middle = ordered[len(ordered) // 2]
    return msgspec.structs.replace(middle, errors=sum(run.errors for run in runs))


def warm_then_measure(url: str, *, headers: dict[str, str] | None = None, seconds: int = 8) -> LoadResult:
    wrk(url, seconds=2, headers=headers)
    return wrk(url, seconds=seconds, headers=headers)
