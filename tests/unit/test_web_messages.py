"""Every message of the pages (templates and page controllers) exists in French, with the same
placeholders: extracted with Babel the way gettext catalogues are."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from advocacy.web.messages import FRENCH

WEB = Path(__file__).resolve().parents[2] / "advocacy" / "web"
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def web_messages() -> set[str]:
    found = extract_from_dir(
        str(WEB),
        method_map=[("**.py", "python"), ("templates/**.html", "jinja2")],
        keywords={"_": None, "N_": None},
        options_map={"templates/**.html": {"trim_blocks": "true", "lstrip_blocks": "true"}},
    )
    return {message for _file, _line, message, _comments, _context in found if isinstance(message, str)}


def test_every_message_of_the_pages_has_a_french_translation() -> None:
    messages = web_messages()
    assert len(messages) > 50
    missing = sorted(messages - FRENCH.keys())
    assert not missing, "\n".join(missing)


def test_translations_keep_the_placeholders_of_their_message() -> None:
    for message, french in FRENCH.items():
        assert set(_PLACEHOLDER.findall(message)) == set(_PLACEHOLDER.findall(french)), message


def test_no_translation_is_left_over_from_a_message_that_is_gone() -> None:
    assert not sorted(FRENCH.keys() - web_messages())
