"""Responses for stored files and personal pages."""

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_cache_control

from booth.storage import serves_presigned_urls

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
