"""Face detection with Amazon Rekognition DetectFaces (the reference booth's detector).

Rekognition returns each face's BoundingBox as ratios of the image's width and height; they
are turned into pixel boxes here, so the padding and cropping downstream (faces.py) are the
same as for the local detector. The photo is sent in the request (bytes) or, with
BOOTH_REKOGNITION_IMAGE_SOURCE=s3, uploaded as a temporary S3 object first.

The call runs inside the visitor's upload request, so its client has a budget of its own
(BOOTH_REKOGNITION_MAX_ATTEMPTS attempts within BOOTH_REKOGNITION_DEADLINE seconds) rather
than the five adaptive attempts a background job can afford. Errors that mean Booth's
AWS set-up is wrong (a bucket in another region, a missing permission, bad credentials)
are not the visitor's photo: the tablet gets a 503 saying staff have been told, and staff
get the AWS error in the log and the chat webhook.
"""

import logging
import uuid
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image

from experiences.photo import notifications as webhooks
from experiences.photo.backends import BackendFailed, scratch
from experiences.photo.faces import Box, EstimatedBox
from experiences.photo.imaging import ImageRejected, encode_jpeg
from kernel import aws

logger = logging.getLogger(__name__)

# DetectFaces accepts at most 5 MB of image bytes; Booth's stored captures are far smaller.
REKOGNITION_MAX_BYTES = 5 * 1024 * 1024
# Codes that mean the photo itself cannot be used, as opposed to the service being unwell.
PHOTO_ERRORS = {"InvalidImageFormatException", "ImageTooLargeException"}
# Codes that mean Booth's AWS configuration is wrong: nothing the visitor can fix. Rekognition
# answers InvalidS3ObjectException when it cannot read the object (bucket in another region,
# or no s3:GetObject for Rekognition's caller), not only for an unreadable image.
CONFIGURATION_ERRORS = {
    "InvalidS3ObjectException",
    "AccessDeniedException",
    "AccessDenied",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "ExpiredTokenException",
}


class RekognitionFaceDetector:
    name = "aws-rekognition"

    def __init__(self, new_id: Callable[[], str] = lambda: uuid.uuid4().hex) -> None:
        self.new_id = new_id

    def detect(self, image: Image.Image) -> list[Box]:
        """Faces above the confidence threshold, largest first, in pixels."""
        jpeg = encode_jpeg(image, 90)
        if len(jpeg) > REKOGNITION_MAX_BYTES:
            raise ImageRejected(
                "too_large", _("The photo is too large for face detection. Please retake it.")
            )
        if settings.BOOTH_REKOGNITION_IMAGE_SOURCE.lower() == "s3":
            details = self._detect_in_s3(jpeg)
        else:
            details = self._detect({"Bytes": jpeg})
        boxes = [
            with_age(to_pixels(face["BoundingBox"], image.size), face.get("AgeRange"))
            for face in details
            if face.get("Confidence", 100) >= settings.BOOTH_REKOGNITION_MIN_CONFIDENCE
        ]
        boxes = [box for box in boxes if box.w > 0 and box.h > 0]
        return sorted(boxes, key=lambda box: box.area, reverse=True)

    def _detect_in_s3(self, jpeg: bytes) -> list[dict]:
        """Upload, detect on the object, delete: the photo stays in S3 for one call only."""
        object_key = scratch.key(self.new_id(), "detect.jpg")
        try:
            scratch.put(object_key, jpeg, "image/jpeg")
        except BackendFailed as exc:
            raise _unavailable(exc) from exc
        try:
            return self._detect({"S3Object": {"Bucket": scratch.bucket(), "Name": object_key}})
        finally:
            scratch.delete([object_key])

    def _detect(self, image: dict) -> list[dict]:
        rekognition = detection_client()
        try:
            return rekognition.detect_faces(Image=image, Attributes=attributes())["FaceDetails"]
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in CONFIGURATION_ERRORS:
                raise _misconfigured(exc) from exc
            if code in PHOTO_ERRORS:
                raise ImageRejected(
                    "not_an_image",
                    _("Face detection could not read this photo. Please take it again."),
                ) from exc
            raise _unavailable(exc) from exc
        except BotoCoreError as exc:
            raise _unavailable(exc) from exc


def attributes() -> list[str]:
    """DEFAULT (box, confidence) and, for the waiting screen's fun guess, AGE_RANGE: the
    same price per image, so it is asked for unless BOOTH_REKOGNITION_AGE_RANGE is off."""
    return ["DEFAULT", "AGE_RANGE"] if settings.BOOTH_REKOGNITION_AGE_RANGE else ["DEFAULT"]


def with_age(box: Box, age_range: dict | None) -> Box:
    if not age_range or "Low" not in age_range or "High" not in age_range:
        return box
    return EstimatedBox(box.x, box.y, box.w, box.h, (int(age_range["Low"]), int(age_range["High"])))


def detection_client():
    """The visitor-facing budget: few attempts, one deadline for the whole call."""
    return aws.client(
        "rekognition",
        read_timeout=settings.BOOTH_REKOGNITION_TIMEOUT,
        max_attempts=settings.BOOTH_REKOGNITION_MAX_ATTEMPTS,
        deadline=settings.BOOTH_REKOGNITION_DEADLINE,
    )


def _misconfigured(exc: ClientError) -> ImageRejected:
    """Staff are told (log and chat webhook) what AWS said; the visitor is not asked to
    retake a photo that was never the problem."""
    detail = aws.describe(exc)
    logger.error("Rekognition face detection is misconfigured: %s", detail)
    webhooks.notify(
        f":rotating_light: Face detection is failing for every visitor: {detail}. "
        "Check the bucket's region and Booth's IAM permissions (manage.py aws_preflight)."
    )
    return ImageRejected(
        "face_detection_misconfigured",
        _(
            "Face detection is not working right now. Staff have been told; "
            "please ask a member of staff."
        ),
        status=503,
    )


def _unavailable(exc: Exception) -> ImageRejected:
    """The visitor is asked to retry; the log names the AWS error for staff."""
    detail = str(exc) if isinstance(exc, BackendFailed) else aws.describe(exc)
    logger.error("Rekognition face detection failed: %s", detail)
    return ImageRejected(
        "face_detection_unavailable",
        _("Face detection is busy or unreachable. Please try again in a moment."),
        status=503,
    )


def to_pixels(bounding_box: dict, size: tuple[int, int]) -> Box:
    """Rekognition's ratio box → a pixel Box clamped to the image (faces at the edge can
    have negative Left/Top or run past 1.0)."""
    width, height = size
    left = max(0.0, bounding_box["Left"]) * width
    top = max(0.0, bounding_box["Top"]) * height
    right = min(1.0, bounding_box["Left"] + bounding_box["Width"]) * width
    bottom = min(1.0, bounding_box["Top"] + bounding_box["Height"]) * height
    x, y = round(left), round(top)
    return Box(x, y, max(0, round(right) - x), max(0, round(bottom) - y))
