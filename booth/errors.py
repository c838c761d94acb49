"""Error pages: API clients get JSON (`code` and `detail`) even where no API view answers."""

import sys

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from kernel.outages import unavailable_response

# Requests Django refuses before any view runs (SuspiciousOperation: a 400).
BAD_REQUESTS = {
    RequestDataTooBig: (
        "too_large",
        "The request's form fields or JSON body are too large: at most %(mb).1f MB besides files.",
    ),
    TooManyFieldsSent: ("too_many_fields", "The request has too many form fields."),
    TooManyFilesSent: ("too_many_files", "The request has too many files; send one."),
}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: an unknown API URL (a negative or malformed id, a typo) answers in the API's
    own shape, so a client's JSON parser does not choke on an HTML page."""
    if is_api(request):
        return JsonResponse(
            {
                "code": "not_found",
                "detail": "No such API URL: check the path against /api/schema/.",
            },
            status=404,
        )
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        code, detail = next(
            (found for kind, found in BAD_REQUESTS.items() if isinstance(exception, kind)),
            ("bad_request", "The request could not be read; check its format and headers."),
        )
        mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1e6
        return JsonResponse({"code": code, "detail": detail % {"mb": mb}}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its `except` block, wherever the exception rose (a view or
    # a middleware loading the session): a database or Redis outage answers 503 instead.
    unavailable = unavailable_response(request, sys.exception())
    if unavailable is not None:
        return unavailable
    if is_api(request):
        return JsonResponse(
            {
                "code": "server_error",
                "detail": "Booth failed on this request; staff can "
                "see the error in the server log. Try again.",
            },
            status=500,
        )
    return defaults.server_error(request)
