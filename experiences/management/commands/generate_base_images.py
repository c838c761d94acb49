"""Pre-generate a theme's base images on Bedrock from a YAML/JSON spec (see docs/operators.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from experiences.library.common import LibraryError
from experiences.library.generation import generate_library
from experiences.library.pacing import Pacer
from experiences.library.spec import GenerationSpec


class Command(BaseCommand):
    help = (
        "Generate base images for every attribute combination of a spec that the "
        "experience does not have yet; they await review in admin."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("spec", type=Path, help="YAML or JSON spec file")
        parser.add_argument("--limit", type=int, help="generate at most this many this run")
        parser.add_argument(
            "--rate",
            type=float,
            help="image requests a minute (BOOTH_IMAGE_GENERATION_RATE_PER_MINUTE)",
        )

    def handle(self, *args, spec: Path, limit: int | None, rate: float | None, **options) -> None:
        try:
            parsed = GenerationSpec.load(spec)
            pacer = Pacer(rate) if rate else None
            report = generate_library(
                parsed,
                limit=limit,
                pacer=pacer,
                progress=lambda items: tqdm(
                    items,
                    desc="base images",
                    unit="image",
                    file=self.stderr._out,
                    disable=options["verbosity"] == 0,
                ),
            )
        except LibraryError as exc:
            raise CommandError(str(exc)) from exc
        for base in report.no_face:
            self.stdout.write(f"no face found, stored as rejected: {base.title} (#{base.pk})")
        for combination, reason in report.failed:
            attributes = ", ".join(f"{k}={v}" for k, v in combination.items())
            self.stderr.write(f"failed: {attributes}: {reason}")
        self.stdout.write(
            f"{len(report.created)} generated (awaiting review), {len(report.no_face)} without "
            f"a face, {report.skipped} already there, {len(report.failed)} failed."
        )
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} combinations failed; run the command again to retry them."
            )
