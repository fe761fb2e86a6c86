"""Images drawn in code for the image and storage tests: nothing is read from disk or fetched."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageCms, ImageDraw, ImageFilter


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def photo(width: int = 640, height: int = 480, *, seed: int = 0) -> Image.Image:
    """Something photographic: smooth gradients, shapes, noise."""
    red = Image.linear_gradient("L").resize((width, height))
    green = Image.radial_gradient("L").resize((width, height))
    blue = red.transpose(Image.Transpose.ROTATE_180)
    picture = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(picture)
    for i in range(12):
        x = (i * 397 + seed * 131) % width
        y = (i * 211 + seed * 71) % height
        size = width // 8
        draw.ellipse((x, y, x + size, y + size * 2 // 3), fill=((i * 50) % 255, (i * 80) % 255, 90))
    picture = picture.filter(ImageFilter.GaussianBlur(1))
    noise = Image.effect_noise((width, height), 20).convert("RGB")
    return Image.blend(picture, noise, 0.08)


def other_photo(width: int = 640, height: int = 480) -> Image.Image:
    """A clearly different picture: a diagonal checkerboard of strong contrast."""
    picture = Image.new("RGB", (width, height), (240, 240, 240))
    draw = ImageDraw.Draw(picture)
    step = width // 5
    for row in range(0, height, step):
        for col in range(0, width, step):
            if (row // step + col // step) % 2:
                draw.rectangle((col, row, col + step, row + step), fill=(20, 30, 160))
    return picture.rotate(20, fillcolor=(240, 240, 240))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that announces width×height but carries almost nothing: a bomb's header, cheap to make."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def swapped_primaries_profile() -> bytes:
    """An RGB ICC profile that is sRGB with its red and green colorants swapped.

    Pure red tagged with it is sRGB green, so a conversion is visible in one pixel.
    """
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    (count,) = struct.unpack(">I", data[128:132])
    entries = {bytes(data[132 + 12 * i : 136 + 12 * i]): 132 + 12 * i for i in range(count)}
    red, green = entries[b"rXYZ"], entries[b"gXYZ"]
    red_pointer, green_pointer = data[red + 4 : red + 12], data[green + 4 : green + 12]
    data[red + 4 : red + 12], data[green + 4 : green + 12] = green_pointer, red_pointer
    data[84:100] = bytes(16)  # the profile id no longer matches; zero means "not computed"
    return bytes(data)
