"""Real photo bytes for tests: the public-domain astronaut from scikit-image is the face.

Haar finds exactly one face in the astronaut (about 93 px wide near the top left), and
none in the coffee cup, so these are the "visitor" and the "photo of the floor".
"""

import io

import numpy as np
from PIL import ExifTags, Image, PngImagePlugin
from skimage import data

# Strings written into metadata, so a test can prove they never reach stored files.
CAMERA_MAKE = "BoothTestCam-SN-4F2A"
JPEG_COMMENT = b"owner: visitor-private-comment"
GPS_LATITUDE = (37.0, 33.0, 59.0)  # Seoul
GPS_LONGITUDE = (126.0, 58.0, 40.0)

# For each EXIF orientation, the transpose that turns an upright picture into the pixels a
# camera stores with that tag (the inverse of what a viewer applies).
_STORED_AS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def astronaut_rgb() -> np.ndarray:
    """The astronaut photo as a 512×512×3 uint8 RGB array."""
    return data.astronaut()


def face_image(*, portrait: bool = False) -> Image.Image:
    """The upright astronaut; `portrait` crops it to 400×512 (taller than wide)."""
    image = Image.fromarray(astronaut_rgb())
    return image.crop((56, 0, 456, 512)) if portrait else image


def no_face_image() -> Image.Image:
    """A 600×400 photo of a coffee cup: a real photo with no face in it."""
    return Image.fromarray(data.coffee())


def gradient_image(width: int = 640, height: int = 480) -> Image.Image:
    x = np.linspace(0, 255, width, dtype=np.float32)
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    pixels = np.stack(np.broadcast_arrays(x + 0 * y, y + 0 * x, (x + y) / 2), axis=-1)
    return Image.fromarray(pixels.astype(np.uint8))


def exif_block(*, orientation: int | None = None, gps: bool = False) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA_MAKE
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: GPS_LATITUDE,
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: GPS_LONGITUDE,
        }
    return exif


def jpeg_bytes(
    image: Image.Image,
    *,
    orientation: int | None = None,
    gps: bool = False,
    comment: bool = False,
    quality: int = 92,
) -> bytes:
    """`image` as a camera would store it: with `orientation`, the pixels are turned so
    that a viewer applying the tag shows `image` upright again."""
    stored = image.transpose(_STORED_AS[orientation]) if orientation in _STORED_AS else image
    buffer = io.BytesIO()
    options = {"exif": exif_block(orientation=orientation, gps=gps).tobytes(), "quality": quality}
    if comment:
        options["comment"] = JPEG_COMMENT
    stored.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def face_jpeg(
    *,
    portrait: bool = False,
    orientation: int | None = None,
    gps: bool = False,
    comment: bool = False,
    quality: int = 92,
) -> bytes:
    """The astronaut as JPEG bytes, optionally with EXIF orientation, GPS and a comment."""
    return jpeg_bytes(
        face_image(portrait=portrait),
        orientation=orientation,
        gps=gps,
        comment=comment,
        quality=quality,
    )


def no_face_jpeg() -> bytes:
    return jpeg_bytes(no_face_image())


def png_bytes(image: Image.Image, *, text: str | None = None) -> bytes:
    buffer = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if text is not None:
        info.add_text("Comment", text)
    image.save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def face_png(*, transparent_margin: int = 0, palette: bool = False) -> bytes:
    """The astronaut as PNG; `transparent_margin` adds a see-through border (RGBA),
    `palette` stores it with a 256-colour palette (mode P)."""
    image = face_image()
    if transparent_margin:
        size = (image.width + 2 * transparent_margin, image.height + 2 * transparent_margin)
        framed = Image.new("RGBA", size, (0, 0, 0, 0))
        framed.paste(image, (transparent_margin, transparent_margin))
        image = framed
    if palette:
        image = image.convert("P", palette=Image.Palette.ADAPTIVE, colors=256)
    return png_bytes(image)


def gps_of(photo: bytes) -> dict:
    """The GPS tags of a photo's EXIF block ({} when there are none)."""
    return dict(Image.open(io.BytesIO(photo)).getexif().get_ifd(ExifTags.IFD.GPSInfo))


def exif_of(photo: bytes) -> dict:
    return dict(Image.open(io.BytesIO(photo)).getexif())


def open_rgb(photo: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(photo))
    image.load()
    return image.convert("RGB")


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute per-channel difference (0–255) of two same-sized images."""
    assert a.size == b.size, (a.size, b.size)
    left = np.asarray(a.convert("RGB"), np.float32)
    right = np.asarray(b.convert("RGB"), np.float32)
    return float(np.abs(left - right).mean())
