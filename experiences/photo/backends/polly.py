"""Narration by Amazon Polly's neural voices (SynthesizeSpeech, MP3).

The voice per story language is the BOOTH_POLLY_VOICES setting (Korean "Seoyeon",
English "Joanna" or "Matthew"…); the engine is always "neural", which Polly offers for
those voices in most regions (docs/aws.md). The client comes from kernel.aws like every
other AWS call: the shared credentials chain, adaptive retries and explicit timeouts.
"""

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from experiences.photo.backends import NarrationUnavailable, Speech
from kernel import aws

# Polly's LanguageCode per story language: it disambiguates bilingual voices.
LANGUAGE_CODES = {"en": "en-US", "ko": "ko-KR"}


class PollyNarrator:
    name = "aws-polly"

    def missing(self) -> str | None:
        return None  # credentials and voices are checked by `manage.py aws_preflight`

    def voice_for(self, language: str) -> tuple[str, str]:
        language = language if language in LANGUAGE_CODES else "en"
        voices = settings.BOOTH_POLLY_VOICES
        return voices.get(language) or voices.get("en", "Joanna"), LANGUAGE_CODES[language]

    def narrate(self, text: str, language: str) -> Speech:
        voice, language_code = self.voice_for(language)
        try:
            response = aws.client(
                "polly",
                read_timeout=settings.BOOTH_POLLY_TIMEOUT,
                max_attempts=settings.BOOTH_POLLY_MAX_ATTEMPTS,
            ).synthesize_speech(
                Text=text,
                VoiceId=voice,
                Engine="neural",
                OutputFormat="mp3",
                LanguageCode=language_code,
            )
            with response["AudioStream"] as stream:
                audio = stream.read()
        except (ClientError, BotoCoreError) as exc:
            raise NarrationUnavailable(
                f"Amazon Polly SynthesizeSpeech ({voice}) failed: {aws.describe(exc)}"
            ) from exc
        if not audio:
            raise NarrationUnavailable(f"Amazon Polly SynthesizeSpeech ({voice}) sent no audio")
        return Speech(audio, "mp3", "audio/mpeg")
