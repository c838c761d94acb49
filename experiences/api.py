"""The capture upload API the tablets use, job status for reconnecting tablets, and the
shot API the sports sensor posts to (with an integration token, not a login)."""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import reverse
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from booth.api import SafeJSONParser
from booth.throttling import CAPTURE_THROTTLES, INTEGRATION_THROTTLES
from displays.selectors import station_of
from displays.services import job_outcome
from experiences import api_schema
from experiences.imaging import too_large
from experiences.integrations import IntegrationScope, IntegrationTokenAuthentication
from experiences.leaderboard import standing_of
from experiences.models import AgeBand, Gender, Integration, Job, UniformColour
from experiences.replays import replay_for_shot
from experiences.services import VisitorProfile, accept_capture
from experiences.shots import ShotReport, record_shot, shot_of_event
from experiences.video import check_size


class CaptureSerializer(serializers.Serializer):
    image = serializers.FileField(allow_empty_file=True)
    nickname = serializers.CharField(max_length=40, trim_whitespace=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, default="")
    age_band = serializers.ChoiceField(choices=AgeBand.choices, required=False, default="")
    uniform_colour = serializers.ChoiceField(
        choices=UniformColour.choices, required=False, default=""
    )
    consent_version = serializers.CharField(max_length=32)
    language = serializers.ChoiceField(
        choices=[code for code, _ in settings.LANGUAGES], required=False, default="en"
    )


# Room for the multipart framing and the form's other fields around the file itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def declared_length(request) -> int:
    """The request body's size as the client declared it (0 when absent or garbage)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def own_station(request, number: int):
    """The requesting device's station, which must be station `number`."""
    station = station_of(request.user)
    if station is None:
        raise PermissionDenied("This account is not a station's device account.")
    if station.number != number:
        raise PermissionDenied(
            f"This device belongs to station {station.number}; it can only post to station "
            f"{station.number}."
        )
    return station


class CaptureCreateView(APIView):
    parser_classes = [MultiPartParser]
    throttle_classes = CAPTURE_THROTTLES

    @api_schema.capture_schema(CaptureSerializer)
    def post(self, request, number: int) -> Response:
        station = own_station(request, number)
        # Refused before the body is read: Django would otherwise spool any size to disk.
        if declared_length(request) > settings.BOOTH_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES:
            raise too_large(declared_length(request), settings.BOOTH_MAX_UPLOAD_BYTES)
        upload = request.FILES.get("image")
        if upload is not None and upload.size > settings.BOOTH_MAX_UPLOAD_BYTES:
            raise too_large(upload.size, settings.BOOTH_MAX_UPLOAD_BYTES)
        serializer = CaptureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = accept_capture(
            station,
            data["image"].read(),
            VisitorProfile(
                nickname=data["nickname"],
                gender=data["gender"],
                age_band=data["age_band"],
                language=data["language"],
                uniform_colour=data["uniform_colour"],
            ),
            data["consent_version"],
        )
        return Response(
            {
                "job": job.pk,
                "state": job.state,
                "display": station.display.number,
                "status_url": f"/api/jobs/{job.pk}/",
            },
            status=status.HTTP_201_CREATED,
        )


class JobStatusView(APIView):
    @api_schema.job_status_schema
    def get(self, request, pk: int) -> Response:
        job = get_object_or_404(
            Job.objects.select_related("capture__station__display", "capture__player"), pk=pk
        )
        station = station_of(request.user)
        # Staff as admin sees them: with BOOTH_STAFF_2FA, only a TOTP-verified session.
        staff = admin.site.has_permission(request)
        if not staff and (station is None or job.capture.station_id != station.pk):
            raise PermissionDenied("This job belongs to another station.")
        return Response(job_outcome(job))


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
