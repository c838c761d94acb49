"""Commentary: the local templates' situations and variety, and Bedrock with its fallback."""

import itertools
import json
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.stub import Stubber
from django.conf import settings as django_settings

from experiences.models.sports import CommentaryLine
from experiences.sports.commentary import ShotContext, commentator
from experiences.sports.commentary.bedrock import SYSTEM_PROMPT, BedrockCommentator
from experiences.sports.commentary.local import TEMPLATES, LocalCommentator, situation
from experiences.sports.commentary.service import shot_context, write_commentary
from kernel import aws
from tests import factories

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def context(**overrides) -> ShotContext:
    fields = {
        "player_id": 1,
        "player_name": "Sarah",
        "speed_kmh": 109.8,
        "distance_m": 20.0,
        "goal": False,
        "shots_done": 18,
        "rank": 2,
        "players": 5,
        "first_shot": False,
        "personal_best": False,
        "new_leader": False,
        "language": "ko",
    }
    return ShotContext(**{**fields, **overrides})


# --- What the shot means -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_service_sees_first_shots_personal_bests_and_new_leaders():
    experience = factories.make_sports_experience(factories.make_event())
    ana, ben = factories.make_player(experience, "Ana"), factories.make_player(experience, "Ben")

    first = shot_context(factories.make_shot(ana, 20.0))
    assert (first.first_shot, first.new_leader, first.rank) == (True, False, 1)
    ben_first = shot_context(factories.make_shot(ben, 25.0))
    assert (ben_first.first_shot, ben_first.new_leader, ben_first.rank) == (True, True, 1)
    slower = shot_context(factories.make_shot(ana, 18.0, goal=False))
    assert (slower.first_shot, slower.personal_best, slower.rank) == (False, False, 2)
    better = shot_context(factories.make_shot(ana, 24.0))
    assert (better.personal_best, better.new_leader, better.rank) == (True, False, 2)
    leader = shot_context(factories.make_shot(ana, 26.0))
    assert (leader.personal_best, leader.new_leader, leader.rank) == (True, True, 1)
    extends = shot_context(factories.make_shot(ana, 27.0))
    assert (extends.personal_best, extends.new_leader) == (True, False)  # already leading


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"new_leader": True, "first_shot": True, "goal": True}, "new_leader.goal"),
        ({"first_shot": True}, "first_shot.miss"),
        ({"personal_best": True, "goal": True}, "personal_best.goal"),
        ({"goal": True, "speed_kmh": 112.0}, "goal.rocket"),
        ({"goal": True, "speed_kmh": 75.0}, "goal.fast"),
        ({"goal": True, "speed_kmh": 40.0}, "goal.steady"),
        ({"speed_kmh": 95.0}, "close_miss"),
        ({"speed_kmh": 50.0}, "miss"),
    ],
)
def test_each_shot_gets_the_most_newsworthy_situation(overrides, expected):
    assert situation(context(**overrides)) == expected


def test_sentences_fill_in_name_speed_rank_and_distance():
    line = LocalCommentator(random.Random(1)).comment(
        context(first_shot=True, goal=True, speed_kmh=98.6, rank=3, language="en")
    )

    assert "Sarah" in line.text and "98.6 km/h" in line.text
    assert line.backend == "local" and line.template_key.startswith("en.first_shot.goal.")


def test_every_situation_has_several_sentences_in_both_languages():
    assert TEMPLATES["ko"].keys() == TEMPLATES["en"].keys()
    for language, situations in TEMPLATES.items():
        for key, sentences in situations.items():
            assert len(set(sentences)) >= 3, (language, key)
            for sentence in sentences:
                assert "{name}" in sentence and "{speed}" in sentence, sentence


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["ko", "en"])
def test_many_shots_give_varied_lines_and_never_the_same_twice_in_a_row(language):
    experience = factories.make_sports_experience(factories.make_event(), language=language)
    players = [factories.make_player(experience, name) for name in ("Ana", "Ben", "Cho")]
    rng = random.Random(7)
    said: dict[int, list[str]] = {player.pk: [] for player in players}

    for number in range(150):
        player = rng.choice(players)
        shot = factories.make_shot(
            player,
            round(rng.uniform(8, 35), 1),
            goal=rng.random() < 0.5,
            shots_done=number + 1,
        )
        line = write_commentary(shot.pk)
        said[player.pk].append(line.text)
        assert line.language == language

    texts = [text for lines in said.values() for text in lines]
    for lines in said.values():
        assert all(a != b for a, b in itertools.pairwise(lines))  # no repeat in a row
    keys = set(CommentaryLine.objects.values_list("template_key", flat=True))
    assert len(keys) >= 20  # many different sentences, across the situations
    assert {key.split(".")[1] for key in keys} >= {"first_shot", "goal", "miss", "new_leader"}
    if language == "ko":
        assert all(HANGUL.search(text) for text in texts)
    else:
        assert not any(HANGUL.search(text) for text in texts)


def test_a_player_never_hears_the_sentence_they_heard_last():
    local = LocalCommentator(random.Random(3))
    last = ""
    for _ in range(200):
        line = local.comment(context(speed_kmh=50.0, last_template_key=last))
        assert line.template_key != last
        last = line.template_key


# --- Bedrock -----------------------------------------------------------------------------

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


