"""Display-scoped links: how walls, the commentary wall and the tablet get their pictures
without ever holding a visitor's result or replay token.

A result token is the visitor's only key: whoever holds it can open, download and delete
the result. Display pages are public (no login; anyone on the venue Wi-Fi can open their
sockets), so what they receive must not contain it. Instead each picture a display shows
gets a URL of its own: `/displays/media/<signed>`, where `<signed>` is a
`django.core.signing.TimestampSigner` signature of (kind, row id), salted for this use
only. The signature

- names one picture, so it opens nothing else (no result page, no download, no delete);
- expires after BOOTH_DISPLAY_MEDIA_SECONDS, so a harvested list stops working;
- is checked against the rows on every request, so an erased, rejected or pulled result
  stops being served at once, whatever the age of the link.

QR codes are the exception to "whatever the wall shows": a QR code *is* the token, as a
picture. So a result's QR is served only while that result is some display's current
result (the visitor is standing in front of it), and a replay's QR only while it is the
newest replay of its experience (what the commentary wall shows). The attract loop shows
portraits without QR codes (services.result_payload), so the wall never cycles through
visitors' keys; the result page's own `/r/<token>/qr.png` is for the token's holder.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "booth.displays.media"

PORTRAIT = "portrait"
RESULT_QR = "qr"
REPLAY_VIDEO = "replay"
REPLAY_QR = "replay-qr"
NARRATION = "narration"  # the result's story read aloud (walls with their sound on)
# The portrait scaled for the screen, in WebP (a wall tile needs far fewer bytes than the
# full JPEG); the kind names the width, so one signed link still names one picture.
PORTRAIT_WIDTHS = (480, 640, 960)
PORTRAIT_WEBP = {width: f"portrait-webp-{width}" for width in PORTRAIT_WIDTHS}
KINDS = (PORTRAIT, RESULT_QR, REPLAY_VIDEO, REPLAY_QR, NARRATION, *PORTRAIT_WEBP.values())


@dataclass(frozen=True)
class MediaRef:
    kind: str
    pk: int


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def media_url(kind: str, pk: int) -> str:
    """A display-scoped URL of one picture or video (see the module docstring)."""
    assert kind in KINDS, kind
    signed = _signer().sign_object([kind, pk], compress=False)
    return reverse("display-media", args=[signed])


def resolve(signed: str) -> MediaRef | None:
    """What a signed display link names, or None if it is forged, damaged or expired."""
    try:
        kind, pk = _signer().unsign_object(signed, max_age=settings.BOOTH_DISPLAY_MEDIA_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if kind not in KINDS or not isinstance(pk, int):
        return None
    return MediaRef(kind, pk)
