"""Cover letters from Claude on Bedrock through ConverseStream, streamed as written.

The prompt follows the reference booth's: the writer plays a 27-year-old graduate applying
to the company, writes four sections of a set length in the visitor's language, and gets
the company's "people we hire" text and the visitor's MBTI traits as context. Each section
starts with the marker line, which the parser finds however the chunks split it.
The model id is BOOTH_BEDROCK_LETTER_MODEL; botocore's own read timeout is the stall
timeout, so a stream that stops sending ends here too.
"""

from collections.abc import Iterator

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from experiences.resume.letters import LetterRequest, LetterUnavailable
from experiences.resume.offline import FORMAT, TITLES
from experiences.resume.sections import MARKER
from experiences.resume.traits import profile_of
from kernel import aws

SYSTEM_PROMPTS = {
    "ko": (
        "당신은 대학을 막 졸업한 스물일곱 살 취업 준비생입니다. 주어진 회사에 보내는 "
        "자기소개서를 한국어로 씁니다. 자기소개서는 정확히 네 개의 항목으로 이루어지며, "
        "각 항목은 공백을 포함해 700자 이상 1,000자 이하로 씁니다. 각 항목은 반드시 새 줄에서 "
        "'{marker}'로 시작하고 같은 줄에 항목 제목을 쓴 뒤 줄을 바꾸어 본문을 씁니다. "
        "항목은 순서대로 {titles}입니다. 회사의 인재상과 지원자의 성격 특성을 구체적인 경험과 "
        "함께 자연스럽게 녹여 쓰고, 과장이나 허위 경력, 누구도 불쾌할 수 있는 내용은 쓰지 "
        "않습니다. 마크다운, 머리말, 맺음말 설명 없이 네 항목만 답합니다."
    ),
    "en": (
        "You are a 27-year-old recent graduate applying for a first job. Write a cover letter "
        "in English to the given company, in exactly four sections of 120 to 180 words each. "
        "Start each section on a new line with '{marker}' followed by the section's title on "
        "the same line, then the text on the next lines. The sections, in order: {titles}. "
        "Weave the company's description of the people it hires and the applicant's traits "
        "into concrete experiences; no exaggeration, no invented employers, nothing that could "
        "offend. Answer with the four sections only: no markdown, preamble or notes."
    ),
}


def letter_prompt(request: LetterRequest) -> str:
    """The user turn: the company's profile and the applicant's type and traits."""
    profile = profile_of(request.mbti)
    traits = ", ".join(request.matched_words) or "—"
    language = request.language
    if language == "ko":
        mbti = request.mbti or "모름"
        return (
            f"회사: {request.company}\n인재상: {request.company_profile}\n"
            f"지원자 이름: {request.nickname}\nMBTI: {mbti} ({profile.description['ko']})\n"
            f"회사와 맞는 특성: {traits}"
        )
    mbti = request.mbti or "not given"
    return (
        f"Company: {request.company}\nPeople we hire: {request.company_profile}\n"
        f"Applicant's name: {request.nickname}\nMBTI: {mbti} ({profile.description['en']})\n"
        f"Traits the company looks for: {traits}"
    )


def system_prompt(request: LetterRequest) -> str:
    language = request.language if request.language in SYSTEM_PROMPTS else "en"
    titles = ", ".join(
        f"'{FORMAT.format(title, company=request.company)}'" for title in TITLES[language]
    )
    return SYSTEM_PROMPTS[language].format(marker=MARKER, titles=titles)


def letter_client():
    """Few attempts (a throttled letter falls back offline rather than wait), and the
    stall timeout as the read timeout between two events of the stream."""
    return aws.client(
        "bedrock-runtime",
        read_timeout=settings.BOOTH_LETTER_STALL_SECONDS,
        max_attempts=settings.BOOTH_LETTER_MAX_ATTEMPTS,
    )


class BedrockLetterWriter:
    name = "bedrock"
    label = "Bedrock (Claude, ConverseStream)"

    def stream(self, request: LetterRequest) -> Iterator[str]:
        model_id = settings.BOOTH_BEDROCK_LETTER_MODEL
        try:
            response = letter_client().converse_stream(
                modelId=model_id,
                system=[{"text": system_prompt(request)}],
                messages=[{"role": "user", "content": [{"text": letter_prompt(request)}]}],
                inferenceConfig={"maxTokens": settings.BOOTH_LETTER_MAX_TOKENS, "temperature": 0.7},
            )
            for event in response["stream"]:
                if "contentBlockDelta" in event:
                    text = event["contentBlockDelta"].get("delta", {}).get("text", "")
                    if text:
                        yield text
                elif "messageStop" in event:
                    reason = event["messageStop"].get("stopReason", "")
                    if reason not in ("end_turn", "stop_sequence", "max_tokens"):
                        raise LetterUnavailable(
                            f"Bedrock ConverseStream ({model_id}) stopped: {reason}"
                        )
                else:
                    error = _stream_error(event)
                    if error:
                        raise LetterUnavailable(
                            f"Bedrock ConverseStream ({model_id}) failed: {error}"
                        )
        except (ClientError, BotoCoreError) as exc:
            raise LetterUnavailable(
                f"Bedrock ConverseStream ({model_id}) failed: {aws.describe(exc)}"
            ) from exc


STREAM_ERRORS = (
    "internalServerException",
    "modelStreamErrorException",
    "validationException",
    "throttlingException",
    "serviceUnavailableException",
)


def _stream_error(event: dict) -> str:
    """An error event inside the stream (botocore usually raises these itself)."""
    for key in STREAM_ERRORS:
        if key in event:
            return f"{key}: {event[key].get('message', '')}"
    return ""
