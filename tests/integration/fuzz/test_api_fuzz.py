"""A property-based fuzzer (schemathesis) against the running app and its own OpenAPI document, as anonymous
and as each role: no 5xx, every 4xx a problem+json, every answer documented (status, media type, headers,
schema). Bounded for `make test`; FUZZ_LONG=1 runs every phase with more examples and also asks that every
request valid by the schema is accepted.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from advocacy.app import API_DOCS_PATH, create_app
from advocacy.settings import Settings
from tests.factories import Factory

ROOT = Path(__file__).resolve().parents[3]
LONG = os.environ.get("FUZZ_LONG") == "1"
CALLERS = ["anonymous", "employee", "curator", "reviewer", "compliance", "hr", "admin"]
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "ignored_auth",
    "unsupported_method",
    "four_xx_is_a_problem",  # tests/integration/fuzz/hooks.py
]
# Operations that end the caller itself (their own erasure, their token): the rest of a run would be
# anonymous. Their refusals and answers are covered by the privacy and auth tests.
SELF_ENDING = ["eraseMe", "erasePerson", "revokeMyToken"]
METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def served(settings: Settings) -> Iterator[str]:
    """The app served by uvicorn on a free port, in a thread, for the whole module."""
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


def _schemathesis(url: str, token: str | None, *, examples: int, phases: str, checks: list[str]) -> str:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{url}{API_DOCS_PATH}/openapi.json",
        "--checks",
        ",".join(checks),
        "--max-examples",
        str(examples),
        "--phases",
        phases,
        # the document cannot say "no NUL in any text"; refusing one is tested in test_untrusted_input.py
        "--generation-allow-x00",
        "false",
        "--seed",
        "2026",
        "--no-color",
        *(arg for operation in SELF_ENDING for arg in ("--exclude-operation-id", operation)),
    ]
    if token is not None:
        command += ["--header", f"Authorization: Bearer {token}"]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.integration.fuzz.hooks"},
        capture_output=True,
        text=True,
        timeout=1800 if LONG else 300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-5_000:]
    return result.stdout


@pytest.mark.slow
async def test_the_fuzzer_finds_every_answer_documented_for_every_caller(
    served: str, factory: Factory
) -> None:
    await factory.charter()
    tokens: dict[str, str | None] = {"anonymous": None}
    for role in CALLERS[1:]:
        tokens[role] = (await factory.person(role, ambassador=role == "employee")).token

    def run(caller: str) -> str | None:
        """The caller's failure report, or None when the run passed."""
        if LONG:
            examples, phases, checks = 25, "examples,coverage,fuzzing", [*CHECKS, "positive_data_acceptance"]
        else:
            # the admin reaches every operation; the other callers mostly meet their refusals
            examples, phases, checks = (3 if caller == "admin" else 1), "fuzzing", CHECKS
        try:
            _schemathesis(served, tokens[caller], examples=examples, phases=phases, checks=checks)
        except AssertionError as failure:
            return f"--- as {caller} ---\n{failure}"
        return None

    # A few runs at once: each spends most of its time generating cases, the app serves them all.
    with ThreadPoolExecutor(max_workers=3) as pool:
        reports = await asyncio.gather(*(asyncio.wrap_future(pool.submit(run, c)) for c in CALLERS))
    failures = [report for report in reports if report is not None]
    assert not failures, "\n".join(failures)


async def test_options_and_undeclared_methods_answer_the_documented_allow(
    served: str, factory: Factory
) -> None:
    admin = await factory.person("admin")
    headers = {"Authorization": f"Bearer {admin.token}"}
    async with httpx.AsyncClient(base_url=served, headers=headers) as http:
        document = (await http.get(f"{API_DOCS_PATH}/openapi.json")).json()
        for path, item in document["paths"].items():
            concrete = _concrete(path, item)
            documented = {method.upper() for method in item if method in METHODS} | {"OPTIONS"}
            options = await http.options(concrete)
            assert options.status_code == 204, (path, options.text)
            assert set(options.headers["allow"].split(", ")) == documented, path
            refused = await http.request("TRACE", concrete)
            assert refused.status_code == 405, path
            assert refused.headers["content-type"].startswith("application/problem+json"), path
            assert set(refused.headers["allow"].split(", ")) == documented, path


def _concrete(path: str, item: dict[str, Any]) -> str:
    """The path with a value of the right type for each parameter (an unknown one: a 404 past routing)."""
    for operation in item.values():
        for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
            if parameter.get("in") != "path":
                continue
            schema = parameter.get("schema", {})
            value = "1" if schema.get("type") == "integer" else "x"
            if schema.get("format") == "uuid":
                value = "0b4a41a4-1d0a-4cd3-8a6d-6f0a0f0f0f0f"
            elif "enum" in schema:
                value = str(schema["enum"][0])
            path = path.replace("{" + parameter["name"] + "}", value)
    return path
