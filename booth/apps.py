from django.apps import AppConfig


class BoothConfig(AppConfig):
    name = "booth"

    def ready(self) -> None:
        from booth import aws_checks, checks  # noqa: F401 - registers the system checks
