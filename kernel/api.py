"""API error responses a person can act on: one `detail` sentence, plus a `code`."""

from rest_framework.exceptions import ParseError, Throttled, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kernel.errors import Rejected
from kernel.throttling import throttled_detail


def exception_handler(exc, context):
    if isinstance(exc, Rejected):
        return Response({"code": exc.code, "detail": exc.message}, status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, Throttled):
        # DRF has set Retry-After; say who is limited and how long to wait, in one sentence.
        who = getattr(context.get("request"), "booth_throttled_by", "")
        detail, seconds = throttled_detail(who, exc.wait)
        response.data = {"code": "throttled", "detail": detail, "retry_after": seconds}
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
