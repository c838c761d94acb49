"""Stories from a Bedrock text model through the Converse API (the reference booth used
Claude 3 Sonnet; the model id is the BOOTH_BEDROCK_STORY_MODEL setting).

The system prompt asks, like the reference, for a "past life" story of about 150
characters; the Korean one starts with "당신은" ("you were"). The same prompt writes the
stories stored with generated base images, with a `{nickname}` placeholder in place of a
visitor's name.
"""

from django.conf import settings

from experiences.photo.backends import StoryUnavailable
from experiences.selectors import story_language
from kernel import aws

SYSTEM_PROMPTS = {
    "ko": (
        "당신은 사진 부스를 찾은 방문자에게 전생 이야기를 들려주는 이야기꾼입니다. "
        "주어진 나라, 시대, 직업, 성별, 나이대에 맞는 전생 이야기를 한국어로 150자 안팎의 "
        "두세 문장으로 씁니다. 이야기는 반드시 '당신은'으로 시작하고, 따뜻하고 재치 있게, "
        "누구도 불쾌하지 않게 씁니다. 제목, 따옴표, 설명 없이 이야기만 답합니다."
    ),
    "en": (
        "You tell visitors of a photo booth the story of their past life. Write a warm, "
        "witty story of about 150 characters (two or three sentences) in English that fits "
        "the given country, era, occupation, gender and age, offensive to no one. Start with "
        "'In a past life, you were'. Answer with the story only: no title, quotes or notes."
    ),
}
PLACEHOLDER_NOTE = {
    "ko": "방문자의 이름이 들어갈 자리에 {nickname}을 한 번 그대로 쓰세요.",
    "en": "Write {nickname} once, literally, where the visitor's name goes.",
}


def story_prompt(attributes: dict[str, str], name: str, language: str) -> str:
    """The user turn: the portrait's attributes and who the story is for."""
    facts = "; ".join(f"{key}: {value}" for key, value in attributes.items() if value)
    if language == "ko":
        return f"전생의 인물 — {facts}. 방문자 이름: {name}."
    return f"The past-life person — {facts}. The visitor's name: {name}."


def write_story(
    attributes: dict[str, str], name: str, language: str, *, model_id: str | None = None
) -> str:
    """A story for `name` (a nickname, or "{nickname}" for a base image's stored story).

    Raises StoryUnavailable with the AWS error when the model cannot be reached or says
    nothing.
    """
    language = language if language in SYSTEM_PROMPTS else "en"
    model_id = model_id or settings.BOOTH_BEDROCK_STORY_MODEL
    system = SYSTEM_PROMPTS[language]
    if name == "{nickname}":
        system = f"{system} {PLACEHOLDER_NOTE[language]}"
    try:
        text = aws.converse_text(
            model_id,
            system,
            story_prompt(attributes, name, language),
            max_tokens=400,
            temperature=0.8,
            read_timeout=settings.BOOTH_STORY_TIMEOUT,
            max_attempts=settings.BOOTH_STORY_MAX_ATTEMPTS,
        )
    except aws.AWSCallFailed as exc:
        raise StoryUnavailable(str(exc)) from exc
    return shorten(text.strip().strip("\"'“”"), settings.BOOTH_STORY_MAX_CHARS)


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut after the last full sentence that fits: the wall has
    room for a short story, and a model sometimes runs on."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(mark) for mark in (".", "!", "?", "。"))
    return cut[: end + 1].strip() if end > limit // 3 else cut.rstrip() + "…"


def base_attributes(base_image) -> dict[str, str]:
    return {
        "country": base_image.country,
        "era": base_image.era,
        "occupation": base_image.occupation,
        "gender": base_image.gender,
        "age": base_image.age_band,
    }


class BedrockStoryWriter:
    """A new story per visitor, written for their nickname and the portrait they got."""

    name = "aws-bedrock-story"

    def write(self, base_image, player) -> str:
        attributes = base_attributes(base_image)
        # The visitor's own answers win over the portrait's where they gave them.
        attributes.update(
            {k: v for k, v in (("gender", player.gender), ("age", player.age_band)) if v}
        )
        return write_story(attributes, player.nickname, story_language(player))

    def language_for(self, base_image, player) -> str:
        """The model is asked for the visitor's language (write_story falls back to English
        for a language it has no prompt for)."""
        language = story_language(player)
        return language if language in SYSTEM_PROMPTS else "en"
