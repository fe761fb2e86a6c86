"""What every fake network server shares: a Litestar app served by uvicorn on 127.0.0.1 in a thread,
scripted failures (status, body, headers) per endpoint, and a log of the calls it received."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from litestar import Litestar, Response


@dataclass
class Scripted:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # run the real handler first (the action happens), then answer this instead
    after_action: bool = False
    # seconds to stall before answering (a client with a shorter timeout sees no answer)
    delay: float = 0.0


class FakeNetwork:
    """State of one fake provider; handlers consult `scripted(endpoint)` before doing their work."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.queue: dict[str, list[Scripted]] = defaultdict(list)
        self.calls: list[tuple[str, str]] = []
        self.headers_seen: list[dict[str, str]] = []
        self.posts: list[dict[str, Any]] = []
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.revoked: list[str] = []
        self.media: dict[str, dict[str, Any]] = {}
        self.metrics: dict[str, dict[str, int]] = {}
        self.base_url = ""

    def reset(self) -> None:
        """Forget everything (tokens, posts, scripts) but keep serving at the same address."""
        base_url = self.base_url
        type(self).__init__(self)
        self.base_url = base_url

    def fail_next(
        self,
        endpoint: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        times: int = 1,
        after_action: bool = False,
        delay: float = 0.0,
    ) -> None:
        with self.lock:
            for _ in range(times):
                self.queue[endpoint].append(Scripted(status, body, headers or {}, after_action, delay))

    def take(self, endpoint: str) -> Scripted | None:
        with self.lock:
            queued = self.queue.get(endpoint)
            return queued.pop(0) if queued else None

    def log(self, endpoint: str, method: str, headers: dict[str, str]) -> None:
        with self.lock:
            self.calls.append((method, endpoint))
            self.headers_seen.append(headers)

    def count(self, endpoint: str) -> int:
        return sum(1 for _, e in self.calls if e == endpoint)

    # --- tokens ---------------------------------------------------------------------------------------

    def issue_code(self, **info: Any) -> str:
        code = secrets.token_urlsafe(16)
        self.codes[code] = info
        return code

    def issue_tokens(self, account: str, *, expires_in: int = 3600, scope: str = "") -> dict[str, Any]:
        access, refresh = "at-" + secrets.token_urlsafe(12), "rt-" + secrets.token_urlsafe(12)
        self.access_tokens[access] = {"account": account, "expires": time.time() + expires_in}
        self.refresh_tokens[refresh] = {"account": account}
        return {"access_token": access, "refresh_token": refresh, "expires_in": expires_in, "scope": scope}

    def expire_all_access_tokens(self) -> None:
        for info in self.access_tokens.values():
            info["expires"] = 0

    def bearer_account(self, authorization: str | None) -> str | None:
        """The account a bearer token belongs to, or None when it is unknown, revoked or expired."""
        if not authorization or not authorization.startswith("Bearer "):
            return None
        token = authorization[7:]
        info = self.access_tokens.get(token)
        if info is None or token in self.revoked or info["expires"] < time.time():
            return None
        return str(info["account"])


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


async def answer_scripted(
    network: FakeNetwork, endpoint: str, scripted: Scripted | None
) -> Response[Any] | None:
    if scripted is None:
        return None
    if scripted.delay:
        await asyncio.sleep(scripted.delay)
    return Response(content=scripted.body, status_code=scripted.status, headers=scripted.headers)


class FakeServer:
    """Serves a Litestar app on 127.0.0.1 (a free port) from a background thread."""

    def __init__(self, app: Litestar) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake server did not start")
            time.sleep(0.01)
        return self.url

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        self.sock.close()


@contextmanager
def serving(app: Litestar) -> Iterator[str]:
    server = FakeServer(app)
    try:
        yield server.start()
    finally:
        server.stop()
