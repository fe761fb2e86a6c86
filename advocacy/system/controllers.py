"""Operations endpoints: liveness, readiness (stores reachable, migrations current), Prometheus metrics."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
from typing import Any

import msgspec
from litestar import Controller, MediaType, Request, Response, get
from prometheus_client import generate_latest

from advocacy.core.errors import Forbidden, Unauthenticated
from advocacy.core.i18n import lazy_gettext
from advocacy.db.migrations import pending_migrations
from advocacy.http.deps import DbDep
from advocacy.http.guards import PUBLIC
from advocacy.http.middleware import client_address, header
from advocacy.outbox.service import counts
from advocacy.settings import Settings


class Health(msgspec.Struct, frozen=True, kw_only=True):
    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)


def check_metrics_caller(settings: Settings, scope: Any) -> None:
    """With METRICS_TOKEN set, the scraper must send it as a bearer token; unset, only a caller on the
    loopback address (a sidecar, or `curl` on the host) may read the metrics."""
    if settings.metrics_token:
        scheme, _, given = (header(scope, b"authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), settings.metrics_token.encode()
        ):
            raise Unauthenticated(
                lazy_gettext("Send the metrics token (METRICS_TOKEN) as 'Authorization: Bearer <token>'")
            )
        return
    try:
        loopback = ipaddress.ip_address(client_address(scope)).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise Forbidden(
            lazy_gettext("/metrics answers the loopback address only while METRICS_TOKEN is unset")
        )


class SystemController(Controller):
    path = "/"
    tags = ["operations"]
    guards = [PUBLIC]
    include_in_schema = True

    @get("/healthz", operation_id="healthz")
    async def healthz(self) -> Health:
        """The process is alive."""
        return Health(status="ok")

    @get("/readyz", operation_id="readyz")
    async def readyz(self, request: Request[Any, Any, Any], db: DbDep) -> Response[Health]:
        """PostgreSQL and Redis answer and the migrations are current."""
        checks: dict[str, str] = {}
        try:
            async with asyncio.timeout(2):
                async with db.connection() as conn:
                    pending = await pending_migrations(conn)
            checks["postgresql"] = "ok"
            checks["migrations"] = "ok" if not pending else f"{len(pending)} pending: run `advocacy migrate`"
        except Exception as exc:
            checks["postgresql"] = f"unreachable: {type(exc).__name__}"
        try:
            async with asyncio.timeout(2):
                await request.app.state.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"unreachable: {type(exc).__name__}"
        ready = all(value == "ok" for value in checks.values())
        return Response(
            Health(status="ready" if ready else "not ready", checks=checks), status_code=200 if ready else 503
        )

    @get("/metrics", operation_id="metrics", media_type=MediaType.TEXT)
    async def metrics(self, request: Request[Any, Any, Any], db: DbDep) -> Response[bytes]:
        """Prometheus text format: requests and latencies per route, outbox rows per state (all workers)."""
        state = request.app.state
        check_metrics_caller(state.settings, request.scope)
        body = generate_latest(state.metrics.registry)
        try:
            by_status = await counts(db)
        except Exception:
            by_status = {}
        lines = ["# HELP advocacy_outbox_rows Outbox rows (jobs) by state, across every worker",
                 "# TYPE advocacy_outbox_rows gauge"]  # fmt: skip
        for status in ("pending", "enqueued", "done", "parked"):
            lines.append(f'advocacy_outbox_rows{{status="{status}"}} {by_status.get(status, 0)}')
        body += ("\n".join(lines) + "\n").encode()
        return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
