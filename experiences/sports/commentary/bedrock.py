"""Commentary from a Claude model through Amazon Bedrock's Converse API.

The system prompt describes the shot's fields as the reference booth's did; the user turn
is the shot as JSON. The call has a short read timeout and few attempts: commentary that
comes late is worse than a template line, so any failure or timeout falls back to the
local commentator and the line records that it did.
"""

import json
import logging

from django.conf import settings

from experiences.sports.commentary import Commentary, ShotContext
from experiences.sports.commentary.local import LocalCommentator
from kernel import aws

logger = logging.getLogger(__name__)

LANGUAGE_NAMES = {"ko": "Korean", "en": "English"}
MAX_CHARACTERS = 280

SYSTEM_PROMPT = (
    "You are an excited live sports commentator at a free-kick challenge booth. "
    "For each shot you receive one JSON object with these fields: "
    "player_name (the player's nickname), "
    "shot_speed (the ball's speed in km/h), "
    "shot_distance (the distance of the shot from the goal, in metres), "
    "shot_goal (true if the shot went into the goal, false if it missed), "
    "leaderboard_ranking (the player's current place on the speed leaderboard, 1 is the "
    "fastest), "
    "shots_done (how many shots have been taken so far). "
    "Reply with exactly one short, lively sentence of play-by-play commentary in {language} "
    "that mentions the player by name and the speed. No quotes, no emoji, no preamble."
)


class BedrockCommentator:
    name = "bedrock"
    inline = False  # a model call takes a second or more: it runs as a task

    def __init__(self) -> None:
        self.fallback = LocalCommentator()

    def request(self, shot: ShotContext) -> tuple[str, str]:
        """The system prompt and the user turn sent for this shot."""
        language = LANGUAGE_NAMES.get(shot.language, "Korean")
        prompt = json.dumps(shot.as_reference_event(), ensure_ascii=False)
        return SYSTEM_PROMPT.format(language=language), prompt

    def comment(self, shot: ShotContext) -> Commentary:
        system, prompt = self.request(shot)
        try:
            text = aws.converse_text(
                settings.BOOTH_COMMENTARY_MODEL_ID,
                system,
                prompt,
                max_tokens=200,
                temperature=0.9,
                read_timeout=settings.BOOTH_COMMENTARY_TIMEOUT,
                max_attempts=settings.BOOTH_COMMENTARY_MAX_ATTEMPTS,
            )
        except aws.AWSCallFailed as exc:
            logger.warning("Commentary falls back to the local templates: %s", exc)
            local = self.fallback.comment(shot)
            return Commentary(local.text, "local (Bedrock failed)", local.template_key)
        return Commentary(first_sentence(text), self.name)


def first_sentence(text: str) -> str:
    """The model's first line, without wrapping quotes, capped for the screen."""
    line = text.strip().splitlines()[0].strip().strip("\"'“”")
    return line if len(line) <= MAX_CHARACTERS else line[: MAX_CHARACTERS - 1] + "…"
