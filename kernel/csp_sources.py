"""Origins the Content-Security-Policy must allow for media served from S3.

In scaled mode a portrait, QR code or replay URL on Booth redirects to a presigned S3 URL,
and the browser checks the redirect's origin against img-src / media-src too. No Django
imports: settings.py uses this while it is being read.
"""

from urllib.parse import urlsplit


def s3_media_origins(bucket: str, region: str, endpoint: str = "") -> list[str]:
    """The origins presigned URLs of `bucket` can have, virtual-hosted or path style."""
    if endpoint:  # MinIO, moto or another S3-compatible store
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://{bucket}.{parts.netloc}"]
    return [
        f"https://{bucket}.s3.{region}.amazonaws.com",
        f"https://{bucket}.s3.amazonaws.com",
        f"https://s3.{region}.amazonaws.com",
    ]
