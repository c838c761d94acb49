"""Offline narration with Debian's espeak-ng, and the "none" narrator.

espeak-ng is a formant synthesiser: small (a few MB, no model weights), instant, fully
offline and packaged by Debian, and it speaks both story languages. It sounds robotic
(English is clearly intelligible; Korean is understandable but flat and mispronounces some
words): good enough to show narration working in the demo and at a small event, while
Amazon Polly's neural voices (BOOTH_NARRATOR=polly) are what an event should use.

Its WAV is re-encoded to MP3 by ffmpeg (already needed for replays): MP3 plays in every
phone browser, Safari included (Ogg/Opus does not on older iPhones), and a 20-second
story is ~120 KB at 48 kbit/s instead of ~900 KB of WAV. Without ffmpeg the WAV is kept.
"""

import shutil
import subprocess

from django.conf import settings

from experiences.photo.backends import NarrationUnavailable, Speech

# espeak-ng's voice per story language.
ESPEAK_VOICES = {"en": "en-us", "ko": "ko"}
MP3_BITRATE = "48k"  # speech, mono: plenty for a phone speaker or a hall's PA


class NoNarrator:
    """Narration off (BOOTH_NARRATOR=none): results have no audio."""

    name = "none"

    def missing(self) -> str | None:
        return None

    def narrate(self, text: str, language: str) -> Speech:
        raise NarrationUnavailable("Narration is off (BOOTH_NARRATOR=none).")


class EspeakNarrator:
    name = "espeak-ng"

    def missing(self) -> str | None:
        if shutil.which(settings.BOOTH_ESPEAK) is None:
            return (
                f"{settings.BOOTH_ESPEAK} is not installed (apt-get install espeak-ng): "
                "stories are not narrated."
            )
        return None

    def narrate(self, text: str, language: str) -> Speech:
        program = shutil.which(settings.BOOTH_ESPEAK)
        if program is None:
            raise NarrationUnavailable(self.missing() or "espeak-ng is missing.")
        voice = ESPEAK_VOICES.get(language, ESPEAK_VOICES["en"])
        # The text goes in on stdin, never as an argument: a story starting with "-" is
        # not an option.
        wav = _run(
            [program, "-v", voice, "-s", str(settings.BOOTH_ESPEAK_SPEED), "--stdout"],
            text.encode(),
            "espeak-ng",
        )
        ffmpeg = shutil.which(settings.BOOTH_FFMPEG)
        if ffmpeg is None:
            return Speech(wav, "wav", "audio/wav")
        mp3 = _run(
            [
                *(ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "wav", "-i", "pipe:0"),
                *("-ac", "1", "-codec:a", "libmp3lame", "-b:a", MP3_BITRATE, "-f", "mp3"),
                "pipe:1",
            ],
            wav,
            "ffmpeg",
        )
        return Speech(mp3, "mp3", "audio/mpeg")


# Narration is a nicety that follows the portrait: under `nice` the speech synthesis and
# the MP3 encoding (about 120 ms of CPU a story, more than a portrait) yield the cores to
# the next visitors' uploads and jobs instead of competing with them.
NICE = [path, "-n", "10"] if (path := shutil.which("nice")) else []


def _run(command: list[str], stdin: bytes, what: str) -> bytes:
    try:
        done = subprocess.run(  # noqa: S603 - fixed programs, the text on stdin
            [*NICE, *command],
            input=stdin,
            capture_output=True,
            timeout=settings.BOOTH_ESPEAK_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NarrationUnavailable(f"{what} failed: {type(exc).__name__}") from exc
    if done.returncode != 0 or not done.stdout:
        error = done.stderr.decode(errors="replace").strip()[:200]
        raise NarrationUnavailable(f"{what} exited with {done.returncode}: {error}")
    return done.stdout
