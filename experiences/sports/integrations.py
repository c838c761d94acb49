"""Bearer-token authentication for outside systems (the sensor), separate from logins.

A request with `Authorization: Bearer <token>` is authenticated as an `Integration`, not
as a user: `request.user` stays anonymous, so no session-based API accepts it, and the
integration APIs accept nothing else (a staff or device session cannot post shots).
"""

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import authentication, exceptions, permissions

from experiences.models.sports import Integration, token_hash
from kernel.throttling import BoothRateThrottle, client_ip

# How stale `last_used` may get before a request writes it again (one write a minute, not
# one per shot).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def integration_for(token: str) -> Integration | None:
    """The active integration holding this token, if any."""
    return (
        Integration.objects.select_related("event")
        .filter(token_hash=token_hash(token), is_active=True)
        .first()
    )


def mark_used(integration: Integration) -> None:
    now = timezone.now()
    if integration.last_used is None or now - integration.last_used > LAST_USED_RESOLUTION:
        Integration.objects.filter(pk=integration.pk).update(last_used=now)
        integration.last_used = now


class IntegrationTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        token = token.strip()
        if not token:
            raise exceptions.AuthenticationFailed(
                "The Authorization header has no token after 'Bearer'."
            )
        integration = integration_for(token)
        if integration is None:
            raise exceptions.AuthenticationFailed(
                "This integration token is unknown or was revoked; ask staff for a new one "
                "(Admin › Experiences › Integrations)."
            )
        mark_used(integration)
        return AnonymousUser(), integration

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="booth"'


class IntegrationScope(permissions.BasePermission):
    """Only an integration whose scopes include `scope`; nothing and nobody else."""

    scope = ""

    @classmethod
    def of(cls, scope: str) -> type["IntegrationScope"]:
        scope = str(scope)  # a Scope member's value, not its repr
        return type(f"IntegrationScope_{scope}", (cls,), {"scope": scope})

    def has_permission(self, request, view) -> bool:
        integration = request.auth
        if not isinstance(integration, Integration):
            self.message = (
                "This API takes an integration token (Authorization: Bearer <token>), not a login."
            )
            return False
        if not integration.allows(self.scope):
            self.message = f"This integration token may not use the {self.scope!r} API."
            return False
        return True


class IntegrationTokenRateThrottle(BoothRateThrottle):
    """Shots and clips per integration token: a runaway sensor slows only itself."""

    scope = "integration_token"
    who = gettext_lazy("this integration token")

    def key_for(self, request) -> str | None:
        integration = getattr(request, "auth", None)
        return str(integration.pk) if isinstance(integration, Integration) else None


class IntegrationAddressRateThrottle(BoothRateThrottle):
    scope = "integration_ip"
    who = gettext_lazy("this network address")

    def key_for(self, request) -> str | None:
        return client_ip(request)


INTEGRATION_THROTTLES = [IntegrationTokenRateThrottle, IntegrationAddressRateThrottle]
