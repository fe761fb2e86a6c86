"""The recognition card: a 1200×627 PNG drawn with the bundled font, in the organisation's colours."""

from __future__ import annotations

import io

from PIL import Image

from advocacy.incentives.cards import colours_from_settings, render_card


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
