"""The recognition card: a 1200×627 PNG in the organisation's colours, in a font that has every letter of
the names it draws."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from advocacy.incentives.badges.cards import card_font, colours_from_settings, render_card

NO_GLYPH = "\U000f0000"  # a private-use character no font draws: the font's "missing glyph" box


@pytest.mark.parametrize("name", ["Inès", "Zoë", "Łukasz", "Ça", "Ægir Ørsted", "Dvořák", "Şule Çelik"])
@pytest.mark.parametrize("bold", [False, True])
def test_every_letter_of_a_latin_name_has_a_glyph_not_the_missing_glyph_box(name: str, bold: bool) -> None:
    font = card_font(40, bold=bold)
    missing = font.getmask(NO_GLYPH)
    for letter in name.replace(" ", ""):
        mask = font.getmask(letter)
        assert (mask.size, bytes(mask)) != (missing.size, bytes(missing)), (
            f"{letter!r} of {name!r} has no glyph"
        )


def test_a_card_is_a_1200_by_627_png_in_the_organisation_colours() -> None:
    colours = colours_from_settings({"incentives": {"colours": {"primary": "#102030", "accent": "#FFAA00"}}})
    png = render_card(
        display_name="Camille Martin-Durand de la Fontaine",
        badge="Ambassadeur du mois",
        period="2026-11",
        organisation="Nordlys",
        colours=colours,
        language="fr",
    )
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (1200, 627)
    assert image.getpixel((5, 5)) == (0x10, 0x20, 0x30)
    assert image.getpixel((600, 620)) == (0xFF, 0xAA, 0x00)


def test_bad_colours_fall_back_to_the_defaults() -> None:
    assert colours_from_settings({"incentives": {"colours": {"primary": "red"}}})[0] == "#1F3A93"
