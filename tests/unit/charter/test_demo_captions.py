"""The demo library passes its own charter: every caption of every demo post, on every network it would go
to, as the share flow checks it (the text as posted, the item's link, tags and caption policy), is allowed."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from advocacy.charter.engine import CheckContent, compile_charter
from advocacy.charter.rules import Language, Network, Severity, load_default_rules
from advocacy.content.demo import CAMPAIGNS, TOPICS, demo_items
from advocacy.shares.sharepage import text_as_posted

CHARTER = compile_charter(load_default_rules(), version=1)
GENERIC_NETWORKS = [Network.LINKEDIN, Network.FACEBOOK, Network.MASTODON, Network.BLUESKY]


@pytest.mark.parametrize("index", range(len(TOPICS)))
def test_every_demo_caption_is_allowed_by_the_demo_charter(index: int) -> None:
    now = datetime.now(UTC)
    item = demo_items({slug: uuid4() for slug, *_ in CAMPAIGNS}, now)[index]
    assert item.captions
    for caption in item.captions:
        networks = [Network(caption.network)] if caption.network else GENERIC_NETWORKS
        for network in networks:
            text = text_as_posted(network.value, caption.body, item.link)
            verdict = CHARTER.check(
                text,
                network=network,
                language=Language(caption.language),
                content=CheckContent(
                    link=item.link,
                    caption_policy=item.caption_policy,
                    approved_caption=caption.body,
                    tags=list(item.tags),
                ),
                at=now,
            )
            assert verdict.decision == Severity.ALLOW, (network, text, verdict.findings)
