"""The OpenAPI document against its stored copy, so that an API change is always a deliberate one.

Regenerate the stored copy (tests/integration/foundation/openapi.json) after a deliberate API change with:
    UPDATE_OPENAPI_SNAPSHOT=1 .venv/bin/python -m pytest -q tests/integration/foundation/test_openapi_snapshot.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

from advocacy.app import API_DOCS_PATH

SNAPSHOT = Path(__file__).with_name("openapi.json")
UPDATE = "UPDATE_OPENAPI_SNAPSHOT"


def canonical(document: Any) -> str:
    """Sorted keys, two-space indent, one trailing newline: a copy that diffs line by line."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


async def test_the_openapi_document_matches_its_stored_copy(client: Any) -> None:
    response = await client.get(f"{API_DOCS_PATH}/openapi.json")
    assert response.status_code == 200, response.text[:500]
    served = canonical(response.json())
    if os.environ.get(UPDATE) == "1":
        SNAPSHOT.write_text(served, encoding="utf-8")
    stored = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if served != stored:
        diff = "".join(
            difflib.unified_diff(
                stored.splitlines(keepends=True),
                served.splitlines(keepends=True),
                fromfile=f"stored {SNAPSHOT.name}",
                tofile="served /api/docs/openapi.json",
                n=2,
            )
        )
        raise AssertionError(
            f"The OpenAPI document changed. If the change is deliberate, run {UPDATE}=1 pytest on this "
            f"file and commit the new copy.\n{diff}"
        )
