"""The sensor's shot API: token authentication, validation, idempotent retries."""

import pytest
from django.test import Client

from experiences.models.events import Player
from experiences.models.sports import CommentaryLine, Integration, Shot
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/shots/"


@pytest.fixture
def sports(db):
    event = factories.make_event()
    experience = factories.make_sports_experience(event)
    integration, token = factories.make_integration(event)
    return experience, integration, token


def post(payload, token: str | None, client: Client | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return (client or Client()).post(URL, payload, content_type="application/json", headers=headers)


def test_a_shot_is_stored_with_its_player_and_ranked_by_booth(
    sports, django_capture_on_commit_callbacks
):
    experience, integration, token = sports

    with django_capture_on_commit_callbacks(execute=True):
        response = post(factories.shot_json(leaderboard_ranking=7), token)

    assert response.status_code == 201, response.json()
    shot = Shot.objects.get()
    body = response.json()
    assert body["shot"] == shot.pk
    assert body["duplicate"] is False
    assert body["speed_mps"] == 30.5
    assert body["speed_kmh"] == 109.8  # shown in km/h
    assert body["leaderboard_ranking"] == 1  # Booth's own ranking, not the sensor's 7
    assert body["player"]["nickname"] == "Sarah"
    assert (shot.speed_mps, shot.distance_m, shot.goal, shot.shots_done) == (30.5, 20, False, 18)
    assert shot.sensor_ranking == 7
    assert shot.integration == integration
    player = Player.objects.get()
    assert player.experience == experience
    assert player.delete_after == player.created + experience.retention
    line = CommentaryLine.objects.get(shot=shot)
    assert "Sarah" in line.text and line.language == "ko" and line.backend == "local"


def test_a_retried_post_returns_the_same_shot_and_counts_once(
    sports, django_capture_on_commit_callbacks
):
    _, _, token = sports
    with django_capture_on_commit_callbacks(execute=True):
        first = post(factories.shot_json("evt-42"), token)
        retry = post(factories.shot_json("evt-42"), token)

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["shot"] == first.json()["shot"]
    assert retry.json()["duplicate"] is True
    assert Shot.objects.count() == 1
    assert Player.objects.count() == 1
    assert CommentaryLine.objects.count() == 1  # no second commentary either


def test_the_same_event_id_with_other_values_is_a_conflict(sports):
    _, _, token = sports
    post(factories.shot_json("evt-42", shot_speed=30.5), token)

    response = post(factories.shot_json("evt-42", shot_speed=31.0), token)

    assert response.status_code == 409
    assert response.json()["code"] == "event_id_reused"
    assert "already used for a different shot" in response.json()["detail"]
    assert Shot.objects.get().speed_mps == 30.5  # the stored shot is untouched


def test_event_ids_are_unique_per_integration_not_globally(sports):
    experience, _, token = sports
    _, other_token = factories.make_integration(experience.event)

    assert post(factories.shot_json("evt-1"), token).status_code == 201
    assert post(factories.shot_json("evt-1"), other_token).status_code == 201
    assert Shot.objects.count() == 2


def test_the_same_nickname_is_the_same_player_until_the_leaderboard_resets(sports):
    from experiences.sports import leaderboard

    experience, _, token = sports
    post(factories.shot_json("a", player_name="Sarah"), token)
    post(factories.shot_json("b", player_name="Sarah"), token)
    assert Player.objects.count() == 1
    leaderboard.reset(experience)

    post(factories.shot_json("c", player_name="Sarah"), token)

    assert Player.objects.count() == 2


def test_a_shot_can_name_an_existing_player_by_id(sports):
    _, _, token = sports
    created = post(factories.shot_json("a"), token).json()["player"]["id"]
    payload = factories.shot_json("b", player_id=created)
    del payload["player_name"]

    response = post(payload, token)

    assert response.status_code == 201
    assert response.json()["player"]["id"] == created
    assert Player.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"shot_speed": 110}, "shot_speed", "looks like km/h: divide by 3.6 (30.6 m/s)"),
        ({"shot_speed": 0}, "shot_speed", "above 0 and at most 60"),
        ({"shot_speed": "fast"}, "shot_speed", "metres per second"),
        ({"shot_distance": 0.5}, "shot_distance", "from 1.0 to 60.0"),
        ({"shot_distance": 75}, "shot_distance", "from 1.0 to 60.0"),
        ({"shot_goal": "maybe"}, "shot_goal", "true or false"),
        ({"shots_done": 0}, "shots_done", "greater than or equal to 1"),
        ({"event_id": "has spaces"}, "event_id", "1-64 letters"),
        ({"shot_sped": 20}, "shot_sped", "Unknown field"),
        ({"player_id": 5}, "player_name", "either player_name"),
        ({"player_name": "   "}, "player_name", "may not be blank"),
        ({"player_id": 999999, "player_name": None}, "player_id", ""),
    ],
)
def test_invalid_shots_are_refused_with_a_message_naming_the_field(sports, change, field, message):
    _, _, token = sports
    payload = {**factories.shot_json(), **change}
    payload = {k: v for k, v in payload.items() if v is not None}

    response = post(payload, token)

    assert response.status_code == 400, response.json()
    body = response.json()
    if body["code"] == "invalid":
        assert field in body["fields"], body
        assert message in " ".join(body["fields"][field])
        assert field in body["detail"]
    else:  # refused by the service: an unknown player id
        assert body["code"] == "unknown_player"
        assert "is not a player of" in body["detail"]
    assert not Shot.objects.exists()


