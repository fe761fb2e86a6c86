"""Security headers on every answer, HTML and API alike: CSP, no framing, no sniffing, referrer and
permissions policies, and HSTS when the service is reached over https (added to every answer by
advocacy/http/middleware.py's answer_headers)."""

from __future__ import annotations

from advocacy.settings import Settings

# Scripts and styles come only from our own origin (no inline script, no inline style): a stolen field
# that reaches a page cannot run. Images may be data: URIs (Swagger UI draws its icons that way).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=(), interest-cohort=()"
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"permissions-policy", PERMISSIONS_POLICY.encode()),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if settings.public_base_url.startswith("https://"):
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers
