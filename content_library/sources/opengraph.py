"""Open Graph prefill: a page's og:title, og:description and og:image (with HTML fallbacks)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

from advocacy.core.errors import Invalid
from advocacy.core.i18n import lazy_gettext
from content_library.sources.safe_fetch import FetchPolicy, safe_get
from content_library.sources.schemas import OpenGraph

HTML_TYPES = ("text/html", "application/xhtml+xml")


class _MetaParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title: str | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and "content" in values and key not in self.meta:
                self.meta[key] = values["content"].strip()
        elif tag == "title" and self.title is None:
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = ((self.title or "") + data).strip()


def parse_open_graph(html: str, url: str) -> OpenGraph:
    parser = _MetaParser()
    parser.feed(html)
    meta = parser.meta

    def first(*keys: str) -> str | None:
        for key in keys:
            if meta.get(key):
                return meta[key][:2000]
        return None

    image = first("og:image:secure_url", "og:image", "og:image:url", "twitter:image")
    return OpenGraph(
        url=first("og:url") or url,
        title=first("og:title", "twitter:title") or (parser.title[:300] if parser.title else None),
        description=first("og:description", "twitter:description", "description"),
        image=urljoin(url, image) if image else None,
        site_name=first("og:site_name"),
    )


async def fetch_open_graph(url: str, *, policy: FetchPolicy) -> OpenGraph:
    result = await safe_get(url, policy=policy, headers={"Accept": "text/html,application/xhtml+xml"})
    if result.status >= 400:
        raise Invalid(
            lazy_gettext("The page answered %(status)s.", status=result.status),
            extra={"reason": "http-error", "status": result.status},
        )
    if result.content_type and result.content_type not in HTML_TYPES:
        raise Invalid(
            lazy_gettext(
                "The address is not a web page (%(content_type)s).", content_type=result.content_type
            ),
            extra={"reason": "not-html"},
        )
    charset = "utf-8"
    raw_type = result.headers.get("content-type", "")
    if "charset=" in raw_type:
        charset = raw_type.split("charset=")[-1].split(";")[0].strip() or "utf-8"
    try:
        text = result.body.decode(charset, errors="replace")
    except LookupError:
        text = result.body.decode("utf-8", errors="replace")
    return parse_open_graph(text, result.url)
