"""Reading QR codes back, the way a phone camera would.

OpenCV's classic `QRCodeDetector` misses about one random URL code in twenty (its finder
pattern search trips on some module layouts), which made a QR test fail at random; the
ArUco-based detector read 300 of 300 random result links.
"""

import io

import cv2
import numpy as np
from PIL import Image


def decode_qr(png: bytes) -> str:
    """The text of the one QR code in the image; fails the test when there is none."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    text, points, _ = cv2.QRCodeDetectorAruco().detectAndDecode(pixels)
    assert points is not None, "no QR code found in the image"
    return text
