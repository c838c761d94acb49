"""The OpenAPI description of Booth's API (drf-spectacular): response shapes, errors and
the two ways in (a device's session with its CSRF token, an integration's bearer token).

The views stay thin: each gets one `extend_schema` from here. The serializers below only
describe responses for the schema; the views build their responses as before.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

DEVICE_AUTH = [{"cookieAuth": [], "csrfToken": []}]


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    target_class = "experiences.sports.integrations.IntegrationTokenAuthentication"
    name = "integrationToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An integration token from Admin › Experiences › Integrations, "
            "with the 'shots' or 'clips' scope. Not a login: sessions are refused here.",
        }


class ErrorSerializer(serializers.Serializer):
    """Every refusal: a machine-readable `code` and one sentence saying what to do."""

    code = serializers.CharField(
        help_text="e.g. invalid, empty, corrupt, not_an_image, unsupported_format, too_large, "
        "too_many_pixels, too_small, animated, no_face, several_faces, face_too_small, "
        "face_turned, eyes_closed, consent_changed, clip_rejected, "
        "event_id_reused, not_authenticated, permission_denied, not_found",
    )
    detail = serializers.CharField(help_text="What was wrong and what to send instead.")
    retry_after = serializers.IntegerField(
        required=False, help_text="For code 'throttled' (429): seconds to wait."
    )
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For code 'invalid': the messages for each field.",
    )


class CaptureAcceptedSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    state = serializers.CharField()
    display = serializers.IntegerField(help_text="The display the result will appear on.")
    status_url = serializers.CharField()
    age_range = serializers.ListField(
        child=serializers.IntegerField(),
        min_length=2,
        max_length=2,
        required=False,
        help_text="Résumé experiences with Rekognition only: the face's estimated age range "
        "[low, high], for the waiting screen; not stored.",
    )


class ResultSerializer(serializers.Serializer):
    """What displays show of a result: never its token (kernel/display_links.py)."""

    id = serializers.IntegerField()
    nickname = serializers.CharField()
    story = serializers.CharField()
    image = serializers.CharField(help_text="A display-scoped signed link of the portrait.")
    qr = serializers.CharField(
        allow_null=True, help_text="A display-scoped signed link of the QR code."
    )
    narration = serializers.CharField(
        allow_null=True,
        help_text="A display-scoped signed link of the story read aloud (MP3): null until a "
        "narrator has made it, and when narration is off.",
    )
    created = serializers.DateTimeField()


class StationSessionSerializer(serializers.Serializer):
    signed_in = serializers.BooleanField()
    expires = serializers.DateTimeField(
        help_text="When the device session ends unless the tablet checks in again."
    )


class JobOutcomeSerializer(serializers.Serializer):
    type = serializers.CharField()
    job = serializers.IntegerField()
    state = serializers.CharField()
    display = serializers.IntegerField(allow_null=True)
    result = ResultSerializer(required=False)
    awaiting_review = serializers.BooleanField(required=False)
    error = serializers.CharField(required=False)


class ShotPlayerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nickname = serializers.CharField()


class ShotStoredSerializer(serializers.Serializer):
    shot = serializers.IntegerField()
    event_id = serializers.CharField()
    player = ShotPlayerSerializer()
    speed_mps = serializers.FloatField()
    speed_kmh = serializers.FloatField()
    goal = serializers.BooleanField()
    received_at = serializers.DateTimeField()
    leaderboard_ranking = serializers.IntegerField(allow_null=True)
    best_kmh = serializers.FloatField(allow_null=True)
    duplicate = serializers.BooleanField()


class ClipUploadSerializer(serializers.Serializer):
    clip = serializers.FileField(help_text="The kick camera's MP4 or MOV clip.")


class ReplayAcceptedSerializer(serializers.Serializer):
    replay = serializers.IntegerField()
    shot = serializers.IntegerField()
    state = serializers.CharField()
    progress = serializers.FloatField()
    status_url = serializers.URLField()
    page_url = serializers.URLField()


def errors(**described: str) -> dict:
    """Responses for the given statuses (`e400="..."`), all with the error body; every
    operation is rate-limited (kernel/throttling.py), so 429 is always among them."""
    described.setdefault(
        "e429", "Rate limit reached (per device, token or address): wait `retry_after` seconds."
    )
    return {
        int(status.removeprefix("e")): OpenApiResponse(ErrorSerializer, description=text)
        for status, text in described.items()
    }


def capture_schema(form: type[serializers.Serializer]):
    """The capture upload; `form` is the view's own request serializer."""
    return extend_schema(
        operation_id="capture_create",
        summary="Upload a visitor's photo from the station's tablet",
        description="Multipart form from the station's device account (session cookie and "
        "CSRF header). The photo is checked, its face found and the job queued before the "
        "response; nothing is stored when it is refused. Send an `Idempotency-Key` per photo "
        "and resend the same key on retry (after a 503 or a lost answer): a key this station "
        "already used answers 200 with that photo's job, so a retry never makes two jobs.",
        request={"multipart/form-data": form},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="8-64 letters, digits, '-' or '_' (a UUID), one per photo, unique "
                "per station; repeat it when retrying the same photo.",
            )
        ],
        responses={
            201: CaptureAcceptedSerializer,
            200: OpenApiResponse(
                CaptureAcceptedSerializer,
                description="A retry: this Idempotency-Key was already accepted; its job.",
            ),
            **errors(
                e400="A field is missing or invalid, or the photo is empty, unreadable, animated, "
                "too small or has too many pixels.",
                e403="Not logged in as this station's device, or no CSRF token.",
                e404="No such URL: the station number must be a whole number.",
                e409="The consent text changed since the tablet page was opened.",
                e413="The photo is larger than BOOTH_MAX_UPLOAD_BYTES.",
                e415="Not multipart, or the photo is a GIF, HEIC, SVG, PDF or other unsupported "
                "format.",
                e422="The photo would not make a good portrait; `detail` is a sentence for the "
                "visitor, in the language of the form's `language` field, and the tablet shows "
                "it on its retake screen. `code` says why: `no_face` (no face found), "
                "`several_faces` (a second face nearly as large as the first: one person at a "
                "time), `face_too_small` (the face is under 11% of the photo's short side: come "
                "closer), `face_turned` (head turned more than 35° or tipped more than 30°: "
                "face the camera), `eyes_closed` (keep your eyes open). With a box-only face "
                "detector (Rekognition) only the first three occur.",
                e503="The database or Redis is briefly unavailable; nothing was stored. Retry "
                "after `Retry-After` seconds with the same Idempotency-Key.",
            ),
        },
        auth=DEVICE_AUTH,
        tags=["tablet"],
    )


class CompanyMatchSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Send it as `company` with the capture.")
    name = serializers.CharField()
    reason = serializers.CharField(help_text="One line: the traits the company looks for.")


class CompanyMatchesSerializer(serializers.Serializer):
    companies = CompanyMatchSerializer(many=True)


def company_matches_schema(query: type[serializers.Serializer]):
    """The résumé experience's company offer; `query` is the view's query serializer."""
    return extend_schema(
        operation_id="company_matches",
        summary="The three companies that best fit an MBTI type (résumé experience)",
        description="From the company library, by full-text search of the type's traits in "
        "the companies' profiles and keywords, in the visitor's language. Nothing is stored; "
        "the capture then names the chosen company.",
        parameters=[query],
        responses={
            200: CompanyMatchesSerializer,
            **errors(
                e400="`mbti` is not one of the 16 types (or empty), or `language` is unknown.",
                e403="Not logged in as this station's device.",
                e404="No such URL: the station number must be a whole number.",
            ),
        },
        auth=[{"cookieAuth": []}],
        tags=["tablet"],
    )


job_status_schema = extend_schema(
    operation_id="job_retrieve",
    summary="A capture's job: state, and the result once it may be shown",
    responses={
        200: JobOutcomeSerializer,
        **errors(
            e403="Not logged in, or the job belongs to another station.",
            e404="No such job.",
        ),
    },
    auth=[{"cookieAuth": []}],
    tags=["tablet"],
)


station_session_schema = extend_schema(
    operation_id="station_session_renew",
    summary="The tablet checks in: its device session is renewed for the event",
    description="Sent by the tablet page on load, every BOOTH_TABLET_SESSION_CHECK_SECONDS "
    "and when it is shown again. Renews the device session for BOOTH_STATION_SESSION_DAYS "
    "(session row and cookie). A 403 `not_authenticated` means the tablet was signed out: "
    "staff must sign it in again.",
    request=None,
    responses={
        200: StationSessionSerializer,
        **errors(
            e403="Signed out (`not_authenticated`), or not this station's device.",
            e404="No such URL: the station number must be a whole number.",
        ),
    },
    auth=DEVICE_AUTH,
    tags=["tablet"],
)


def shot_schema(body: type[serializers.Serializer]):
    """The shot report; `body` is the view's own request serializer."""
    return extend_schema(
        operation_id="shot_create",
        summary="Report a shot from the speed sensor",
        description="201 when stored; 200 with `duplicate: true` when it repeats a stored shot "
        "(same event id and values), so the sensor may retry safely.",
        request=body,
        responses={
            200: ShotStoredSerializer,
            201: ShotStoredSerializer,
            **errors(
                e400="Invalid JSON or field values (see `fields`).",
                e401="No integration token, or an unknown or revoked one.",
                e403="The token lacks the 'shots' scope.",
                e409="The event id was used for a different shot, or the event has no sports "
                "experience.",
                e415="Not JSON.",
            ),
        },
        examples=[
            OpenApiExample(
                "Shot",
                value={
                    "event_id": "kick-0042",
                    "player_name": "Sarah",
                    "shot_speed": 27.5,
                    "shot_distance": 20,
                    "shot_goal": True,
                    "shots_done": 3,
                },
                request_only=True,
            )
        ],
        tags=["integrations"],
    )


clip_schema = extend_schema(
    operation_id="shot_clip_create",
    summary="Upload the kick camera's clip of a posted shot",
    description="202 while the slow-motion replay is made; 200 with the same links when "
    "the shot already has its replay (a retried upload is not processed twice).",
    request={"multipart/form-data": ClipUploadSerializer},
    responses={
        200: ReplayAcceptedSerializer,
        202: ReplayAcceptedSerializer,
        **errors(
            e400="No 'clip' field, or the clip is empty, incomplete, unreadable or has no "
            "video track.",
            e401="No integration token, or an unknown or revoked one.",
            e403="The token lacks the 'clips' scope.",
            e404="No shot with this event id in the token's event: post the shot first.",
            e413="The clip is larger than BOOTH_MAX_CLIP_BYTES.",
            e415="Not multipart, or not an MP4 or MOV clip.",
            e422="The clip is too long or its picture too large.",
        ),
    },
    tags=["integrations"],
)
