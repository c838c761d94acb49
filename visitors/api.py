"""The capture upload API the tablets use, and job status for reconnecting tablets."""

import re

from django.conf import settings
from django.contrib import admin
from django.shortcuts import get_object_or_404
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from displays.selectors import station_of
from displays.services import job_outcome
from experiences import api_schema
from experiences.models.events import AgeBand, Experience, Gender, UniformColour
from experiences.models.photo import Job
from experiences.photo.imaging import too_large
from experiences.photo.intake import VisitorProfile
from experiences.resume.matching import best_companies
from experiences.resume.services import ChoiceRejected, check_choice
from experiences.resume.traits import MBTI_CODES
from kernel.http import MULTIPART_OVERHEAD_BYTES, declared_length
from kernel.throttling import CAPTURE_THROTTLES
from visitors.capture import take_capture
from visitors.device_sessions import keep_signed_in

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def idempotency_key_of(request) -> str:
    """The Idempotency-Key header (empty when absent); a malformed one is refused."""
    key = request.headers.get("Idempotency-Key", "")
    if key and not IDEMPOTENCY_KEY.match(key):
        raise ValidationError(
            {
                "idempotency_key": [
                    "The Idempotency-Key header must be 8-64 letters, digits, '-' or '_' "
                    "(a UUID works); send the same key when retrying the same photo."
                ]
            }
        )
    return key


def capture_created(job: Job, station, status_code: int) -> Response:
    body = {
        "job": job.pk,
        "state": job.state,
        "display": station.display.number,
        "status_url": f"/api/jobs/{job.pk}/",
    }
    age_range = getattr(job, "age_range", None)  # set by the intake, never stored
    if age_range and station.experience.pipeline == Experience.Pipeline.RESUME:
        body["age_range"] = list(age_range)  # the résumé waiting screen's fun guess
    return Response(body, status=status_code)


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
    # Résumé experiences only: the visitor's MBTI type ("" when skipped) and the company
    # they picked from GET /api/stations/<n>/companies/.
    mbti = serializers.ChoiceField(choices=["", *MBTI_CODES], required=False, default="")
    company = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


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
        key = idempotency_key_of(request)
        earlier = Job.objects.filter(capture__station=station, capture__idempotency_key=key)
        if key and (job := earlier.first()) is not None:
            # A retry of a photo already accepted (its answer was lost): the same job.
            return capture_created(job, station, status.HTTP_200_OK)
        # Refused before the body is read: Django would otherwise spool any size to disk.
        if declared_length(request) > settings.BOOTH_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES:
            raise too_large(declared_length(request), settings.BOOTH_MAX_UPLOAD_BYTES)
        upload = request.FILES.get("image")
        if upload is not None and upload.size > settings.BOOTH_MAX_UPLOAD_BYTES:
            raise too_large(upload.size, settings.BOOTH_MAX_UPLOAD_BYTES)
        serializer = CaptureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        letter = None
        if station.experience.pipeline == Experience.Pipeline.RESUME:
            try:
                letter = check_choice(data["mbti"], data["company"])
            except ChoiceRejected as exc:
                raise ValidationError({"company": [str(exc)]}) from exc
        job = take_capture(
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
            idempotency_key=key,
            letter=letter,
        )
        return capture_created(job, station, status.HTTP_201_CREATED)


class StationSessionView(APIView):
    """The tablet page checks in: its device session is renewed, so it lasts the event.

    A session that ended anyway (deleted, or the tablet was off for longer than
    BOOTH_STATION_SESSION_DAYS) answers 403 `not_authenticated`, and the page says that
    staff must sign the tablet in again instead of failing at the next visitor's photo.
    """

    @api_schema.station_session_schema
    def post(self, request, number: int) -> Response:
        own_station(request, number)
        return Response({"signed_in": True, "expires": keep_signed_in(request)})


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


class CompanyQuerySerializer(serializers.Serializer):
    mbti = serializers.ChoiceField(choices=["", *MBTI_CODES], required=False, default="")
    language = serializers.ChoiceField(
        choices=[code for code, _ in settings.LANGUAGES], required=False, default="en"
    )


class CompanyMatchesView(APIView):
    """The three companies a résumé visitor may pick from (the tablet asks before the photo:
    matching needs only the type, and nothing is stored)."""

    throttle_classes = CAPTURE_THROTTLES

    @api_schema.company_matches_schema(CompanyQuerySerializer)
    def get(self, request, number: int) -> Response:
        own_station(request, number)
        query = CompanyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        matches = best_companies(query.validated_data["mbti"], query.validated_data["language"])
        return Response(
            {
                "companies": [
                    {"id": m.company.pk, "name": m.company.name, "reason": m.reason}
                    for m in matches
                ]
            }
        )
