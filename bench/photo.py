"""The benchmark's test photo: scikit-image's public-domain astronaut as a tablet frame."""

import io

from PIL import Image, ImageFilter
from skimage import data


def tablet_frame(width: int = 1280, height: int = 720) -> Image.Image:
    """A landscape camera frame: the astronaut portrait, sharp and full height, centred on
    a blurred stretch of itself, like a front camera framing a visitor at a booth."""
    portrait = Image.fromarray(data.astronaut())
    frame = portrait.resize((width, height), Image.Resampling.BILINEAR).filter(
        ImageFilter.GaussianBlur(max(4, width // 80))
    )
    face = portrait.resize((height, height), Image.Resampling.BICUBIC)
    frame.paste(face, ((width - height) // 2, 0))
    return frame


def jpeg_bytes(image: Image.Image, quality: int = 90) -> bytes:
    """JPEG bytes as a browser's canvas.toBlob('image/jpeg') would roughly produce them."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
