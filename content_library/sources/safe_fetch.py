"""Outbound fetches of URLs people typed: no private, loopback or link-local targets (checked after DNS
resolution and again on every redirect, connecting to the address that was checked), bounded in size and
time, and a clear reason when refused."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpcore
import httpx
import msgspec

from advocacy.core.errors import Invalid, Text
from advocacy.core.i18n import lazy_gettext

REDIRECTS = frozenset({301, 302, 303, 307, 308})
# (host, port) -> the host's addresses; `resolve` (the system's DNS) unless a test gives another
Resolver = Callable[[str, int], Awaitable[list[str]]]


class FetchRefused(Invalid):
    """An outbound fetch we would not make (or could not finish), with a stable `reason` code."""

    kind = "fetch-refused"
    title = lazy_gettext("The address could not be fetched")

    def __init__(self, reason: str, detail: Text) -> None:
        super().__init__(detail, extra={"reason": reason})
        self.reason = reason


class FetchPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """Bounds of one fetch. `allow_private` exists for tests serving pages from 127.0.0.1 only."""

    allow_private: bool = False
    max_bytes: int = 2 * 1024 * 1024
    timeout: float = 10.0
    max_redirects: int = 5
    user_agent: str = "AdvocacyBot/1.0 (+content library)"


class FetchResult(msgspec.Struct, frozen=True, kw_only=True):
    url: str  # after redirects
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


# IPv6 forms that carry an IPv4 address, judged by that address: NAT64 (RFC 6052, well-known prefix),
# IPv4-compatible (::a.b.c.d, deprecated) and SIIT's IPv4-translated (::ffff:0:a.b.c.d); 6to4, Teredo and
# IPv4-mapped are read by the ipaddress module itself.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local-use, never a public destination
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)  # (server, client): a Teredo address reaches the client through the server
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _NAT64 or ip in _IPV4_TRANSLATED:
        return [low32]
    if ip in _IPV4_COMPATIBLE and int(ip) > 0xFFFF:  # not :: and ::1, which are judged as themselves
        return [low32]
    return []


def forbidden_address(address: str) -> str | None:
    """Why this IP address may not be fetched, or None if it is a public address. An IPv6 address that
    carries an IPv4 one (IPv4-mapped, 6to4, Teredo, NAT64, IPv4-compatible) is judged by what it carries."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return "private"
        embedded = _embedded_ipv4(ip)
        if embedded:
            reasons = [why for why in map(_judge, embedded) if why is not None]
            return reasons[0] if reasons else None
    return _judge(ip)


