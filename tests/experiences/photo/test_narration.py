"""Narrated stories: Polly's exact request (Stubber), espeak-ng's real audio, the result
page with and without it, a failing or missing narrator (the job never fails), the
wall's signed audio link, and erasure of the audio file."""

import io
import json
import logging
import subprocess

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from django.conf import settings
from django.core import checks
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from booth.worker import task_worker
from displays.services import display_state
from experiences.models.events import Player
from experiences.models.photo import Asset, Job
from experiences.models.tallies import Tally
from experiences.photo import intake, narration
from experiences.photo.backends import NarrationUnavailable, Speech
from experiences.photo.backends.narrators import EspeakNarrator
from experiences.photo.backends.polly import PollyNarrator
from kernel import aws, plugins
from moderation.services import erase_player, purge_expired
from tests import factories

STORY = "In a past life, you were a court painter who drew the king's cats."
KOREAN_STORY = "당신은 전생에 왕의 고양이를 그리던 궁중 화가였습니다."
NARRATE_TASK = "experiences.photo.narration.narrate_job"


@pytest.fixture(autouse=True)
def fresh_backends(settings):
    settings.BOOTH_NARRATOR = "espeak"  # the embedded default (tests/conftest.py turns it off)
    plugins.reset()
    yield
    plugins.reset()


def polly_client():
    """The client PollyNarrator gets (its own timeout and attempts)."""
    return aws.client(
        "polly",
        read_timeout=settings.BOOTH_POLLY_TIMEOUT,
        max_attempts=settings.BOOTH_POLLY_MAX_ATTEMPTS,
    )


def audio_stream(payload: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(payload), len(payload))


@pytest.mark.parametrize(
    ("language", "text", "voice", "code"),
    [("en", STORY, "Matthew", "en-US"), ("ko", KOREAN_STORY, "Seoyeon", "ko-KR")],
)
def test_polly_is_asked_for_the_neural_voice_of_the_story_language(
    settings, language, text, voice, code
):
    settings.BOOTH_POLLY_VOICES = {"en": "Matthew", "ko": "Seoyeon"}
    mp3 = b"ID3\x04\x00fake-mp3-frames"
    with Stubber(polly_client()) as stub:
        stub.add_response(
            "synthesize_speech",
            {"AudioStream": audio_stream(mp3), "ContentType": "audio/mpeg"},
            expected_params={
                "Text": text,
                "VoiceId": voice,
                "Engine": "neural",
                "OutputFormat": "mp3",
                "LanguageCode": code,
            },
        )
        speech = PollyNarrator().narrate(text, language)
        stub.assert_no_pending_responses()
    assert speech == Speech(mp3, "mp3", "audio/mpeg")


def test_a_polly_error_names_the_service_voice_and_code(settings):
    settings.BOOTH_AWS_MAX_ATTEMPTS = 1
    settings.BOOTH_POLLY_MAX_ATTEMPTS = 1
    with Stubber(polly_client()) as stub:
        stub.add_client_error(
            "synthesize_speech",
            service_error_code="EngineNotSupportedException",
            service_message="This voice does not support the selected engine: neural",
            http_status_code=400,
        )
        with pytest.raises(NarrationUnavailable) as failed:
            PollyNarrator().narrate(KOREAN_STORY, "ko")
    assert "Polly SynthesizeSpeech (Seoyeon)" in str(failed.value)
    assert "EngineNotSupportedException" in str(failed.value)


