"""The Bedrock letter writer against botocore's Stubber, with ConverseStream's real
event-stream response (binary frames through botocore's own parser), and the offline
fallback on throttling, a stall and a broken stream."""

import binascii
import json
import struct
import time

import pytest
from botocore.eventstream import EventStream
from botocore.parsers import EventStreamJSONParser
from botocore.stub import Stubber

from experiences.resume.bedrock import letter_client, letter_prompt, system_prompt
from experiences.resume.letters import LetterRequest
from experiences.resume.sections import MARKER
from experiences.resume.streaming import write_letter
from kernel import aws, plugins

REQUEST = LetterRequest(
    nickname="Ada",
    mbti="INTP",
    company="Lumen Robotics",
    company_profile="We hire engineers with analysis in their bones.",
    language="en",
    matched_words=["analysis", "logic"],
)
SECTIONS = [
    ("Who I am", "I am Ada."),
    ("Why Lumen", "Robots."),
    ("Strengths", "Logic."),
    ("First years", "Learning."),
]


@pytest.fixture
def bedrock(settings):
    settings.BOOTH_LETTER_WRITER = "bedrock"
    settings.BOOTH_LETTER_MAX_ATTEMPTS = 1
    settings.BOOTH_LETTER_OFFLINE_CHUNK_SECONDS = 0
    plugins.reset()
    aws.reset()
    yield
    plugins.reset()


def _header(name: str, value: str) -> bytes:
    encoded = value.encode()
    return bytes([len(name)]) + name.encode() + b"\x07" + struct.pack(">H", len(encoded)) + encoded


def frame(event_type: str, payload: dict, message_type: str = "event") -> bytes:
    """One AWS event-stream message (prelude, headers, JSON payload, CRCs)."""
    kind = ":exception-type" if message_type == "exception" else ":event-type"
    headers = (
        _header(kind, event_type)
        + _header(":content-type", "application/json")
        + _header(":message-type", message_type)
    )
    body = json.dumps(payload).encode()
    total = 12 + len(headers) + len(body) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", binascii.crc32(prelude) & 0xFFFFFFFF)
    message = prelude + headers + body
    return message + struct.pack(">I", binascii.crc32(message) & 0xFFFFFFFF)


class RawStream:
    """What botocore's EventStream reads: the HTTP body's chunks, with pauses if asked."""

    def __init__(self, chunks: list[bytes], pause_after: int | None = None, pause: float = 0):
        self.chunks, self.pause_after, self.pause = chunks, pause_after, pause

    def stream(self):
        for number, chunk in enumerate(self.chunks):
            if number == self.pause_after:
                time.sleep(self.pause)
            yield chunk

    def close(self) -> None:
        pass


def raw_letter() -> str:
    return "".join(f"{MARKER}{title}\n{text}\n\n" for title, text in SECTIONS)


def stream_response(client, frames: list[bytes], **raw) -> dict:
    operation = client.meta.service_model.operation_model("ConverseStream")
    shape = operation.output_shape.members["stream"]
    parser = EventStreamJSONParser()  # what botocore uses for rest-json event streams
    return {"stream": EventStream(RawStream(frames, **raw), shape, parser, "ConverseStream")}


def letter_frames(text: str, size: int) -> list[bytes]:
    """messageStart, deltas of `size` characters (splitting the markers), stop, metadata."""
    deltas = [text[i : i + size] for i in range(0, len(text), size)]
    return [
        frame("messageStart", {"role": "assistant"}),
        *(
            frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": d}})
            for d in deltas
        ),
        frame("contentBlockStop", {"contentBlockIndex": 0}),
        frame("messageStop", {"stopReason": "end_turn"}),
        frame(
            "metadata",
            {
                "usage": {"inputTokens": 300, "outputTokens": 90, "totalTokens": 390},
                "metrics": {"latencyMs": 800},
            },
        ),
    ]