def _judge(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return "reserved"
    if not ip.is_global:
        return "private"
    return None


async def resolve(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise FetchRefused(
            "unresolvable", lazy_gettext("The host %(host)s could not be found (DNS).", host=host)
        ) from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise FetchRefused(
            "unresolvable", lazy_gettext("The host %(host)s could not be found (DNS).", host=host)
        )
    return list(dict.fromkeys(addresses))


async def checked_address(url: str, policy: FetchPolicy) -> tuple[str, str, int]:
    """(host, address to connect to, port) for a URL we may fetch; FetchRefused otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(
            "scheme",
            lazy_gettext(
                "Only http and https addresses can be fetched, not %(scheme)s.", scheme=repr(parts.scheme)
            ),
        )
    host = parts.hostname
    if not host:
        raise FetchRefused("no-host", lazy_gettext("The address has no host name."))
    if parts.username or parts.password:
        raise FetchRefused(
            "credentials", lazy_gettext("Addresses with a user name or password are not fetched.")
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchRefused("bad-port", lazy_gettext("The address has an invalid port.")) from None
    addresses = await checked_addresses(host, port, policy)
    return host, addresses[0], port


async def checked_addresses(
    host: str, port: int, policy: FetchPolicy, resolver: Resolver | None = None
) -> list[str]:
    """The addresses of a host name, every one of them public (unless the policy allows private ones);
    FetchRefused otherwise. The refusal names the kind of address, never the address itself."""
    addresses = await (resolver or resolve)(host, port)
    if not policy.allow_private:
        for address in addresses:
            why = forbidden_address(address)
            if why is not None:
                raise FetchRefused(
                    f"{why}-address",
                    lazy_gettext(
                        "%(host)s resolves to a %(value)s address: only public addresses are fetched.",
                        host=host,
                        value=why.replace("-", " "),
                    ),
                )
    return addresses


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, but each connection resolves its host once, checks every address, and
    connects to the checked one: no second DNS lookup can send it elsewhere (DNS rebinding). TLS still
    verifies the certificate against, and sends SNI for, the host name (httpcore starts TLS with the URL's
    host, not with the address connected to)."""

    def __init__(self, policy: FetchPolicy, resolver: Resolver | None = None) -> None:
        self._policy = policy
        self._resolver = resolver
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await checked_addresses(host, port, self._policy, self._resolver)
        except FetchRefused as exc:
            # an httpcore error, so that httpx callers see an ordinary ConnectError (no address in it)
            raise httpcore.ConnectError(f"{host}: refused ({exc.reason})") from None
        return await self._inner.connect_tcp(
            addresses[0], port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("Unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def pinned_transport(policy: FetchPolicy, resolver: Resolver | None = None) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every connection goes through PinnedBackend (give it to an AsyncClient that
    talks to hosts people typed: a Mastodon server, a PDS)."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx 0.28 takes no network backend: its pool is rebuilt around ours, with the same TLS context.
    default: httpcore.AsyncConnectionPool = transport._pool
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=default._ssl_context,
        max_connections=default._max_connections,
        max_keepalive_connections=default._max_keepalive_connections,
        keepalive_expiry=default._keepalive_expiry,
        network_backend=PinnedBackend(policy, resolver),
    )
    return transport


def _pinned_url(url: str, address: str, port: int) -> str:
    parts = urlsplit(url)
    literal = f"[{address}]" if ":" in address else address
    return urlunsplit((parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))


async def safe_get(
    url: str,
    *,
    policy: FetchPolicy,
    headers: dict[str, str] | None = None,
    client: httpx.AsyncClient | None = None,
) -> FetchResult:
    """GET url under the policy, following redirects by hand so that each hop is checked."""
    try:
        async with asyncio.timeout(policy.timeout):
            return await _get(url, policy=policy, headers=headers or {}, client=client)
    except TimeoutError:
        raise FetchRefused(
            "timeout",
            lazy_gettext(
                "The page did not answer within %(timeout)s s.", timeout=format(policy.timeout, "g")
            ),
        ) from None


async def _get(
    url: str, *, policy: FetchPolicy, headers: dict[str, str], client: httpx.AsyncClient | None
) -> FetchResult:
    own = client is None
    http = client or httpx.AsyncClient(follow_redirects=False, timeout=policy.timeout, trust_env=False)
    try:
        current = url
        for _ in range(policy.max_redirects + 1):
            host, address, port = await checked_address(current, policy)
            parts = urlsplit(current)
            default_port = 443 if parts.scheme == "https" else 80
            request_headers = {
                "User-Agent": policy.user_agent,
                "Accept-Encoding": "identity",
                **headers,
                "Host": host if port == default_port else f"{host}:{port}",
            }
            request = http.build_request(
                "GET",
                _pinned_url(current, address, port),
                headers=request_headers,
                extensions={"sni_hostname": host},
            )
            try:
                response = await http.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise FetchRefused(
                    "unreachable",
                    lazy_gettext(
                        "%(host)s could not be reached: %(error)s.", host=host, error=type(exc).__name__
                    ),
                ) from None
            try:
                if response.status_code in REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchRefused(
                            "bad-redirect", lazy_gettext("The page redirected without saying where.")
                        )
                    current = urljoin(current, location)
                    continue
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > policy.max_bytes:
                    raise FetchRefused(
                        "too-large",
                        lazy_gettext(
                            "The page is larger than %(max_bytes)s bytes.",
                            max_bytes=format(policy.max_bytes, ","),
                        ),
                    )
                body = bytearray()
                async for chunk in response.aiter_raw():
                    body.extend(chunk)
                    if len(body) > policy.max_bytes:
                        raise FetchRefused(
                            "too-large",
                            lazy_gettext(
                                "The page is larger than %(max_bytes)s bytes.",
                                max_bytes=format(policy.max_bytes, ","),
                            ),
                        )
                return FetchResult(
                    url=current,
                    status=response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    body=bytes(body),
                )
            finally:
                await response.aclose()
        raise FetchRefused(
            "too-many-redirects",
            lazy_gettext("More than %(max_redirects)s redirects.", max_redirects=policy.max_redirects),
        )
    finally:
        if own:
            await http.aclose()
