"""The staff's event-day tools: the dashboard, the event report, metrics, the AWS preflight
and the local certificate page. They read across every app, so they sit beside the
visitors' pages in the layers, above moderation, displays and experiences."""

from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"

    def ready(self) -> None:
        from operations import aws_checks  # noqa: F401 - registers the AWS system checks
