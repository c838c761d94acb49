"""Compressed static files in embedded mode too.

With BOOTH_STATIC_MANIFEST on, `collectstatic` writes gzip and Brotli copies that
WhiteNoise serves as they are. The embedded booth skips collectstatic (WhiteNoise serves
the app folders directly), so its CSS and JavaScript went out uncompressed: this gzips
them on the way out. Only static files: a page with a CSRF token in it is never
compressed here (BREACH), and a response WhiteNoise already compressed is left alone.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware


class StaticGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, for requests under STATIC_URL only."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not request.path.startswith(settings.STATIC_URL):
            return response
        return super().process_response(request, response)
