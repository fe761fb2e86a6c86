"""Pure helpers: random link codes, and the content link with our UTM parameters merged into its query."""

from __future__ import annotations

import re
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# 9 random bytes = 72 bits from the OS CSPRNG, 12 URL-safe characters.
CODE_BYTES = 9
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{10,32}$")
UTM_MEDIUM = "employee_advocacy"


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def is_code(text: str) -> bool:
    return CODE_PATTERN.match(text) is not None


def tracked_target(link: str, *, network: str, campaign_slug: str | None, share_public_id: str) -> str:
    """`link` with utm_source/medium/campaign/content set: ours replace the link's own values of those keys
    (a campaign-less item keeps the link's own utm_campaign); every other parameter keeps its place and
    value, and the fragment is kept."""
    parts = urlsplit(link)
    params = parse_qsl(parts.query, keep_blank_values=True)
    ours = {"utm_source": network, "utm_medium": UTM_MEDIUM, "utm_content": share_public_id}
    if campaign_slug is not None:
        ours["utm_campaign"] = campaign_slug
    kept = [(k, v) for k, v in params if k not in ours]
    return urlunsplit(parts._replace(query=urlencode(kept + list(ours.items()))))
