"""API error responses a person can act on: one `detail` sentence, plus a `code`."""

from rest_framework import status
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from experiences.imaging import ImageRejected
from experiences.services import ConsentMismatch
from experiences.shots import ShotRejected
from experiences.video import ClipRejected


def exception_handler(exc, context):
    if isinstance(exc, ImageRejected | ShotRejected | ClipRejected):
        return Response({"code": exc.code, "detail": exc.message}, status=exc.status)
    if isinstance(exc, ConsentMismatch):
        return Response(
            {"code": "consent_changed", "detail": exc.message}, status=status.HTTP_409_CONFLICT
        )
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, ValidationError)
        and isinstance(response.data, dict)
    ):
        fields = response.data
        summary = "; ".join(
            f"{name}: {' '.join(map(str, errors if isinstance(errors, list) else [errors]))}"
            for name, errors in fields.items()
        )
        response.data = {"code": "invalid", "detail": summary, "fields": fields}
    elif response is not None and isinstance(response.data, dict) and "code" not in response.data:
        # Authentication, permission, not found, parse errors: the same shape, with DRF's
        # code for the error (not_authenticated, permission_denied, not_found, parse_error...).
        detail = response.data.get("detail", "")
        response.data = {"code": getattr(detail, "code", None) or "error", "detail": str(detail)}
    return response


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, but JSON nested deeper than Python's recursion limit (`[[[[…`)
    is a 400 like any other malformed JSON instead of a RecursionError (a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error: the JSON is nested too deeply.") from exc
