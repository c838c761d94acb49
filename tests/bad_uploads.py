"""A corpus of hostile and awkward uploads, generated in code (no binary blobs committed).

Each entry is what an attacker, a confused operator or an odd camera could send to the
capture API. `CAPTURE_CORPUS` maps a name to (bytes, file name, content type); the test
decides for each whether Booth refuses it (and how) or accepts it after conversion.
"""

import io
import shutil
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from tests import photos


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int, height: int) -> bytes:
    """A real decompression bomb: a valid greyscale PNG of `width`×`height` black pixels.

    The rows are compressed as they are made, so building it needs kilobytes of memory
    while decoding it would need width×height bytes.
    """
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte + pixels
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """The face JPEG with its frame header (SOF0) patched to claim `width`×`height`."""
    data = bytearray(photos.face_jpeg())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def truncated_jpeg() -> bytes:
    whole = photos.face_jpeg()
    return whole[: len(whole) // 2]


def jpeg_zip_polyglot() -> bytes:
    """A JPEG that is also a valid ZIP archive (the archive appended after the image)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.html", "<script>alert(document.cookie)</script>")
    return photos.face_jpeg() + archive.getvalue()


def jpeg_html_polyglot() -> bytes:
    """A JPEG whose comment block is an HTML page with a script: a browser sniffing the
    stored file as HTML would run it."""
    buffer = io.BytesIO()
    photos.face_image().save(
        buffer, "JPEG", comment=b"<html><script>alert(document.cookie)</script></html>"
    )
    return buffer.getvalue()


def html_then_jpeg() -> bytes:
    """An HTML page with a JPEG appended: it starts as HTML, so it is no photo."""
    return b"<!doctype html><script>alert(1)</script>" + photos.face_jpeg()


def svg_image() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="512" '
        b'height="512"><script>alert(1)</script><circle cx="256" cy="256" r="200"/></svg>'
    )


def animated_gif() -> bytes:
    face = photos.face_image()
    frames = [face, face.rotate(90), face.rotate(180)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def animated_webp() -> bytes:
    face = photos.face_image()
    buffer = io.BytesIO()
    face.save(buffer, "WEBP", save_all=True, append_images=[face.rotate(180)], duration=100)
    return buffer.getvalue()


def cmyk_jpeg() -> bytes:
    buffer = io.BytesIO()
    photos.face_image().convert("CMYK").save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def png16_grey() -> bytes:
    """The astronaut as a 16-bit greyscale PNG (scientific and some DSLR exports)."""
    grey = np.asarray(photos.face_image().convert("L"), np.uint16) * 257
    return cv2.imencode(".png", grey)[1].tobytes()


def png16_rgb() -> bytes:
    """The astronaut as a 16-bit-per-channel RGB PNG."""
    bgr = cv2.cvtColor(photos.astronaut_rgb(), cv2.COLOR_RGB2BGR).astype(np.uint16) * 257
    return cv2.imencode(".png", bgr)[1].tobytes()


def webp_photo() -> bytes:
    buffer = io.BytesIO()
    photos.face_image().save(buffer, "WEBP", quality=90)
    return buffer.getvalue()


def heic_header() -> bytes:
    """The start of an iPhone HEIC photo (ISO BMFF `ftyp` box with the heic brand)."""
    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 4000


def tiff_photo() -> bytes:
    buffer = io.BytesIO()
    photos.face_image().save(buffer, "TIFF")
    return buffer.getvalue()


def pdf_document() -> bytes:
    buffer = io.BytesIO()
    photos.face_image().save(buffer, "PDF")
    return buffer.getvalue()


def text_file() -> bytes:
    return b"Mina's notes: this is a text file, not a photo.\n" * 40


def zero_size_png_header() -> bytes:
    """A PNG whose header claims a 0×0 image."""
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 0, 8, 2, 0, 0, 0))


def bad_crc_png() -> bytes:
    data = bytearray(photos.face_png())
    idat = data.index(b"IDAT")
    data[idat + 40] ^= 0xFF  # a flipped byte inside the compressed pixels
    return bytes(data)


Upload = tuple[bytes, str, str]  # content, file name, declared content type

CAPTURE_CORPUS: dict[str, Callable[[], Upload]] = {
    "empty": lambda: (b"", "photo.jpg", "image/jpeg"),
    "truncated_jpeg": lambda: (truncated_jpeg(), "photo.jpg", "image/jpeg"),
    "png_bomb_within_pillow_limit": lambda: (png_bomb(10_000, 10_000), "photo.png", "image/png"),
    "png_bomb_beyond_pillow_limit": lambda: (png_bomb(14_000, 14_000), "photo.png", "image/png"),
    "huge_declared_jpeg": lambda: (jpeg_claiming(65_000, 65_000), "photo.jpg", "image/jpeg"),
    "sliver_jpeg": lambda: (jpeg_claiming(20_000, 20), "photo.jpg", "image/jpeg"),
    "zero_size_png": lambda: (zero_size_png_header(), "photo.png", "image/png"),
    "bad_crc_png": lambda: (bad_crc_png(), "photo.png", "image/png"),
    "html_then_jpeg": lambda: (html_then_jpeg(), "photo.jpg", "image/jpeg"),
    "svg": lambda: (svg_image(), "photo.svg", "image/svg+xml"),
    "svg_named_jpg": lambda: (svg_image(), "photo.jpg", "image/jpeg"),
    "animated_gif": lambda: (animated_gif(), "photo.gif", "image/gif"),
    "animated_webp": lambda: (animated_webp(), "photo.webp", "image/webp"),
    "heic": lambda: (heic_header(), "IMG_0001.HEIC", "image/heic"),
    "tiff": lambda: (tiff_photo(), "photo.tiff", "image/tiff"),
    "pdf": lambda: (pdf_document(), "photo.pdf", "application/pdf"),
    "text": lambda: (text_file(), "photo.txt", "text/plain"),
    "text_named_jpg": lambda: (text_file(), "photo.jpg", "image/jpeg"),
    "oversize": lambda: (photos.face_jpeg() + b"\x00" * 11_000_000, "photo.jpg", "image/jpeg"),
    # Accepted: decoded, converted to plain RGB and re-encoded (nothing of the file survives).
    "jpeg_zip_polyglot": lambda: (jpeg_zip_polyglot(), "photo.jpg", "image/jpeg"),
    "jpeg_html_polyglot": lambda: (jpeg_html_polyglot(), "photo.jpg", "image/jpeg"),
    "cmyk_jpeg": lambda: (cmyk_jpeg(), "photo.jpg", "image/jpeg"),
    "png16_grey": lambda: (png16_grey(), "photo.png", "image/png"),
    "png16_rgb": lambda: (png16_rgb(), "photo.png", "image/png"),
    "png_named_jpg": lambda: (photos.face_png(), "photo.jpg", "image/jpeg"),
    "jpeg_named_exe": lambda: (photos.face_jpeg(), "photo.exe", "application/octet-stream"),
    "webp": lambda: (webp_photo(), "photo.webp", "image/webp"),
    "exif_rotated_with_gps": lambda: (
        photos.face_jpeg(orientation=6, gps=True, comment=True),
        "photo.jpg",
        "image/jpeg",
    ),
}


def _ffmpeg(*args: str) -> None:
    subprocess.run([shutil.which("ffmpeg") or "ffmpeg", "-v", "error", "-y", *args], check=True)


def noisy_clip(path: Path, *, size: str = "320x180", seconds: float = 2, fps: int = 24) -> Path:
    """Random pixels compress badly, so the clip is large enough to cut in half."""
    _ffmpeg(
        "-f", "lavfi", "-i", f"nullsrc=s={size}:d={seconds}:r={fps},geq=random(1)*255:128:128",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-movflags", "+faststart", str(path),
    )  # fmt: skip
    return path


def truncated_clip(folder: Path) -> bytes:
    """The first half of an MP4 whose index is at the front: ffprobe still reads the index,
    but half the frames are missing."""
    whole = noisy_clip(folder / "whole.mp4").read_bytes()
    return whole[: len(whole) // 2]


def truncated_clip_without_index(folder: Path) -> bytes:
    """The first half of an MP4 whose index (moov) is at the end, as cameras write them."""
    path = folder / "tail-index.mp4"
    _ffmpeg(
        "-f", "lavfi", "-i", "nullsrc=s=320x180:d=2:r=24,geq=random(1)*255:128:128",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path),
    )  # fmt: skip
    whole = path.read_bytes()
    return whole[: len(whole) // 2]


def audio_only_mp4(folder: Path) -> bytes:
    path = folder / "audio.mp4"
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", str(path))
    return path.read_bytes()


def huge_resolution_clip(folder: Path) -> bytes:
    """A real 4K (4096×2160) clip: larger than the 1920-pixel limit."""
    return noisy_clip(folder / "4k.mp4", size="4096x2160", seconds=0.2, fps=5).read_bytes()


def mkv_clip(folder: Path) -> bytes:
    path = folder / "clip.mkv"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=s=320x180:d=1:r=24",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path),
    )  # fmt: skip
    return path.read_bytes()


# name: content made in a temporary folder, and the file name it is uploaded as.
CLIP_CORPUS: dict[str, tuple[Callable[[Path], bytes], str]] = {
    "zero_bytes": (lambda folder: b"", "kick.mp4"),
    "truncated_mp4": (truncated_clip, "kick.mp4"),
    "truncated_mp4_index_at_end": (truncated_clip_without_index, "kick.mp4"),
    "audio_only_mp4": (audio_only_mp4, "kick.mp4"),
    "huge_resolution": (huge_resolution_clip, "kick.mp4"),
    "mkv_renamed_mp4": (mkv_clip, "kick.mp4"),
    "jpeg_renamed_mp4": (lambda folder: photos.face_jpeg(), "kick.mp4"),
    "html_renamed_mov": (lambda folder: html_then_jpeg(), "kick.mov"),
}
