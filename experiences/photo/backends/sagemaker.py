"""Compositing on a SageMaker endpoint: the reference booth's face swap + GFPGAN container.

The contract (the reference container's): Booth uploads the visitor's face crop and the
base portrait to S3 and invokes the endpoint with the JSON body
`{"uuid", "bucket", "source", "output"}` (S3 keys); the container writes the composite to
`output`, which Booth reads back. The keys are `<prefix><uuid>/source.jpg`,
`<prefix><uuid>/target.jpg` and `<prefix><uuid>/output.jpg`, so a container that finds the
base portrait from the uuid finds it; the body also names it as `target`. Every object is
deleted afterwards, whatever happened (privacy).

`SageMakerCompositor` calls a real-time endpoint (InvokeEndpoint, at most 60 s on AWS's
side); `SageMakerAsyncCompositor` an asynchronous-inference endpoint (InvokeEndpointAsync
with the request body in S3), polling the OutputLocation and FailureLocation objects until
a deadline, for containers that take longer than the real-time limit. Polling reads the
objects with GetObject, which tells "not written yet" (404 NoSuchKey) from "forbidden" only
when Booth's role has s3:ListBucket on the bucket: without it S3 answers a missing key
with 403 AccessDenied, which Booth reports at once as the permission it lacks. The
failure object is polled too, so a container's own failure ends the wait; an endpoint
configured without an S3FailurePath can only end it at the deadline (aws_preflight warns).

The face boxes Booth found are not sent: the container detects faces itself (the reference
container's face swap does), and its input is the padded crop the local compositor uses.
"""

import io
import json
import time
import uuid
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError
from django.conf import settings
from PIL import Image, UnidentifiedImageError

from experiences.photo.backends import BackendFailed, scratch
from experiences.photo.faces import Box
from experiences.photo.imaging import encode_jpeg
from kernel import aws

INPUT_QUALITY = 95  # the container restores faces with GFPGAN: give it the detail


class _S3Contract:
    """Upload, call, read back, clean up: what both endpoint kinds share."""

    name = "aws-sagemaker"

    def __init__(self, new_id: Callable[[], str] = lambda: uuid.uuid4().hex) -> None:
        self.new_id = new_id

    def composite(
        self,
        face: Image.Image,
        face_box: Box,
        base: Image.Image,
        base_box: Box,
        *,
        face_observation=None,  # unused: the endpoint finds the faces itself
        base_landmarks=None,
    ) -> Image.Image:
        endpoint = settings.BOOTH_SAGEMAKER_ENDPOINT
        if not endpoint:
            raise BackendFailed("BOOTH_SAGEMAKER_ENDPOINT is not set: no endpoint to composite on.")
        request_id = self.new_id()
        keys = {
            name: scratch.key(request_id, f"{name}.jpg") for name in ("source", "target", "output")
        }
        created = [keys["output"]]
        try:
            for name, image in (("source", face), ("target", base)):
                scratch.put(keys[name], encode_jpeg(image, INPUT_QUALITY), "image/jpeg")
                created.append(keys[name])
            body = {
                "uuid": request_id,
                "bucket": scratch.bucket(),
                "source": keys["source"],
                "output": keys["output"],
                "target": keys["target"],
            }
            self._invoke(endpoint, request_id, body, created)
            output = scratch.get(keys["output"])
            if output is None:
                raise BackendFailed(
                    f"SageMaker endpoint {endpoint} finished but wrote no image to "
                    f"s3://{scratch.bucket()}/{keys['output']}."
                )
            return _decode(output, endpoint)
        finally:
            scratch.delete(created)

    def _invoke(self, endpoint: str, request_id: str, body: dict, created: list[str]) -> None:
        """Run the endpoint to completion, adding every temporary key it makes to `created`
        as soon as it exists, so a failure part-way still deletes it."""
        raise NotImplementedError


class SageMakerCompositor(_S3Contract):
    """Real-time endpoint: the call returns when the composite is in S3."""

    name = "aws-sagemaker"

    def _invoke(self, endpoint: str, request_id: str, body: dict, created: list[str]) -> None:
        runtime = realtime_client()
        try:
            runtime.invoke_endpoint(
                EndpointName=endpoint,
                Body=json.dumps(body),
                ContentType="application/json",
                Accept="application/json",
            )
        except ReadTimeoutError as exc:
            raise BackendFailed(
                f"SageMaker endpoint {endpoint} did not answer within "
                f"{settings.BOOTH_SAGEMAKER_TIMEOUT:g} s (BOOTH_SAGEMAKER_TIMEOUT)."
            ) from exc
        except (ClientError, BotoCoreError) as exc:
            raise _failed(endpoint, exc) from exc


