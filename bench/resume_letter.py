"""Time the résumé experience's letter and PDF, in process, with the offline writer.

    .venv/bin/python bench/resume_letter.py [--runs N] [--language ko|en] [--chunk-seconds S]

For each run: the offline writer streams a letter (four sections) through the same marker
parser and fallback reader the job uses (experiences.resume.streaming.write_letter);
measured are the time to the first words of text and to the whole letter, at the
configured streaming pace (BOOTH_LETTER_OFFLINE_CHUNK_SECONDS, as the visitor sees it) and
at no pace (the CPU the composing and parsing cost). Then the one-page PDF of that letter
with a 768×1024 portrait: bytes and time (wall and CPU; the Korean font subset is most of
it). Prints p50/p95/max and the load average.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booth.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from PIL import Image  # noqa: E402
from timing import percentile, timed  # noqa: E402

from experiences.models.events import Player  # noqa: E402
from experiences.models.resume import CoverLetter  # noqa: E402
from experiences.resume.demo_companies import COMPANIES  # noqa: E402
from experiences.resume.letters import LetterRequest  # noqa: E402
from experiences.resume.offline import OfflineLetterWriter  # noqa: E402
from experiences.resume.pdf import resume_pdf  # noqa: E402
from experiences.resume.streaming import write_letter  # noqa: E402


def request_for(language: str, number: int) -> LetterRequest:
    name, keywords, profile = COMPANIES[number % len(COMPANIES)][language]
    nickname = "민지" if language == "ko" else "Ada"
    return LetterRequest(nickname, "ENFJ", name, profile, language, keywords.split()[:2])


def stream_once(request: LetterRequest) -> tuple[float, float, int]:
    """Seconds to the first words, to the whole letter, and the pushes it would make."""
    changes = []
    started = time.perf_counter()
    written = write_letter(request, lambda s, c: changes.append(c), OfflineLetterWriter())
    return written.first_words_seconds or 0.0, time.perf_counter() - started, len(changes)


def summary(label: str, values: list[float], unit: str = "s") -> None:
    print(
        f"  {label:<38} p50 {statistics.median(values):7.3f} {unit}  "
        f"p95 {percentile(values, 0.95):7.3f} {unit}  max {max(values):7.3f} {unit}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--language", choices=["ko", "en"], default="ko")
    parser.add_argument("--chunk-seconds", type=float, default=None)
    args = parser.parse_args()
    if args.chunk_seconds is not None:
        settings.BOOTH_LETTER_OFFLINE_CHUNK_SECONDS = args.chunk_seconds
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    paced = settings.BOOTH_LETTER_OFFLINE_CHUNK_SECONDS
    print(
        f"offline writer, {args.language}, {settings.BOOTH_LETTER_OFFLINE_CHUNK_CHARS} characters "
        f"per chunk, {paced} s between chunks:"
    )
    firsts, totals, pushes = [], [], []
    for number in range(args.runs):
        first, total, changes = stream_once(request_for(args.language, number))
        firsts.append(first)
        totals.append(total)
        pushes.append(changes)
    summary("first words (streamed pace)", firsts)
    summary("whole letter (streamed pace)", totals)
    print(f"  parser updates per letter: {statistics.median(pushes):.0f}")

    settings.BOOTH_LETTER_OFFLINE_CHUNK_SECONDS = 0
    timed("whole letter, no pace (compose+parse)", lambda: stream_once(
        request_for(args.language, 0)), runs=max(args.runs, 5))  # fmt: skip
    settings.BOOTH_LETTER_OFFLINE_CHUNK_SECONDS = paced

    written = write_letter(request_for(args.language, 0), lambda s, c: None, OfflineLetterWriter())
    letter = CoverLetter(
        player=Player(nickname=request_for(args.language, 0).nickname),
        mbti="ENFJ",
        company_name=request_for(args.language, 0).company,
        language=args.language,
        sections=written.sections,
    )
    buffer = io.BytesIO()
    Image.new("RGB", (768, 1024), (120, 150, 200)).save(buffer, "JPEG", quality=90)
    portrait = buffer.getvalue()
    size = len(resume_pdf(letter, portrait))
    print(f"résumé PDF ({args.language}, one A4 page, portrait embedded): {size / 1024:.1f} KiB")
    timed("résumé PDF", lambda: resume_pdf(letter, portrait), runs=max(args.runs, 3), warmup=1)


if __name__ == "__main__":
    main()
