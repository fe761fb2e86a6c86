"""The canonical form of an e-mail address, computed exactly as the SQL function canonical_email()
(migration 0172): ASCII letters lower-cased, every other character kept. Every lookup, unique key and
throttling key of an address goes through it, so Python and PostgreSQL always agree on who is meant."""

from __future__ import annotations

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def canonical_email(address: str) -> str:
    # Not str.lower() / casefold(): their Unicode folding differs from PostgreSQL's lower() (U+0130 'İ').
    return address.translate(_ASCII_LOWER)
