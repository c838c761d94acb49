"""QR codes that take a result home."""

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from experiences.photo.imaging import encode_png


def qr_png(url: str, box_size: int = 10) -> bytes:
    """A black-on-white PNG QR code with the standard 4-module quiet zone phones expect."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(url)
    code.make(fit=True)
    return encode_png(code.make_image(fill_color="black", back_color="white").get_image())
