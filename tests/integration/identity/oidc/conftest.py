"""A real OpenID provider (npm's oidc-provider, run by the machine's Node.js on loopback) and the app served
by uvicorn on loopback, for the OIDC tests; both start once per session. Needs node and npm: skipped without."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import pytest
import uvicorn

from advocacy.app import create_app
from advocacy.settings import Settings

PACKAGE = "oidc-provider@9.13.3"  # runs on Node 20 (it prefers 22 and says so in a warning)
PREFIX = Path(__file__).resolve().parents[4] / ".oidc-provider"  # git-ignored
CLIENT_ID = "advocacy"
CLIENT_SECRET = "advocacy-secret-0123456789abcdef"
OTHER_CLIENT = ("other-app", "other-app-secret-0123456789abcdef")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Provider(msgspec.Struct, frozen=True, kw_only=True):
    issuer: str
    app_url: str


def _install() -> None:
    if (PREFIX / "node_modules" / "oidc-provider" / "package.json").is_file():
        return
    PREFIX.mkdir(exist_ok=True)
    subprocess.run(
        ["npm", "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund", "--silent", PACKAGE],
        check=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("OIDC tests need Node.js and npm (they run the oidc-provider package)")
    _install()
    # ESM resolves 'oidc-provider' from the script's own folder: the config runs beside its node_modules
    shutil.copy(Path(__file__).with_name("provider.mjs"), PREFIX / "provider.mjs")
    port, app_port = _free_port(), _free_port()
    issuer, app_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{app_port}"
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_APP_URL": app_url}
    log = (PREFIX / "provider.log").open("w")
    process = subprocess.Popen(["node", "provider.mjs"], cwd=PREFIX, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the OpenID provider did not start: see .oidc-provider/provider.log")
            time.sleep(0.1)
        yield Provider(issuer=issuer, app_url=app_url)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def oidc_settings(settings: Settings, oidc_provider: Provider) -> Settings:
    return settings.replace(
        public_base_url=oidc_provider.app_url,
        oidc_issuer=oidc_provider.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_scopes="openid email profile groups",
        oidc_display_name="Test IdP",
    )


@pytest.fixture(scope="session")
def oidc_app(oidc_settings: Settings) -> Iterator[str]:
    """The app on loopback (uvicorn in a thread, its own event loop), as the provider's redirects reach it."""
    port = int(oidc_settings.public_base_url.rsplit(":", 1)[1])
    config = uvicorn.Config(
        create_app(oidc_settings), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="oidc-app", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start for the OIDC tests")
        time.sleep(0.05)
    yield oidc_settings.public_base_url
    server.should_exit = True
    thread.join(timeout=15)


def provider_log() -> str:
    path = PREFIX / "provider.log"
    return path.read_text() if path.is_file() else ""
