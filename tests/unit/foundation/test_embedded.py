"""The embedded Redis is stopped when the servers stop, even while a client is still connected."""

from __future__ import annotations

import tempfile
from pathlib import Path

import psutil
from redis import Redis

from advocacy.embedded import EmbeddedServers


def test_the_embedded_redis_stops_even_with_a_client_still_connected() -> None:
    folder = Path(tempfile.mkdtemp(prefix="advocacy-embedded-"))
    folder.chmod(0o755)
    servers = EmbeddedServers(folder, database_url="postgresql://unused@127.0.0.1/unused", redis_url=None)
    with servers:
        assert servers.redis_url
        forgotten = Redis.from_url(servers.redis_url)
        forgotten.set("k", "v")
        pid = servers._redis.pid  # type: ignore[attr-defined]
        assert psutil.pid_exists(pid)
    assert not psutil.pid_exists(pid)
    forgotten.close()
