"""Responses behind secret links, cached whole until a write says they changed.

A result page, its pictures and its QR code are the same bytes for every request until
staff pull the result or it is erased. Rendering them costs queries, a template and, for
the WebP sizes, an image encode; a crowd of phones opening the same few links at once
made that the web tier's limit. So each response is built once and kept in a Django cache
(locmem in embedded mode, Redis in scaled mode, where every web process shares it).

Correctness rests on a version stamp per link rather than on timing:

- A lookup reads the link's stamp and the entry in one round trip; an entry is served only
  if it was stored under the current stamp.
- `forget(tokens)` deletes the stamps and every variant's entry, at once and again when the
  transaction commits. A request that read the database before the commit and stores its
  (stale) response afterwards stored it under the old stamp, which no longer exists: the
  next request takes a fresh stamp and misses. Deleting the entries (not only the stamp)
  also takes a withdrawn visitor's bytes out of memory or Redis, not just out of reach.
- Only successful responses are cached: a 404 or 410 is decided from the database on
  every request, so a result approved later appears, and nothing about a gone link lingers.

Keys hold a hash of the token, never the token: the cache (Redis) is not a place secrets go.

When the cache (Redis) fails, responses are built from the database as before caching. A
`forget` that failed leaves entries that may be stale once Redis answers again: this
process then bypasses the cache for the entries' lifetime (the cache's TIMEOUT), which
bounds how long another process could serve them.
"""

import hashlib
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from kernel.outages import REDIS_ERRORS, Outage

logger = logging.getLogger(__name__)
CACHE_OUTAGE = Outage("Redis (cached result pages)", logger)
CACHE_ERRORS = (*REDIS_ERRORS, OSError)


@dataclass(frozen=True)
class Entry:
    """One cached response: its bytes, its headers and what a view needs besides (`meta`)."""

    content: bytes
    content_type: str
    last_modified: datetime | None = None
    headers: tuple[tuple[str, str], ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    etag: str = ""
    # False for a response that turned out personal to its request (see `personal`).
    store: bool = True

    def __post_init__(self) -> None:
        if not self.etag:  # strong: the same bytes, whatever built them
            digest = hashlib.blake2b(self.content, digest_size=12).hexdigest()
            object.__setattr__(self, "etag", f'"{digest}"')


class LinkCache:
    """Cached responses of one kind of secret link (e.g. result links).

    `variants()` names every variant a link may have cached (a page per language, each
    picture size...): `forget` deletes them all.
    """

    def __init__(self, namespace: str, variants: Callable[[], Iterable[str]], alias: str) -> None:
        self.namespace = namespace
        self.variants = variants
        self.alias = alias
        self.distrust_until = 0.0  # monotonic time: see the module docstring

    @property
    def cache(self):
        return caches[self.alias]

    def _base(self, token: str) -> str:
        digest = hashlib.sha256(token.encode()).hexdigest()[:32]
        return f"{self.namespace}:{digest}"

    def keys(self, token: str) -> list[str]:
        """Every cache key this link may use: its stamp and each variant's entry."""
        base = self._base(token)
        return [f"{base}:stamp", *(f"{base}:{variant}" for variant in self.variants())]

    def get_or_build(self, token: str, variant: str, build: Callable[[], Entry]) -> Entry:
        """The cached entry, or `build()`'s, stored under the link's current stamp.

        `build` raises (Http404, ...) for a link that has nothing to serve; that is not cached.
        """
        if time.monotonic() < self.distrust_until:
            return build()
        base = self._base(token)
        stamp_key, entry_key = f"{base}:stamp", f"{base}:{variant}"
        try:
            found = self.cache.get_many([stamp_key, entry_key])
            stamp = found.get(stamp_key)
            if stamp is None:
                stamp = secrets.token_hex(8)
                if not self.cache.add(stamp_key, stamp):  # another request was first
                    stamp = self.cache.get(stamp_key, stamp)
            else:
                cached = found.get(entry_key)
                if cached is not None and cached[0] == stamp:
                    return cached[1]
        except CACHE_ERRORS as exc:
            CACHE_OUTAGE.failed(exc)
            return build()
        # The stamp was read before `build` reads the database: see the module docstring.
        entry = build()
        if not entry.store:
            return entry
        try:
            self.cache.set(entry_key, (stamp, entry))
        except CACHE_ERRORS as exc:
            CACHE_OUTAGE.failed(exc)
        return entry

    def forget(self, tokens: Iterable[str]) -> None:
        """Drop every cached response of these links: now, and once the transaction commits."""
        keys = [key for token in tokens for key in self.keys(token)]
        if not keys:
            return
        self._delete(keys)
        transaction.on_commit(lambda: self._delete(keys))

    def _delete(self, keys: list[str]) -> None:
        try:
            self.cache.delete_many(keys)
        except CACHE_ERRORS as exc:
            CACHE_OUTAGE.failed(exc)
            timeout = self.cache.default_timeout or 0
            self.distrust_until = time.monotonic() + timeout


def personal(request: HttpRequest) -> bool:
    """Whether building the response read something of this request's visitor: their
    session (a login, messages) or a CSRF token for a form. Such a response is never
    cached, so a page that later gains a form stays correct, only slower."""
    session = getattr(request, "session", None)
    return bool(
        request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or (session is not None and session.accessed)
    )


def entry_response(request: HttpRequest, entry: Entry, **cache_control: Any) -> HttpResponse:
    """The entry as a response with its validators and `Cache-Control` (patch_cache_control's
    keywords); 304 Not Modified when the browser already has these bytes."""
    response = HttpResponse(entry.content, content_type=entry.content_type)
    for name, value in entry.headers:
        response[name] = value
    patch_cache_control(response, **cache_control)
    response["ETag"] = entry.etag
    last_modified = None
    if entry.last_modified is not None:
        last_modified = int(entry.last_modified.astimezone(UTC).timestamp())
        response["Last-Modified"] = http_date(last_modified)
    return get_conditional_response(
        request, etag=entry.etag, last_modified=last_modified, response=response
    )
