"""The README keeps up with the code: every setting is documented."""

from __future__ import annotations

from pathlib import Path

from advocacy.settings import Settings

README = Path(__file__).parents[2] / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    text = README.read_text()
    missing = [name.upper() for name in Settings.__struct_fields__ if f"`{name.upper()}`" not in text]
    assert missing == [], f"README.md does not document: {', '.join(missing)}"
