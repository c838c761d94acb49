"""The site icon at the address browsers ask for whatever a page links: /favicon.ico."""

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """A permanent redirect to the static icon (its hashed name when the manifest is on),
    resolved per request: the static manifest may not exist when the URLconf is imported."""
    return HttpResponsePermanentRedirect(static("booth/favicon.ico"))