@pytest.mark.parametrize(
    "missing", ["event_id", "shot_speed", "shot_distance", "shot_goal", "shots_done"]
)
def test_required_fields_are_required(sports, missing):
    _, _, token = sports
    payload = factories.shot_json()
    del payload[missing]

    response = post(payload, token)

    assert response.status_code == 400
    assert response.json()["fields"][missing] == ["This field is required."]


def test_a_body_that_is_not_a_json_object_is_refused(sports):
    _, _, token = sports

    response = post([factories.shot_json()], token)

    assert response.status_code == 400
    assert "one JSON object" in response.json()["detail"]


def test_without_a_sports_experience_the_sensor_is_told_what_staff_must_do(db):
    event = factories.make_event()
    factories.make_experience(event)  # a portrait experience only
    _, token = factories.make_integration(event)

    response = post(factories.shot_json(), token)

    assert response.status_code == 409
    assert "has no sports experience" in response.json()["detail"]


def test_with_two_sports_experiences_the_shot_must_name_one(sports):
    experience, _, token = sports
    second = factories.make_sports_experience(experience.event, name="Penalty")

    refused = post(factories.shot_json("a"), token)
    accepted = post(factories.shot_json("b", experience=second.pk), token)

    assert refused.status_code == 400
    assert f"{second.pk} (Penalty)" in refused.json()["detail"]
    assert accepted.status_code == 201
    assert Shot.objects.get().player.experience == second


# --- Who may post ---------------------------------------------------------------------


def test_no_token_is_401_with_a_bearer_challenge(sports):
    response = post(factories.shot_json(), None)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="booth"'
    assert "integration token" in response.json()["detail"]
    assert not Shot.objects.exists()


def test_an_unknown_or_revoked_token_is_refused(sports):
    _, integration, token = sports
    assert post(factories.shot_json("a"), "booth_not-a-real-token").status_code == 401
    Integration.objects.filter(pk=integration.pk).update(is_active=False)

    response = post(factories.shot_json("b"), token)

    assert response.status_code == 401
    assert "unknown or was revoked" in response.json()["detail"]
    assert not Shot.objects.exists()


def test_a_token_without_the_shots_scope_is_forbidden(db):
    event = factories.make_event()
    factories.make_sports_experience(event)
    _, token = factories.make_integration(event, scopes=())

    response = post(factories.shot_json(), token)

    assert response.status_code == 403
    assert "may not use the 'shots' API" in response.json()["detail"]


def test_staff_and_device_sessions_cannot_post_shots(sports, admin_client):
    experience, _, _ = sports
    station = factories.make_station(experience.event, experience, 1)
    device = Client()
    device.force_login(station.user)

    for client in (admin_client, device):
        response = post(factories.shot_json(), None, client)
        assert response.status_code == 401
    assert not Shot.objects.exists()


def test_an_integration_token_reaches_no_other_api(booth):
    _, token = factories.make_integration(booth.event)
    job = factories.make_job(booth.station)
    bearer = {"Authorization": f"Bearer {token}"}

    status = Client().get(f"/api/jobs/{job.pk}/", headers=bearer).status_code
    upload = Client().post("/api/stations/1/captures/", {}, headers=bearer).status_code

    assert status == 403 and upload == 403


def test_the_token_is_stored_only_as_a_hash_and_use_is_recorded(sports):
    _, integration, token = sports
    assert token.startswith("booth_") and len(token) > 40
    assert token not in str(Integration.objects.values().get())

    post(factories.shot_json(), token)

    integration.refresh_from_db()
    assert integration.last_used is not None


@pytest.mark.django_db(transaction=True)
def test_the_same_shot_posted_twice_at_once_is_stored_once(sports):
    """The sensor's retry can overlap the original request: the unique event id decides."""
    import threading

    from django.db import connection

    _, _, token = sports
    barrier = threading.Barrier(4)
    statuses = []

    def send() -> None:
        barrier.wait()
        try:
            statuses.append(post(factories.shot_json("evt-race"), token).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(statuses) == [200, 200, 200, 201]
    assert Shot.objects.count() == 1
    assert CommentaryLine.objects.count() == 1
