"""Import base images made elsewhere: a folder and a CSV/JSON manifest (see docs/operators.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from experiences.library.common import LibraryError, find_experience
from experiences.library.transfer import import_library


class Command(BaseCommand):
    help = (
        "Import the images a manifest lists (file, title, country, era, occupation, gender, "
        "age_band, story, optional face_box). Bad rows are reported and skipped."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--manifest", type=Path, help="default: <folder>/manifest.json")
        parser.add_argument("--experience", required=True, help="experience id or name")
        parser.add_argument(
            "--approve", action="store_true", help="approve them at once instead of pending review"
        )

    def handle(self, *args, folder: Path, manifest: Path | None, **options) -> None:
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        try:
            experience = find_experience(options["experience"])
            report = import_library(
                folder,
                manifest or folder / "manifest.json",
                experience,
                approve=options["approve"],
            )
        except LibraryError as exc:
            raise CommandError(str(exc)) from exc
        for number, reason in report.bad:
            self.stderr.write(f"row {number}: {reason}")
        for number, base in report.already:
            self.stdout.write(f"row {number}: already imported as #{base.pk} {base.title}")
        state = "approved" if options["approve"] else "awaiting review"
        self.stdout.write(
            f"{len(report.imported)} imported ({state}), {len(report.already)} already there, "
            f"{len(report.bad)} bad rows."
        )
        if report.bad:
            raise CommandError(f"{len(report.bad)} rows were not imported (listed above).")
