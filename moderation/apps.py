from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"

    def ready(self) -> None:
        from moderation import result_cache  # noqa: F401  (connects the cache's receivers)
