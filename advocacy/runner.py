"""Running the service: start-up checks, migrations, and the API and worker together in one process."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import signal
import socket
import sys
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import asyncpg
import uvicorn

from advocacy.db.migrations import MigrationError, migrate
from advocacy.db.pool import init_connection
from advocacy.settings import Settings


class StartupError(Exception):
    """Something a person must fix before the service can start; the message says what and how."""


def check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise StartupError(
                    f"port {port} on {host} is already in use: stop what uses it or pass --port"
                ) from None
            raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def _where(url: str) -> str:
    parts = urlsplit(url)
    return parts.hostname or parts.path or url


async def connect_checked(settings: Settings, timeout: float = 10) -> asyncpg.Connection:
    try:
        conn: asyncpg.Connection = await asyncpg.connect(
            settings.database_url, timeout=timeout, server_settings={"timezone": "UTC"}
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise StartupError(
            f"cannot reach PostgreSQL at {_where(settings.database_url)} ({type(exc).__name__}: {exc}): "
            "check DATABASE_URL, or unset it to use the embedded server"
        ) from None
    await init_connection(conn)
    return conn


async def check_redis(settings: Settings) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(settings.redis_url, socket_connect_timeout=5)
    try:
        await client.ping()
    except Exception as exc:
        raise StartupError(
            f"cannot reach Redis at {_where(settings.redis_url)} ({type(exc).__name__}): "
            "check REDIS_URL, or unset it to use the embedded server"
        ) from None
    finally:
        await client.aclose()


async def prepare_database(
    settings: Settings, *, demo: bool, progress: Callable[[str], None] | None = None
) -> list[str]:
    """Apply migrations and, when asked, seed the demo organisation; returns the migrations applied."""
    say = progress or (lambda step: None)
    conn = await connect_checked(settings)
    say("applying database migrations")
    try:
        try:
            applied = await migrate(conn)
        except MigrationError as exc:
            raise StartupError(str(exc)) from None
    finally:
        await conn.close()
    if demo:
        from advocacy.db.pool import Database
        from advocacy.demo import seed_demo

        say("loading the demo organisation (the first time also makes its image renditions)")
        db = await Database.connect(settings.database_url, min_size=1, max_size=4)
        try:
            from advocacy.content.wiring import storage_from_settings

            await seed_demo(db, storage_from_settings(settings))
            from advocacy.demo import DEMO_INVITEE
            from advocacy.identity.service import invite_again_or_first

            # A fresh link at every start while the invitee has no password: it shows in this run's log.
            await invite_again_or_first(db, settings, DEMO_INVITEE[0])
        finally:
            await db.close()
    return applied


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The runner owns SIGINT/SIGTERM so it can stop the worker and the embedded servers too.
        yield


def uvicorn_config(app: object, *, host: str, port: int, settings: Settings) -> uvicorn.Config:
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
        server_header=False,
        log_level=settings.log_level,
        timeout_keep_alive=int(settings.keep_alive_seconds),
    )


async def serve_all(settings: Settings, *, host: str, port: int, with_worker: bool, on_ready: str) -> None:
    """Serve the API (and the worker, if asked) until SIGINT or SIGTERM, then stop both cleanly."""
    from advocacy.app import create_app
    from workers.settings import build_worker

    await check_redis(settings)
    server = _Server(uvicorn_config(create_app(settings), host=host, port=port, settings=settings))
    worker = build_worker(settings, handle_signals=False) if with_worker else None
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()

    def stop() -> None:
        server.should_exit = True
        stopping.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    server_task = asyncio.create_task(server.serve())
    worker_task = asyncio.create_task(worker.async_run()) if worker else None
    while not server.started and not server_task.done():  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.05)
    if server.started:
        print(on_ready, flush=True)
    await asyncio.wait(
        [t for t in (server_task, worker_task, asyncio.create_task(stopping.wait())) if t is not None],
        return_when=asyncio.FIRST_COMPLETED,
    )
    server.should_exit = True
    if worker_task is not None and worker is not None:
        worker_task.cancel()
        await asyncio.gather(worker_task, return_exceptions=True)
        await worker.close()
    await asyncio.gather(server_task, return_exceptions=True)
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(sig)
    if server_task.done() and not server_task.cancelled() and server_task.exception() is not None:
        raise StartupError(f"the web server stopped: {server_task.exception()}")
    if not server.started and not stopping.is_set():
        raise StartupError(f"the web server could not start on {host}:{port}")


def fail(message: str) -> None:
    print(f"advocacy: error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(2)
