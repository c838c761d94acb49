"""Backends chosen in settings by a short name: one registry for every pluggable stage.

A deployment writes `BOOTH_FACE_DETECTOR=rekognition`, not a module path: module paths
change when the code is reorganised, and a path in an environment file would then break a
booth on upgrade. Each stage keeps a `Backends` table of short names; a full dotted path is
still accepted (a backend of the deployment's own), and so are the paths of earlier
releases, listed as `moved`, so an old environment file keeps working.
"""

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


class BackendFailed(RuntimeError):
    """A backend could not do its part; the message is shown to staff as it is, so it names
    the service, the error and what to check."""


class Backends:
    """The backends of one stage: short name → class path, chosen by a setting."""

    def __init__(
        self, setting: str, names: Mapping[str, str], moved: Mapping[str, str] | None = None
    ) -> None:
        self.setting = setting
        self.names = dict(names)
        self.moved = dict(moved or {})  # an earlier release's class path → short name

    def path(self, value: str) -> str:
        """The class path `value` (a short name, an old path or a path) stands for."""
        value = value.strip()
        if value in self.names:
            return self.names[value]
        if value in self.moved:
            return self.names[self.moved[value]]
        if "." in value:
            return value
        raise ImproperlyConfigured(
            f"{self.setting}={value!r} is not a backend Booth knows. "
            f"Use one of: {', '.join(sorted(self.names))} (or a full class path)."
        )

    def short_name(self, value: str) -> str | None:
        path = self.path(value)
        return next((name for name, p in self.names.items() if p == path), None)

    def get(self) -> Any:
        """The configured backend's instance (one per process and class)."""
        return _instance(self.path(getattr(settings, self.setting)))


@cache
def _instance(path: str) -> object:
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"Backend class {path!r} cannot be imported: {exc}") from exc
    return cls()


def reset() -> None:
    """Forget the instances (tests that change a backend's settings)."""
    _instance.cache_clear()
