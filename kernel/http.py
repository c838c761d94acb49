"""Responses for stored files and personal pages."""

import re

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.cache import patch_cache_control

from kernel.storage import serves_presigned_urls

# Under ASGI every block of a streamed file is a message handed from a worker thread to
# the event loop; Django's default of 4 KB turns a 110 KB portrait into ~27 of them.
STREAM_BLOCK_BYTES = 256 * 1024


def keep_private(response: HttpResponse) -> HttpResponse:
    """Personal pages and files: no referrer leaks their link, no search engine lists them."""
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def stored_file_response(
    stored: FieldFile,
    *,
    download_name: str | None = None,
    private: bool = True,
    max_age: int | None = None,
) -> HttpResponse:
    """The stored file for a browser, from whichever storage backend holds it.

    Local files are streamed in large blocks. Files in S3 are not proxied through the web
    process: the browser is redirected to a presigned URL that expires after
    BOOTH_S3_URL_EXPIRY_SECONDS, and the redirect itself is cached for at most half that,
    so a cached redirect never leads to an expired URL.
    """
    if serves_presigned_urls(stored.storage):
        expiry = settings.BOOTH_S3_URL_EXPIRY_SECONDS
        parameters = {}
        if download_name is not None:
            parameters["ResponseContentDisposition"] = f'attachment; filename="{download_name}"'
        response = HttpResponseRedirect(
            stored.storage.url(stored.name, parameters=parameters, expire=expiry)
        )
        max_age = min(max_age or 0, expiry // 2)
    else:
        response = FileResponse(
            stored.open("rb"), as_attachment=download_name is not None, filename=download_name
        )
        response.block_size = STREAM_BLOCK_BYTES
    if max_age:
        patch_cache_control(response, private=private, public=not private, max_age=max_age)
    else:
        patch_cache_control(response, private=private, no_cache=True)
    return keep_private(response) if private else response


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def ranged_file_response(
    request: HttpRequest,
    stored: FieldFile,
    *,
    content_type: str,
    download_name: str | None = None,
    max_age: int | None = None,
) -> HttpResponse:
    """A stored file that honours a single `Range: bytes=a-b` request.

    Phones' video players (Safari's above all) refuse to play an mp4 whose server ignores
    byte ranges; Django's FileResponse always sends the whole file. Several ranges in one
    request are answered with the whole file, which RFC 9110 allows. Files in S3 are a
    redirect to a presigned URL: S3 answers the ranges itself.
    """
    if serves_presigned_urls(stored.storage):
        return stored_file_response(stored, download_name=download_name, max_age=max_age)
    size = stored.size
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if not match or not any(match.groups()):
        response = stored_file_response(stored, download_name=download_name, max_age=max_age)
        response["Content-Type"] = content_type
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    else:  # "bytes=-N": the last N bytes
        start, end = max(0, size - int(last)), size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return keep_private(response)
    handle = stored.open("rb")
    handle.seek(start)
    response = StreamingHttpResponse(
        _read_span(handle, end - start + 1), status=206, content_type=content_type
    )
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    if download_name:
        response["Content-Disposition"] = f'attachment; filename="{download_name}"'
    patch_cache_control(response, private=True, max_age=max_age or 0)
    return keep_private(response)


def _read_span(handle, remaining: int):
    try:
        while remaining > 0:
            block = handle.read(min(STREAM_BLOCK_BYTES, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block
    finally:
        handle.close()


# Room for the multipart framing and the form's other fields around an uploaded file.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def declared_length(request) -> int:
    """The request body's size as the client declared it (0 when absent or garbage)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0
