"""Outbound fetches of URLs people typed: no private, loopback or link-local targets (checked after DNS
resolution and again on every redirect, connecting to the address that was checked), bounded in size and
time, and a clear reason when refused."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
import msgspec

from advocacy.core.errors import Invalid, Text
from advocacy.core.i18n import lazy_gettext

REDIRECTS = frozenset({301, 302, 303, 307, 308})


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


def forbidden_address(address: str) -> str | None:
    """Why this IP address may not be fetched, or None if it is a public address."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
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
    addresses = await resolve(host, port)
    if not policy.allow_private:
        for address in addresses:
            why = forbidden_address(address)
            if why is not None:
                raise FetchRefused(
                    f"{why}-address",
                    lazy_gettext(
                        "%(host)s resolves to %(address)s, a %(value)s address: only public addresses are fetched.",
                        host=host,
                        address=address,
                        value=why.replace("-", " "),
                    ),
                )
    return host, addresses[0], port


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
