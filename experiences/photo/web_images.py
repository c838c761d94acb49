"""Portraits sized for the screen that shows them, in WebP.

A phone shows the portrait about 360 CSS px wide (480 or 640 device pixels) and a wall
tile or an LED screen up to about 900; the stored portrait is a full-size JPEG (the
download). WebP at the width a screen needs is a fraction of its bytes (Lighthouse's
"next-generation formats" and "properly size images"). Encoded on request, not stored:
erasure then has nothing more to find, and browsers keep each size for as long as they
keep the JPEG.
"""

import io

from django.db.models.fields.files import FieldFile
from PIL import Image

from kernel.display_links import PORTRAIT_WIDTHS

# The same sizes the walls' display links offer: one set of WebP sizes for phones and walls.
WEBP_WIDTHS = PORTRAIT_WIDTHS
WEBP_QUALITY = 80


def webp_bytes(stored: FieldFile, width: int) -> bytes:
    """The stored image scaled down to `width` px wide (never up), as WebP with no metadata."""
    with stored.open("rb") as handle:
        image = Image.open(handle)
        image.draft("RGB", (width, width * 4))  # JPEG: decode at a reduced scale when it can
        image = image.convert("RGB")
    if image.width > width:
        height = round(image.height * width / image.width)
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue()