def realtime_client():
    """The real-time swap's budget: few attempts within a deadline, and never a second
    InvokeEndpoint after a read timeout (kernel.aws.NOT_RETRIED_AFTER_READ_TIMEOUT)."""
    return aws.client(
        "sagemaker-runtime",
        read_timeout=settings.BOOTH_SAGEMAKER_TIMEOUT,
        max_attempts=settings.BOOTH_SAGEMAKER_MAX_ATTEMPTS,
        deadline=settings.BOOTH_SAGEMAKER_DEADLINE,
    )


class Polling:
    """A caller of an asynchronous endpoint: request ids, and a clock and a sleep that
    tests replace so a 5-minute deadline takes no time."""

    def __init__(
        self,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.new_id, self.clock, self.sleep = new_id, clock, sleep


class SageMakerAsyncCompositor(Polling, _S3Contract):
    """Asynchronous-inference endpoint: the request waits in SageMaker's queue, so a slow
    container (or one scaled to zero) does not hit the real-time 60 s limit."""

    name = "aws-sagemaker-async"

    def _invoke(self, endpoint: str, request_id: str, body: dict, created: list[str]) -> None:
        request_key = scratch.key(request_id, "request.json")
        created.append(request_key)
        scratch.put(request_key, json.dumps(body).encode(), "application/json")
        run_async(
            endpoint,
            request_id,
            request_key,
            "application/json",
            created,
            timeout=settings.BOOTH_SAGEMAKER_ASYNC_TIMEOUT,
            timeout_setting="BOOTH_SAGEMAKER_ASYNC_TIMEOUT",
            clock=self.clock,
            sleep=self.sleep,
        )


def run_async(
    endpoint: str,
    request_id: str,
    input_key: str,
    content_type: str,
    created: list[str],
    *,
    timeout: float,
    timeout_setting: str,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> bytes:
    """Invoke an asynchronous-inference endpoint on an input already in S3 and wait for its
    output object; returns the output's bytes. The output and failure keys are added to
    `created` so the caller deletes them with its own temporary objects."""
    try:
        response = aws.client("sagemaker-runtime").invoke_endpoint_async(
            EndpointName=endpoint,
            InputLocation=f"s3://{scratch.bucket()}/{input_key}",
            ContentType=content_type,
            Accept="application/json",
            InferenceId=request_id,
            RequestTTLSeconds=max(60, int(timeout)),
        )
    except (ClientError, BotoCoreError) as exc:
        raise _failed(endpoint, exc) from exc
    locations = [response["OutputLocation"], response.get("FailureLocation", "")]
    try:
        return _wait(
            endpoint,
            *locations,
            deadline=clock() + timeout,
            timeout=timeout,
            timeout_setting=timeout_setting,
            clock=clock,
            sleep=sleep,
        )
    finally:
        # SageMaker writes these where the endpoint's config says: delete them there.
        for location in filter(None, locations):
            bucket_name, object_key = scratch.split_s3_uri(location)
            if bucket_name == scratch.bucket():
                created.append(object_key)


def _wait(
    endpoint: str,
    output: str,
    failure: str,
    *,
    deadline: float,
    timeout: float,
    timeout_setting: str,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> bytes:
    while True:
        if (data := scratch.get_uri(output)) is not None:
            return data
        if failure:
            reason = scratch.get_uri(failure)
            if reason is not None:
                raise BackendFailed(
                    f"SageMaker endpoint {endpoint} failed: "
                    f"{reason.decode('utf-8', 'replace').strip()[:500]}"
                )
        if clock() >= deadline:
            hint = (
                ""
                if failure
                else " The endpoint has no S3FailurePath, so a failed request is only in its "
                "CloudWatch logs: add one to its AsyncInferenceConfig."
            )
            raise BackendFailed(
                f"SageMaker endpoint {endpoint} did not finish within {timeout:g} s "
                f"({timeout_setting}).{hint}"
            )
        sleep(settings.BOOTH_SAGEMAKER_ASYNC_POLL_SECONDS)


def _failed(endpoint: str, exc: Exception) -> BackendFailed:
    """ModelError means the container itself failed: its message says why."""
    detail = aws.describe(exc)
    if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") == "ModelError":
        detail += " (the container failed: see its CloudWatch logs)"
    return BackendFailed(f"SageMaker endpoint {endpoint} failed: {detail}")


def _decode(data: bytes, endpoint: str) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=("JPEG", "PNG", "WEBP"))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise BackendFailed(
            f"SageMaker endpoint {endpoint} wrote an output that is not an image."
        ) from exc
    return image.convert("RGB")
