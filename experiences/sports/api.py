"""The sports API: shots and kick clips posted by integrations (the sensor, the camera)."""

import re

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from experiences import api_schema
from experiences.models.photo import Job
from experiences.models.sports import Integration
from experiences.sports.integrations import IntegrationScope, IntegrationTokenAuthentication
from experiences.sports.leaderboard import standing_of
from experiences.sports.replays import replay_for_shot
from experiences.sports.shots import ShotReport, record_shot, shot_of_event
from experiences.sports.video import check_size
from kernel.api import SafeJSONParser
from kernel.throttling import INTEGRATION_THROTTLES
from visitors.api import declared_length

# Room for the multipart framing and the form's other fields around the file itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def idempotency_key_of(request) -> str:
    """The Idempotency-Key header (empty when absent); a malformed one is refused."""
    key = request.headers.get("Idempotency-Key", "")
    if key and not IDEMPOTENCY_KEY.match(key):
        raise ValidationError(
            {
                "idempotency_key": "The Idempotency-Key header must be 8-64 letters, digits, "
                "'-' or '_' (a UUID works); send the same key when retrying the same photo."
            }
        )
    return key


def capture_created(job: Job, station, status_code: int) -> Response:
    return Response(
        {
            "job": job.pk,
            "state": job.state,
            "display": station.display.number,
            "status_url": f"/api/jobs/{job.pk}/",
        },
        status=status_code,
    )


# The sensor's plausible ranges: 60 m/s is 216 km/h, well above any human kick.
MAX_SPEED_MPS = 60.0


MIN_DISTANCE_M = 1.0


MAX_DISTANCE_M = 60.0


class ShotSerializer(serializers.Serializer):
    """The reference sensor's shot JSON, plus a client event id; speed in m/s."""

    FIELDS_HELP = (
        "event_id, player_name or player_id, shot_speed (m/s), shot_distance (m), shot_goal, "
        "shots_done, and optionally leaderboard_ranking and experience"
    )

    event_id = serializers.RegexField(
        r"^[A-Za-z0-9._:-]{1,64}$",
        error_messages={
            "invalid": "Use 1-64 letters, digits, '.', '_', ':' or '-', unique per shot."
        },
    )
    player_id = serializers.IntegerField(required=False, min_value=1)
    player_name = serializers.CharField(required=False, max_length=40, trim_whitespace=True)
    shot_speed = serializers.FloatField(
        error_messages={"invalid": "A number of metres per second, e.g. 27.5."}
    )
    shot_distance = serializers.FloatField(
        error_messages={"invalid": "A number of metres, e.g. 20."}
    )
    shot_goal = serializers.BooleanField(error_messages={"invalid": "true or false."})
    shots_done = serializers.IntegerField(min_value=1, max_value=1_000_000)
    leaderboard_ranking = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    experience = serializers.IntegerField(required=False, min_value=1)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": [f"Send one JSON object with {self.FIELDS_HELP}."]}
            )
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: [f"Unknown field; the fields are {self.FIELDS_HELP}."] for name in unknown}
            )
        return super().to_internal_value(data)

    def validate_shot_speed(self, value: float) -> float:
        if not 0 < value <= MAX_SPEED_MPS:
            hint = (
                f" {value:g} looks like km/h: divide by 3.6 ({value / 3.6:.1f} m/s)."
                if MAX_SPEED_MPS < value <= MAX_SPEED_MPS * 3.6
                else ""
            )
            raise serializers.ValidationError(
                f"The ball's speed in metres per second, above 0 and at most {MAX_SPEED_MPS}."
                + hint
            )
        return value

    def validate_shot_distance(self, value: float) -> float:
        if not MIN_DISTANCE_M <= value <= MAX_DISTANCE_M:
            raise serializers.ValidationError(
                f"The shot's distance in metres, from {MIN_DISTANCE_M} to {MAX_DISTANCE_M}."
            )
        return value

    def validate(self, attrs):
        if ("player_id" in attrs) == ("player_name" in attrs):
            raise serializers.ValidationError(
                {"player_name": ["Send either player_name (a nickname) or player_id, not both."]}
            )
        if "player_name" in attrs and not attrs["player_name"]:
            raise serializers.ValidationError({"player_name": ["The nickname is empty."]})
        return attrs

    def report(self) -> ShotReport:
        data = self.validated_data
        return ShotReport(
            event_id=data["event_id"],
            speed_mps=data["shot_speed"],
            distance_m=data["shot_distance"],
            goal=data["shot_goal"],
            shots_done=data["shots_done"],
            player_id=data.get("player_id"),
            player_name=data.get("player_name", ""),
            sensor_ranking=data.get("leaderboard_ranking"),
            experience_id=data.get("experience"),
        )


class IntegrationAPIView(APIView):
    """An API for outside systems: bearer token only; no token (or a login) is a 401."""

    authentication_classes = [IntegrationTokenAuthentication]
    throttle_classes = INTEGRATION_THROTTLES

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise NotAuthenticated(message)
        super().permission_denied(request, message=message, code=code)


class ShotCreateView(IntegrationAPIView):
    """POST a shot from the sensor: 201 when stored, 200 when it is a retry of a stored one."""

    permission_classes = [IntegrationScope.of(Integration.Scope.SHOTS)]
    parser_classes = [SafeJSONParser]

    @api_schema.shot_schema(ShotSerializer)
    def post(self, request) -> Response:
        serializer = ShotSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        shot, created = record_shot(request.auth, serializer.report())
        standing = standing_of(shot.player)
        return Response(
            {
                "shot": shot.pk,
                "event_id": shot.client_event_id,
                "player": {"id": shot.player_id, "nickname": shot.player.nickname},
                "speed_mps": shot.speed_mps,
                "speed_kmh": shot.speed_kmh,
                "goal": shot.goal,
                "received_at": shot.received_at.isoformat(),
                "leaderboard_ranking": standing.rank if standing else None,
                "best_kmh": standing.best_kmh if standing else None,
                "duplicate": not created,
            },
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ClipUploadView(IntegrationAPIView):
    """POST the kick camera's clip of a shot (multipart field `clip`): 202 with the replay's
    links while it is made; 200 with the same links when the shot already has its replay."""

    permission_classes = [IntegrationScope.of(Integration.Scope.CLIPS)]
    parser_classes = [MultiPartParser]

    @api_schema.clip_schema
    def post(self, request, event_id: str) -> Response:
        if declared_length(request) > settings.BOOTH_MAX_CLIP_BYTES + MULTIPART_OVERHEAD_BYTES:
            check_size(declared_length(request))  # refused before the body is read
        upload = request.FILES.get("clip")
        if upload is None:
            raise ValidationError({"clip": ["Attach the video as the multipart field 'clip'."]})
        shot = shot_of_event(request.auth, event_id)
        if shot is None:
            raise NotFound(
                f"No shot with event id {event_id!r} in this event: post the shot first, "
                "then its clip."
            )
        replay, created = replay_for_shot(shot, upload)
        return Response(
            {
                "replay": replay.pk,
                "shot": shot.pk,
                "state": replay.state,
                "progress": replay.progress,
                "status_url": request.build_absolute_uri(
                    reverse("replay-status", args=[replay.token])
                ),
                "page_url": replay.public_url,
            },
            status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
        )
