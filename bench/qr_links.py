"""Result links the way a visitor's phone gets them: by reading the QR code.

Walls and tablets hold no result token (it is the visitor's key): the job API and the
wall's state carry a display link to the QR code's picture, and the link is in the code.
"""

import io
from urllib.parse import urlsplit

import cv2
import numpy as np
from PIL import Image


def link_in_qr(png: bytes) -> str:
    """The text of the one QR code in the picture (OpenCV's ArUco-based detector, which
    tests/qrcodes.py found reliable on result links)."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    text, points, _ = cv2.QRCodeDetectorAruco().detectAndDecode(pixels)
    if points is None or not text:
        raise ValueError("no QR code found in the picture")
    return text


def token_of(link: str) -> str:
    """`abc` of `http://host/r/abc/`."""
    parts = urlsplit(link).path.strip("/").split("/")
    if len(parts) != 2 or parts[0] != "r":
        raise ValueError(f"not a result link: {link}")
    return parts[1]
