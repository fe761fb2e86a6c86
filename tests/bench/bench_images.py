"""Benchmark (a): ingest + every rendition (JPEG and WebP) of a 12 MP JPEG, against pyvips in the same run."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFilter

from content_library.images.ingest import DEFAULT_MAX_PIXELS, ingest
from content_library.images.renditions import (
    JPEG_QUALITY,
    RENDITION_SPECS,
    WEBP_METHOD,
    WEBP_QUALITY,
    make_renditions,
)
from tests.bench._common import median, record

RUNS = 5


def photographic_jpeg(width: int = 4000, height: int = 3000) -> bytes:
    """Gradients, soft shapes and sensor-like noise, saved at quality 90: compresses like a photo."""
    red = Image.linear_gradient("L").resize((width, height))
    green = Image.radial_gradient("L").resize((width, height))
    blue = red.transpose(Image.Transpose.ROTATE_180)
    picture = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(picture)
    for i in range(40):
        x, y = (i * 397) % width, (i * 211) % height
        draw.ellipse((x, y, x + 300, y + 200), fill=((i * 50) % 255, (i * 80) % 255, (i * 30) % 255))
    picture = picture.filter(ImageFilter.GaussianBlur(2))
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    picture = Image.blend(picture, noise, 0.12)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def ours(data: bytes) -> int:
    master = ingest(data, max_pixels=DEFAULT_MAX_PIXELS)
    return len(make_renditions(master.data, formats=("jpeg", "webp")))


def pyvips_baseline() -> Callable[[bytes], int]:
    import pyvips

    def run(data: bytes) -> int:
        made = 0
        for spec in RENDITION_SPECS.values():
            if spec.height is None:
                image = pyvips.Image.thumbnail_buffer(data, spec.width, height=100_000)
            else:
                image = pyvips.Image.thumbnail_buffer(data, spec.width, height=spec.height, crop="centre")
            image = image.copy_memory()  # sequential JPEG access: decode once for both encodings
            image.jpegsave_buffer(Q=JPEG_QUALITY, optimize_coding=True, strip=True)
            image.webpsave_buffer(Q=WEBP_QUALITY, effort=WEBP_METHOD, strip=True)
            made += 2
        return made

    return run


def timed(work: Callable[[bytes], int], data: bytes) -> float:
    started = time.perf_counter()
    work(data)
    return time.perf_counter() - started


def main() -> None:
    data = photographic_jpeg()
    print(f"   input: 4000×3000 JPEG, {len(data) / 1e6:.1f} MB", flush=True)
    vips = pyvips_baseline()
    assert ours(data) == vips(data) == 2 * len(RENDITION_SPECS)  # warm-up, and the same outputs
    ours_s: list[float] = []
    vips_s: list[float] = []
    for _ in range(RUNS):  # interleaved, so both see the same machine
        ours_s.append(timed(ours, data))
        vips_s.append(timed(vips, data))
    master = ingest(data, max_pixels=DEFAULT_MAX_PIXELS)
    ingest_s = median(
        [timed(lambda d: ingest(d, max_pixels=DEFAULT_MAX_PIXELS).width, data) for _ in range(3)]
    )
    renditions_s = median([timed(lambda d: len(make_renditions(d)), master.data) for _ in range(3)])
    print(f"   of which: ingest {ingest_s:.3f} s, renditions {renditions_s:.3f} s", flush=True)
    record(
        "images.renditions_s",
        median(ours_s),
        "s",
        "pyvips same sizes+encodings",
        median(vips_s),
    )


if __name__ == "__main__":
    main()