@pytest.fixture
def bedrock(settings):
    settings.BOOTH_COMMENTATOR = "experiences.sports.commentary.bedrock.BedrockCommentator"
    settings.BOOTH_COMMENTARY_MODEL_ID = MODEL
    settings.BOOTH_COMMENTARY_TIMEOUT = 0.5
    settings.BOOTH_COMMENTARY_MAX_ATTEMPTS = 2
    return BedrockCommentator()


def bedrock_client():
    """The cached client the backend gets (same timeout and attempts)."""
    return aws.client(
        "bedrock-runtime",
        read_timeout=django_settings.BOOTH_COMMENTARY_TIMEOUT,
        max_attempts=django_settings.BOOTH_COMMENTARY_MAX_ATTEMPTS,
    )


def test_bedrock_sends_the_shot_as_the_reference_json_and_uses_the_reply(bedrock):
    shot = context(speed_kmh=109.8, goal=False, rank=2, shots_done=18)
    expected_prompt = (
        '{"player_name": "Sarah", "shot_speed": 109.8, "shot_distance": 20.0, '
        '"shot_goal": false, "leaderboard_ranking": 2, "shots_done": 18}'
    )
    with Stubber(bedrock_client()) as stub:
        stub.add_response(
            "converse",
            {
                "output": {
                    "message": {
                        "role": "assistant",
                        "content": [
                            {"text": "“Sarah 선수, 시속 109.8km 강슛! 아깝게 빗나갑니다!”\n"}
                        ],
                    }
                },
                "stopReason": "end_turn",
                "usage": {"inputTokens": 180, "outputTokens": 30, "totalTokens": 210},
                "metrics": {"latencyMs": 850},
            },
            {
                "modelId": MODEL,
                "system": [{"text": SYSTEM_PROMPT.format(language="Korean")}],
                "messages": [{"role": "user", "content": [{"text": expected_prompt}]}],
                "inferenceConfig": {"maxTokens": 200, "temperature": 0.9},
            },
        )

        line = bedrock.comment(shot)

        stub.assert_no_pending_responses()
    assert line.text == "Sarah 선수, 시속 109.8km 강슛! 아깝게 빗나갑니다!"
    assert line.backend == "bedrock" and line.template_key == ""
    assert json.loads(expected_prompt)["shot_speed"] == 109.8  # km/h, as shown


def test_the_system_prompt_describes_every_field_and_asks_for_one_korean_sentence(bedrock):
    system, _ = bedrock.request(context())

    for field in ("player_name", "shot_speed", "shot_distance", "shot_goal"):
        assert field in system
    assert "leaderboard_ranking" in system and "shots_done" in system
    assert "km/h" in system and "one short, lively sentence" in system and "Korean" in system
    assert "English" in bedrock.request(context(language="en"))[0]


def test_a_throttled_bedrock_falls_back_to_the_local_sentences(bedrock):
    with Stubber(bedrock_client()) as stub:
        stub.add_client_error(
            "converse",
            "ThrottlingException",
            "Too many requests, please wait before trying again.",
            http_status_code=429,
        )

        line = bedrock.comment(context(language="ko"))

    assert line.backend == "local (Bedrock failed)"
    assert HANGUL.search(line.text) and "Sarah" in line.text
    assert line.template_key.startswith("ko.")


def test_an_access_denied_model_falls_back_too(bedrock):
    with Stubber(bedrock_client()) as stub:
        stub.add_client_error(
            "converse", "AccessDeniedException", "You don't have access to the model."
        )

        line = bedrock.comment(context(language="en"))

    assert line.backend == "local (Bedrock failed)" and "Sarah" in line.text


class SlowBedrock(BaseHTTPRequestHandler):
    """A Bedrock endpoint that answers too late: every request outlives the read timeout."""

    requests = 0

    def do_POST(self) -> None:
        type(self).requests += 1
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(2)
        try:
            self.send_response(200)
            self.end_headers()
        except OSError:
            pass

    def log_message(self, *args) -> None:
        pass


def test_a_slow_bedrock_times_out_is_retried_and_falls_back(bedrock, settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowBedrock)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.BOOTH_AWS_ENDPOINT_URLS = {"bedrock-runtime": f"http://127.0.0.1:{server.server_port}"}
    aws.reset()
    try:
        line = bedrock.comment(context(language="ko"))
    finally:
        server.shutdown()

    assert SlowBedrock.requests == 2  # the first attempt timed out and was retried once
    assert line.backend == "local (Bedrock failed)"
    assert HANGUL.search(line.text)


@pytest.mark.django_db(transaction=True)
def test_with_bedrock_the_commentary_is_a_task_and_the_line_says_who_wrote_it(
    bedrock, django_capture_on_commit_callbacks
):
    from django.test import Client
    from django_tasks_db.models import DBTaskResult

    from booth.worker import task_worker

    event = factories.make_event()
    factories.make_sports_experience(event)
    _, token = factories.make_integration(event)
    assert commentator().inline is False
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/api/shots/",
            factories.shot_json(),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 201
    assert not CommentaryLine.objects.exists()  # not in the request: a task writes it
    task = DBTaskResult.objects.get()
    assert task.task_path == "experiences.sports.commentary.service.comment_on_shot"

    with Stubber(bedrock_client()) as stub:
        stub.add_response(
            "converse",
            {
                "output": {"message": {"role": "assistant", "content": [{"text": "슛!"}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
                "metrics": {"latencyMs": 1},
            },
        )
        task_worker("test", 0, batch=True).run()

    line = CommentaryLine.objects.get()
    assert (line.text, line.backend) == ("슛!", "bedrock")
