"""Import the résumé experience's company library from a CSV or JSON file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from experiences.resume.demo_companies import demo_rows
from experiences.resume.library import ImportRejected, import_companies, read_rows


class Command(BaseCommand):
    help = (
        "Import companies (name, profile, keywords, language, is_active) from a .csv with a "
        "header line or a .json list of objects; a company with the same name and language is "
        "updated. Nothing is imported if any row is invalid. --demo imports the demo's dozen."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--demo", action="store_true", help="the demo's fictional companies")

    def handle(self, *args, file: Path | None, demo: bool, **options) -> None:
        if demo:
            rows = demo_rows()
        elif file is None:
            raise CommandError("Name a .csv or .json file, or pass --demo.")
        elif not file.is_file():
            raise CommandError(f"{file} is not a file.")
        else:
            try:
                rows = read_rows(file.read_bytes(), file.name)
            except ImportRejected as exc:
                raise CommandError(str(exc)) from exc
        try:
            result = import_companies(rows)
        except ImportRejected as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{result.created} companies added, {result.updated} updated.")
