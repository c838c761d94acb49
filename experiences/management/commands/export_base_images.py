"""Export an experience's approved base images (files + manifest.json) for another event."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from experiences.library.common import LibraryError, find_experience
from experiences.library.transfer import export_library


class Command(BaseCommand):
    help = "Write the approved base images and a manifest.json that import_base_images reads."

    def add_arguments(self, parser) -> None:
        parser.add_argument("experience", help="experience id or name")
        parser.add_argument("folder", type=Path)

    def handle(self, *args, experience: str, folder: Path, **options) -> None:
        try:
            rows = export_library(find_experience(experience), folder)
        except LibraryError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{len(rows)} approved base images written to {folder}.")
