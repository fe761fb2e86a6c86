"""App factories the HTTP benchmarks serve: the real app on a bench database, and a bare Litestar route."""

from __future__ import annotations

import os

from litestar import Litestar, get
from litestar.response import Redirect

from advocacy.app import create_app
from advocacy.settings import load_settings


def real_app() -> Litestar:
    """The service as deployed, configured from the environment the benchmark sets."""
    return create_app(load_settings(env_file=None))


@get("/bare", sync_to_thread=False)
def bare_constant() -> dict[str, str]:
    return {"status": "ok"}


_TARGETS = {"abc123": os.environ.get("BENCH_REDIRECT_TARGET", "https://example.com/landing?utm_source=x")}


@get("/bare-redirect/{code:str}", sync_to_thread=False)
def bare_redirect(code: str) -> Redirect:
    return Redirect(_TARGETS.get(code, "https://example.com/"), status_code=302)


def bare_app() -> Litestar:
    """A bare Litestar app: one route returning a constant, one redirect from a dict (the baselines)."""
    return Litestar([bare_constant, bare_redirect], openapi_config=None)
