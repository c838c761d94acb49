from django.apps import AppConfig


class DisplaysConfig(AppConfig):
    name = "displays"

    def ready(self) -> None:
        from displays import receivers  # noqa: F401  (connects the photo job's signals)
