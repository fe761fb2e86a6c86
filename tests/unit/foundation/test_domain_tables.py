"""A domain's SQL reads another domain's tables only through the read views that domain offers: the content
domain and the incentives' lookups never name the people domain's tables (they join person_refs/team_refs,
migration 0260, or ask its service)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PEOPLE_TABLES = re.compile(r"\b(?:FROM|JOIN)\s+(?:people|teams|person_roles)\b", re.IGNORECASE)
READERS = ["content_library", "advocacy/content", "advocacy/incentives/lookups"]


def test_the_content_domain_reads_people_only_through_their_read_views() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in READERS
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if PEOPLE_TABLES.search(line)
    ]
    assert found == []
