from django.apps import AppConfig


class BoothConfig(AppConfig):
    name = "booth"

    def ready(self) -> None:
        from booth import checks  # noqa: F401 - registers the system checks

        # In ready(), like the checks: apps.py is imported while the app registry loads.
        from booth.sqlite_privacy import install as install_secure_delete

        install_secure_delete()

        # In ready() too: it imports django.tasks' signals, which need the settings loaded.
        from kernel.queue_wakeup import install as install_queue_wakeup

        install_queue_wakeup()  # every process that queues a task wakes the idle workers
