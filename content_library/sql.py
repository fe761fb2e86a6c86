"""SQL fragments every content subject's queries share: the bilingual text-search expression and the campaign
named by a filter (the dynamic UPDATE builder is advocacy.core.sql's, shared with the other domains)."""

from __future__ import annotations


def text_search(param: str) -> str:
    """A tsquery over French, English and plain words for the query text in `param` (e.g. "$8")."""
    return (
        f"(websearch_to_tsquery('french', library_unaccent({param}))"
        f" || websearch_to_tsquery('english', library_unaccent({param}))"
        f" || websearch_to_tsquery('simple', library_unaccent({param})))"
    )


# The campaign a filter or a body names, by public id or slug (the small campaigns table is read whole).
CAMPAIGN_BY_KEY = "(SELECT id FROM campaigns WHERE slug = {key} OR public_id::text = lower({key}))"
