"""The link preview that crawlers get shows what a reviewer approved, never an edit waiting for review."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.integration.shares.conftest import Sharing

LINKEDIN = "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"


async def test_an_edit_sent_back_to_review_does_not_reach_the_preview(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    item = await sharing.item(title="Notre lancement", summary="Le résumé approuvé")
    share = await sharing.ready_share(ambassador, item)
    curator = await sharing.library.curator()
    edited = await sharing.client.patch(
        f"/api/v1/content/items/{item.id}",
        json={"title": "Titre non relu", "summary": "Résumé non relu"},
        headers=curator.headers,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["status"] == "in_review"
    page = await sharing.client.get(
        urlsplit(share["link"]).path, headers={"User-Agent": LINKEDIN}, follow_redirects=False
    )
    assert page.status_code == 200
    assert '<meta property="og:title" content="Notre lancement">' in page.text
    assert "Le résumé approuvé" in page.text
    assert "non relu" not in page.text