def probe(path) -> dict:
    out = subprocess.run(
        [
            *("ffprobe", "-v", "error", "-show_entries", "format=duration,format_name"),
            *("-show_entries", "stream=codec_name,channels", "-of", "json", str(path)),
        ],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return json.loads(out)


@pytest.mark.parametrize(("language", "text"), [("en", STORY), ("ko", KOREAN_STORY)])
def test_espeak_reads_the_story_into_a_playable_mp3(tmp_path, language, text):
    speech = EspeakNarrator().narrate(text, language)

    assert (speech.extension, speech.content_type) == ("mp3", "audio/mpeg")
    path = tmp_path / "story.mp3"
    path.write_bytes(speech.audio)
    found = probe(path)
    assert found["streams"][0]["codec_name"] == "mp3"
    assert found["streams"][0]["channels"] == 1
    assert 2 < float(found["format"]["duration"]) < 20  # a sentence, read at 150 wpm
    assert len(speech.audio) < 150_000  # small enough for a phone on the hall's Wi-Fi


def test_a_story_starting_with_a_dash_is_read_not_taken_as_an_option(tmp_path):
    speech = EspeakNarrator().narrate("--help me, said the painter.", "en")
    path = tmp_path / "dash.mp3"
    path.write_bytes(speech.audio)
    assert float(probe(path)["format"]["duration"]) > 1


@pytest.mark.django_db
def test_a_narrated_result_page_plays_the_story(client, booth):
    job = factories.make_finished_job(booth.station)
    assert narration.narrate(job.pk) == "narrated"
    portrait = job.portrait

    page = client.get(f"/r/{portrait.token}/").content.decode()
    assert (
        f'<audio class="narration" controls preload="none" src="/r/{portrait.token}/narration"'
        in page
    )
    audio = client.get(f"/r/{portrait.token}/narration")
    assert audio.status_code == 200
    assert audio["Content-Type"] == "audio/mpeg"
    assert b"".join(audio.streaming_content) == job.narration.file.open("rb").read()
    ranged = client.get(f"/r/{portrait.token}/narration", HTTP_RANGE="bytes=0-99")
    assert ranged.status_code == 206  # Safari plays no audio without byte ranges
    assert Tally.objects.get(kind=Tally.Kind.NARRATION).count == 1
    assert narration.narrate(job.pk) == "skipped: narrated already"


@pytest.mark.django_db
def test_a_page_cached_before_its_narration_plays_it_once_the_narration_is_stored(booth):
    """Narration lands a moment after the portrait; a phone that opened the page first
    must not keep being served the cached page without the player."""
    job = factories.make_finished_job(booth.station)
    portrait = job.portrait
    phone = Client()
    assert "<audio" not in phone.get(f"/r/{portrait.token}/").content.decode()  # cached now

    assert narration.narrate(job.pk) == "narrated"

    assert "<audio" in Client().get(f"/r/{portrait.token}/").content.decode()


@pytest.mark.django_db
def test_a_result_without_narration_has_no_audio_element(client, booth):
    portrait = factories.make_finished_job(booth.station).portrait

    page = client.get(f"/r/{portrait.token}/").content.decode()
    assert "<audio" not in page
    assert f'href="/r/{portrait.token}/email/"' in page
    assert client.get(f"/r/{portrait.token}/narration").status_code == 404


class BrokenNarrator:
    name = "broken"

    def missing(self):
        return None

    def narrate(self, text, language):
        raise NarrationUnavailable("the speech service is down")


def run_queue() -> None:
    task_worker("test", 0, batch=True).run()


@pytest.mark.django_db(transaction=True)
def test_a_failing_narrator_never_fails_the_job(client, booth, settings, caplog):
    settings.BOOTH_NARRATOR = f"{__name__}.BrokenNarrator"
    with caplog.at_level(logging.INFO):
        job = factories.make_finished_job(booth.station, nickname="Mina")
        assert DBTaskResult.objects.filter(task_path=NARRATE_TASK, status="READY").count() == 1
        run_queue()

    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.visible
    row = DBTaskResult.objects.get(task_path=NARRATE_TASK)
    assert row.status == "SUCCESSFUL"  # the task ended normally: nothing to retry or alarm
    page = client.get(f"/r/{job.portrait.token}/")
    assert page.status_code == 200 and b"<audio" not in page.content
    failures = [r for r in caplog.records if "Narration of job" in r.getMessage()]
    assert len(failures) == 1
    assert f"job {job.pk} failed" in failures[0].getMessage()
    assert "Mina" not in caplog.text and job.story not in caplog.text


@pytest.mark.django_db
def test_a_missing_espeak_is_a_system_check_and_narration_is_skipped(booth, settings, caplog):
    settings.BOOTH_NARRATOR = "espeak"
    settings.BOOTH_ESPEAK = "/nonexistent/espeak-ng"
    warnings = [m for m in checks.run_checks() if m.id == "booth.W002"]
    assert len(warnings) == 1
    assert "is not installed (apt-get install espeak-ng)" in warnings[0].msg

    narration._missing_logged.clear()
    first, second = (factories.make_finished_job(booth.station) for _ in range(2))
    with caplog.at_level(logging.WARNING):
        assert narration.narrate(first.pk) == "skipped: narrator missing"
        assert narration.narrate(second.pk) == "skipped: narrator missing"
    assert caplog.text.count("Narration skipped") == 1  # once per process, not per visitor
    assert first.narration is None


@pytest.mark.django_db
def test_no_narration_is_queued_when_narration_is_off(
    booth, settings, django_capture_on_commit_callbacks
):
    settings.BOOTH_NARRATOR = "none"
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_finished_job(booth.station)
    assert not DBTaskResult.objects.filter(task_path=NARRATE_TASK).exists()


@pytest.mark.django_db
def test_a_wall_with_its_sound_on_gets_the_narration_by_a_signed_link(client, booth):
    job = factories.make_finished_job(booth.station)
    display = booth.station.display
    display.refresh_from_db()
    assert display.current_asset == job.portrait
    assert display_state(display)["result"]["narration"] is None  # not narrated yet

    narration.narrate(job.pk)
    display.sound = True
    display.save()
    state = display_state(display)
    assert state["sound"] is True
    link = state["result"]["narration"]
    assert link.startswith("/displays/media/") and job.portrait.token not in link
    audio = client.get(link)
    assert audio.status_code == 200 and audio["Content-Type"] == "audio/mpeg"

    erase_player(job.capture.player)
    assert client.get(link).status_code == 404  # the signed link dies with the result


@pytest.mark.django_db
def test_erasure_deletes_the_narration_file(booth, media_root):
    job = factories.make_finished_job(booth.station)
    narration.narrate(job.pk)
    audio = job.narration.file.name
    assert (media_root / audio).is_file()

    erasure = erase_player(job.capture.player)

    assert not (media_root / audio).exists()
    assert not (media_root / audio).parent.exists()  # the job's folder went too
    assert erasure.files_by_kind.get(Asset.Kind.NARRATION) == 1
    assert not DBTaskResult.objects.filter(task_path=NARRATE_TASK).exists()


@pytest.mark.django_db
def test_the_retention_purge_deletes_the_narration_file(booth, media_root):
    job = factories.make_finished_job(booth.station)
    narration.narrate(job.pk)
    audio = media_root / job.narration.file.name
    Player.objects.filter(pk=job.capture.player_id).update(delete_after=timezone.now())

    purge_expired()

    assert not audio.exists()
    assert not Asset.objects.filter(kind=Asset.Kind.NARRATION).exists()


@pytest.mark.django_db
def test_a_polly_narration_is_stored_with_the_result(client, booth, settings):
    settings.BOOTH_NARRATOR = "polly"
    job = factories.make_finished_job(booth.station)
    mp3 = b"ID3\x04\x00polly-frames" * 50
    with Stubber(polly_client()) as stub:
        stub.add_response(
            "synthesize_speech",
            {"AudioStream": audio_stream(mp3), "ContentType": "audio/mpeg"},
            expected_params={
                "Text": job.story,
                "VoiceId": "Joanna",
                "Engine": "neural",
                "OutputFormat": "mp3",
                "LanguageCode": "en-US",
            },
        )
        assert narration.narrate(job.pk) == "narrated"

    stored = job.narration
    assert stored.file.name.startswith(f"assets/{job.pk}/") and stored.file.name.endswith(".mp3")
    audio = client.get(f"/r/{job.portrait.token}/narration")
    assert b"".join(audio.streaming_content) == mp3


@pytest.mark.django_db(transaction=True)
def test_a_free_worker_takes_the_next_portrait_before_a_waiting_narration(booth):
    """At a busy moment the wall must not wait for a story being read aloud."""
    told = factories.make_finished_job(booth.station)
    narration.narrate_job.enqueue(told.pk)  # queued first
    waiting = factories.make_job(booth.station)
    intake.enqueue_job(waiting)

    task_worker("test", 0.01, batch=True).run()  # a free worker drains the queue

    started = [
        (row.task_path.rsplit(".", 1)[1], row.args_kwargs["args"])
        for row in DBTaskResult.objects.exclude(started_at=None).order_by("started_at")
    ]
    portrait, story = ("process_job", [waiting.pk]), ("narrate_job", [told.pk])
    mine = [row for row in started if row in (portrait, story)]
    assert mine[0] == portrait and story in mine
    waiting.refresh_from_db()
    assert waiting.state == Job.State.SUCCEEDED
