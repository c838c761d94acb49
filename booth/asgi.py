"""ASGI entry point: Django for HTTP, Channels consumers for websockets.

Every HTTP request's body is capped at its route's limit before it is read
(kernel.body_limits); BODY_LIMITS below is the one table of those limits, built from the
same settings the upload views check.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booth.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from displays.routing import websocket_urlpatterns  # noqa: E402
from kernel.body_limits import BodyLimit, BodyTooLarge  # noqa: E402
from kernel.http import MULTIPART_OVERHEAD_BYTES  # noqa: E402
from kernel.websocket_origin import SameOriginValidator  # noqa: E402


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def body_limits() -> tuple[list[BodyLimit], BodyLimit]:
    """(route limits, first match wins; the limit of every other URL)."""
    photo = settings.BOOTH_MAX_UPLOAD_BYTES
    clip = settings.BOOTH_MAX_CLIP_BYTES
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # Django's own cap on non-file fields
    other = settings.BOOTH_MAX_OTHER_BODY_BYTES
    return [
        BodyLimit(
            r"/api/stations/\d+/captures/",
            photo + MULTIPART_OVERHEAD_BYTES,
            f"The photo is too large: send one of at most {_mb(photo)} (BOOTH_MAX_UPLOAD_BYTES).",
            json=True,
        ),
        BodyLimit(
            r"/api/shots/[^/]+/clip",
            clip + MULTIPART_OVERHEAD_BYTES,
            f"The clip is too large: send one of at most {_mb(clip)} (BOOTH_MAX_CLIP_BYTES).",
            json=True,
        ),
        BodyLimit(
            r"/api/",
            fields,
            f"The request body is too large: the API takes JSON of at most {_mb(fields)}.",
            json=True,
        ),
        # Staff upload base images and displays' default images in the admin.
        BodyLimit(
            r"/admin/",
            fields + photo + MULTIPART_OVERHEAD_BYTES,
            f"The form is too large: an image may be at most {_mb(photo)}.",
        ),
        # Log-in, language, display control and result deletion forms.
        BodyLimit(
            r"/(accounts|i18n|displays/control|r/[^/]+/delete)",
            fields,
            f"The form is too large: at most {_mb(fields)}.",
        ),
    ], BodyLimit(
        "",
        other,
        f"The request body is too large: this address takes at most {other // 1024} KB.",
    )


application = BodyTooLarge(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            # Only Booth's own pages (or no browser at all) may open a socket; see the module.
            "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        }
    ),
    *body_limits(),
)
