"""Outbound fetches: IPv6 forms that carry an IPv4 address are judged by it, a connection goes to the address
that was checked (no second DNS lookup), and a refusal never says which private address a name has."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from content_library.sources.safe_fetch import (
    FetchPolicy,
    FetchRefused,
    checked_addresses,
    forbidden_address,
    pinned_transport,
)


@pytest.mark.parametrize(
    "address",
    [
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "::ffff:0:169.254.169.254",  # IPv4-translated (SIIT)
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254 (cloud metadata)
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::a00:1",  # local-use NAT64
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo whose client is 10.0.0.1 (obfuscated)
        "::10.0.0.1",  # IPv4-compatible
        "::127.0.0.1",
        "fd00::1",
        "fe80::1",
        "::1",
        "::",
    ],
)
def test_ipv6_forms_of_private_addresses_are_refused(address: str) -> None:
    assert forbidden_address(address) is not None


@pytest.mark.parametrize(
    "address", ["2002:5db8:d822::", "64:ff9b::5db8:d822", "2606:4700::1111", "93.184.216.34"]
)
def test_public_addresses_in_any_form_are_allowed(address: str) -> None:
    assert forbidden_address(address) is None


async def test_a_refusal_does_not_say_which_private_address_a_name_has() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["10.20.30.40"]

    with pytest.raises(FetchRefused) as refused:
        await checked_addresses("intranet.example", 443, FetchPolicy(), resolver)
    assert refused.value.reason == "private-address"
    assert "10.20.30.40" not in str(refused.value.detail) and "10.20.30.40" not in str(refused.value.extra)


@pytest.fixture
async def local_server() -> AsyncIterator[tuple[int, list[bytes]]]:
    seen: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield port, seen


async def test_a_connection_goes_to_the_checked_address_without_a_second_lookup(
    local_server: tuple[int, list[bytes]],
) -> None:
    port, seen = local_server
    lookups: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    # a name no DNS knows: the request can only succeed by the address the check resolved
    transport = pinned_transport(FetchPolicy(allow_private=True), resolver)
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.get(f"http://pinned.invalid:{port}/")
    assert response.status_code == 200 and response.text == "ok"
    assert lookups == ["pinned.invalid"]
    assert b"host: pinned.invalid" in seen[0].lower()  # the name is still what the server is told


async def test_a_name_rebound_to_a_private_address_is_refused_at_connection(
    local_server: tuple[int, list[bytes]],
) -> None:
    port, seen = local_server

    async def rebinding(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]  # checked once as public earlier; now it points inside

    async with httpx.AsyncClient(transport=pinned_transport(FetchPolicy(), rebinding)) as client:
        with pytest.raises(httpx.ConnectError) as refused:
            await client.get(f"http://mastodon.example:{port}/api/v1/apps")
    assert "127.0.0.1" not in str(refused.value) and seen == []