class EventStreamStubber(Stubber):
    """Stubber checks a response as plain data, and an event stream is not data but the
    EventStream botocore makes from the HTTP body: that member must be one (built above
    from real frames and read by botocore's own parser), the rest is checked as usual."""

    def _validate_operation_response(self, operation_name, service_response):
        assert isinstance(service_response.get("stream"), EventStream)
        rest = {key: value for key, value in service_response.items() if key != "stream"}
        super()._validate_operation_response(operation_name, rest)


def stubbed(response=None, error: str | None = None):
    client = letter_client()  # the writer's own client (its timeout and attempts)
    stubber = EventStreamStubber(client)
    if error:
        stubber.add_client_error("converse_stream", service_error_code=error, http_status_code=429)
    else:
        stubber.add_response("converse_stream", response(client))
    stubber.activate()
    return stubber


def collect():
    pushes = []
    written = write_letter(REQUEST, lambda sections, changed: pushes.append(set(changed)))
    return written, pushes


def test_claude_streams_the_letter_whose_markers_the_chunks_split(bedrock, settings):
    # 5-character deltas cut "<<SECTION>>" (11 characters) in the middle every time.
    settings.BOOTH_LETTER_STALL_SECONDS = 5
    stubber = stubbed(lambda client: stream_response(client, letter_frames(raw_letter(), 5)))
    written, pushes = collect()
    stubber.assert_no_pending_responses()
    assert written.writer == "bedrock" and not written.fallback_from
    assert written.sections == [{"title": t, "text": x} for t, x in SECTIONS]
    assert len(pushes) > 4 and written.first_words_seconds is not None


def test_throttling_falls_back_to_the_offline_letter(bedrock):
    stubbed(error="ThrottlingException")
    written, _ = collect()
    assert written.writer == "offline" and written.fallback_from == "bedrock"
    assert "ThrottlingException" in written.error
    assert len(written.sections) == 4 and "Lumen Robotics" in written.sections[1]["text"]


def test_a_stalled_stream_hands_over_to_the_offline_writer_keeping_finished_sections(
    bedrock, settings
):
    settings.BOOTH_LETTER_STALL_SECONDS = 0.3
    frames = letter_frames(raw_letter(), 7)
    # Two sections and a half arrive; then nothing for longer than the stall timeout.
    cut = 1 + raw_letter().index("Logic") // 7 + 1  # messageStart, then 7-character deltas
    stubbed(lambda client: stream_response(client, frames, pause_after=cut, pause=2))
    started = time.monotonic()
    written, _ = collect()
    assert time.monotonic() - started < 1.5
    assert written.writer == "offline" and "nothing for 0.3 s" in written.error
    assert written.sections[0] == {"title": "Who I am", "text": "I am Ada."}  # kept
    assert len(written.sections) == 4
    assert written.sections[2]["title"] != "Strengths"  # the unfinished one, written again


def test_an_error_inside_the_stream_falls_back(bedrock):
    frames = [
        frame("messageStart", {"role": "assistant"}),
        frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": MARKER + "Hi\nx"}}),
        frame("throttlingException", {"message": "Too many tokens"}, message_type="exception"),
    ]
    stubbed(lambda client: stream_response(client, frames))
    written, _ = collect()
    assert written.writer == "offline" and written.fallback_from == "bedrock"
    assert len(written.sections) == 4


def test_the_prompt_follows_the_reference_structure():
    korean = LetterRequest(
        "민지", "ENFJ", "브라이트패스러닝", "우리는 멘토링을 사랑하는 사람을 찾습니다.", "ko"
    )
    system = system_prompt(korean)
    assert "스물일곱" in system and "네 개의 항목" in system and "700자 이상 1,000자 이하" in system
    assert MARKER in system and "'지원 동기'" in system
    prompt = letter_prompt(korean)
    assert "브라이트패스러닝" in prompt and "멘토링을 사랑하는" in prompt and "ENFJ" in prompt
    english = system_prompt(REQUEST)
    assert (
        "27-year-old" in english
        and "four sections" in english
        and "'Why Lumen Robotics'" in english
    )
