"""Deployment checks of Booth's own (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

from experiences.photo.backends import narrator

# The key settings.py falls back to so the embedded demo runs with no environment at all.
DEMO_SECRET_KEY = "booth-embedded-demo-key-change-me-in-production-0123456789"  # noqa: S105


@register(Tags.security, deploy=True)
def secret_key_is_not_the_demo_key(app_configs, **kwargs) -> list[Warning]:
    """Django's own check passes the demo key (it is long and varied), but it is public:
    sessions and CSRF tokens signed with it can be forged."""
    if settings.SECRET_KEY == DEMO_SECRET_KEY:
        return [
            Warning(
                "SECRET_KEY is Booth's public demo key.",
                hint="Set SECRET_KEY in the environment to a long random value, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(64))'.",
                id="booth.W001",
            )
        ]
    return []


@register()
def narrator_is_installed(app_configs, **kwargs) -> list[Warning]:
    """The configured narrator's program is on this machine (espeak-ng is a Debian package,
    not a Python one): without it stories are not narrated, and results show without
    audio."""
    missing = narrator().missing()
    if missing:
        return [
            Warning(
                missing,
                hint="Install it, or set BOOTH_NARRATOR=none (or polly) to say so.",
                id="booth.W002",
            )
        ]
    return []
