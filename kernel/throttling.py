"""Rate limits per device, per network address and per integration token.

DRF's SimpleRateThrottle does the counting (a sliding window of request times kept in the
default cache: Redis when REDIS_URL is set, so every web process shares one count). The
rates come from settings.BOOTH_RATE_LIMITS, read at each request so an environment change
needs no code. The same throttles guard the plain Django result pages through
`rate_limited`, so one mechanism and one set of settings cover the API and the pages.
"""

import logging
import math
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.throttling import SimpleRateThrottle

from kernel.outages import Outage

logger = logging.getLogger(__name__)
# Logged once when the cache fails and once when it answers again, not per request.
CACHE_OUTAGE = Outage("The rate limits' cache", logger)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the address the trusted proxies saw.

    X-Forwarded-For is believed only for the BOOTH_TRUSTED_PROXIES proxies in front of
    Booth; otherwise anybody could escape a per-address limit by writing the header.
    """
    proxies = settings.BOOTH_TRUSTED_PROXIES
    forwarded = request.headers.get("x-forwarded-for")
    if proxies and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "")


class BoothRateThrottle(SimpleRateThrottle):
    """A rate from BOOTH_RATE_LIMITS[scope]; `who` names what is limited, for the message."""

    who = gettext_lazy("this client")

    def get_rate(self) -> str | None:
        return settings.BOOTH_RATE_LIMITS.get(self.scope) or None

    def parse_rate(self, rate):
        # A count of 0 would make DRF divide by zero; treat it as "off" like an empty rate.
        num, duration = super().parse_rate(rate)
        return (num, duration) if num else (None, None)

    def allow_request(self, request, view) -> bool:
        try:
            allowed = super().allow_request(request, view)
        except Exception as exc:
            # The cache (Redis) is unreachable: a limit that cannot count lets the request
            # through rather than take the booth down with it (and /readyz says why).
            CACHE_OUTAGE.failed(exc)
            return True
        if self.rate is not None:  # the cache was asked, and answered
            CACHE_OUTAGE.recovered()
        if not allowed:
            request.booth_throttled_by = self.who  # read by the 429 answer's message
        return allowed

    def key_for(self, request) -> str | None:
        raise NotImplementedError

    def get_cache_key(self, request, view) -> str | None:
        ident = self.key_for(request)
        return None if ident is None else self.cache_format % {"scope": self.scope, "ident": ident}


class DeviceRateThrottle(BoothRateThrottle):
    """Uploads per tablet (device account): a stuck tablet cannot flood the pipeline."""

    scope = "capture_device"
    who = gettext_lazy("this tablet")

    def key_for(self, request) -> str | None:
        user = request.user
        return str(user.pk) if user.is_authenticated else None


class CaptureAddressRateThrottle(BoothRateThrottle):
    """Uploads per network address, logged in or not."""

    scope = "capture_ip"
    who = gettext_lazy("this network address")

    def key_for(self, request) -> str | None:
        return client_ip(request)


class ResultAddressRateThrottle(BoothRateThrottle):
    """Result and replay pages per network address: slows anyone trying links in bulk."""

    scope = "result_ip"
    who = gettext_lazy("this network address")

    def key_for(self, request) -> str | None:
        return client_ip(request)


class HealthAddressRateThrottle(BoothRateThrottle):
    """/readyz per address: each call writes, reads and deletes a storage object (S3
    requests cost money); load balancers poll from a few addresses a few times a minute."""

    scope = "health_ip"
    who = gettext_lazy("this network address")

    def key_for(self, request) -> str | None:
        return client_ip(request)


class EmailResultRateThrottle(BoothRateThrottle):
    """Portrait emails per result link: a leaked link cannot be used to mail-bomb."""

    scope = "email_result"
    who = gettext_lazy("this result")

    def key_for(self, request) -> str | None:
        token = request.resolver_match.kwargs.get("token") if request.resolver_match else None
        return _digest("result", token) if token else None


class EmailAddressRateThrottle(BoothRateThrottle):
    """Portrait emails per recipient address, whichever results they come from.

    The cache holds a keyed digest of the address (HMAC with SECRET_KEY), never the
    address, and only for the limit's window."""

    scope = "email_address"
    who = gettext_lazy("this email address")

    def key_for(self, request) -> str | None:
        address = request.POST.get("address", "").strip().lower()
        return _digest("address", address) if address else None


def _digest(what: str, value: str) -> str:
    return salted_hmac(f"booth.throttling.email.{what}", value, algorithm="sha256").hexdigest()


CAPTURE_THROTTLES = [DeviceRateThrottle, CaptureAddressRateThrottle]
EMAIL_THROTTLES = [EmailResultRateThrottle, EmailAddressRateThrottle]


def throttled_detail(who: str, wait: float | None) -> tuple[str, int]:
    """The sentence a person can act on, and the whole seconds to wait (Retry-After)."""
    seconds = max(1, math.ceil(wait or 1))
    who = who or _("this client")
    return (
        _("Too many requests from %(who)s: wait %(seconds)d seconds, then try again.")
        % {"who": who, "seconds": seconds},
        seconds,
    )


def too_many_requests(request: HttpRequest, wait: float | None) -> HttpResponse:
    """429 with Retry-After: a short page for a browser, JSON for anything else."""
    detail, seconds = throttled_detail(getattr(request, "booth_throttled_by", ""), wait)
    if "text/html" in request.headers.get("Accept", ""):  # a browser asked for a page
        response = render(request, "booth/too_many_requests.html", {"seconds": seconds}, status=429)
    else:
        response = JsonResponse(
            {"code": "throttled", "detail": detail, "retry_after": seconds}, status=429
        )
    response["Retry-After"] = str(seconds)
    return response


def refusal(request: HttpRequest, *throttles: type[BoothRateThrottle]) -> HttpResponse | None:
    """The 429 answer if any of the throttles refuses the request (each allowed one counts
    it), else None: for a view that limits only some requests (a valid form post)."""
    checks = [cls() for cls in throttles]
    refused = [check for check in checks if not check.allow_request(request, None)]
    if refused:
        return too_many_requests(request, max(t.wait() or 1 for t in refused))
    return None


def rate_limited(*throttles: type[BoothRateThrottle]) -> Callable:
    """Guard a plain Django view with the same throttles the API uses."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            refused = refusal(request, *throttles)
            if refused is not None:
                return refused
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


result_rate_limited = rate_limited(ResultAddressRateThrottle)
health_rate_limited = rate_limited(HealthAddressRateThrottle)
