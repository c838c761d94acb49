"""Error pages: API clients get JSON (`code` and `detail`) even where no API view answers."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


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


def server_error(request: HttpRequest) -> HttpResponse:
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
