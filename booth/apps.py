from django.apps import AppConfig


class BoothConfig(AppConfig):
    name = "booth"

    def ready(self) -> None:
        from booth import aws_checks, checks  # noqa: F401 - registers the system checks
        from booth.sqlite_privacy import install as install_secure_delete

        install_secure_delete()
