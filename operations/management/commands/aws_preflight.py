"""`manage.py aws_preflight`: check the AWS deployment an event needs, one line per check
(operations/preflight.py does the work); exits 1 when a check failed."""

from django.core.management.base import BaseCommand, CommandError

from operations import preflight


class Command(BaseCommand):
    help = (
        "Check, with the configured credentials and region, that Booth's AWS set-up works: "
        "identity, Bedrock models, SageMaker endpoints, the bucket and its permissions."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-record", action="store_true", help="do not store the run for the staff page"
        )

    def handle(self, *args, no_record: bool = False, **options) -> None:
        checks = preflight.run()
        for check in checks:
            style = {"PASS": self.style.SUCCESS, "WARN": self.style.WARNING}.get(
                check.status, self.style.ERROR
            )
            self.stdout.write(style(check.line()))
        if not no_record:
            preflight.record(checks)
        failed = sum(check.status == preflight.FAIL for check in checks)
        warned = sum(check.status == preflight.WARN for check in checks)
        summary = f"{len(checks)} checks: {failed} failed, {warned} warnings."
        if failed:
            raise CommandError(summary)
        self.stdout.write(summary)
