"""QR codes that take a result home.

Every job draws one, so its cost is paid per capture: segno finds the code's modules in
about 5 ms where qrcode took 8-9 ms for a result link, and Pillow scales and writes the
PNG in about 1 ms (segno's own pure-Python PNG writer takes 2-3 ms at this size, and
Pillow's `optimize` another 1 ms to save 60 bytes).
"""

import io

import segno
from PIL import Image

QUIET_ZONE = 4  # modules of white round the code, the standard's minimum phones expect


def qr_png(url: str, box_size: int = 10) -> bytes:
    """A black-on-white PNG QR code (error correction M), `box_size` pixels a module."""
    code = segno.make_qr(url, error="m", boost_error=False)
    width, height = code.symbol_size(scale=1, border=QUIET_ZONE)
    modules = bytearray(b"\xff" * (width * height))  # white, one byte a module
    for y, row in enumerate(code.matrix, start=QUIET_ZONE):
        offset = y * width + QUIET_ZONE
        modules[offset : offset + len(row)] = bytes(0 if dark else 255 for dark in row)
    image = Image.frombytes("L", (width, height), bytes(modules)).convert("1")
    image = image.resize((width * box_size, height * box_size), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
