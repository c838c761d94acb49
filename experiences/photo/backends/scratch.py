"""Temporary S3 objects the AWS backends hand to a service and delete right after.

Visitors' faces go to S3 only for the length of one call: every key lives under
BOOTH_AWS_S3_PREFIX (so a lifecycle rule can expire anything a crash left behind) and is
deleted in a `finally`, whatever the call's outcome.
"""

import logging
from collections.abc import Iterable

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from experiences.photo.backends import BackendFailed
from kernel import aws

logger = logging.getLogger(__name__)


def bucket() -> str:
    if not settings.BOOTH_AWS_S3_BUCKET:
        raise BackendFailed(
            "BOOTH_AWS_S3_BUCKET is not set: the AWS backends need a bucket for temporary objects."
        )
    return settings.BOOTH_AWS_S3_BUCKET


def key(request_id: str, name: str) -> str:
    return f"{settings.BOOTH_AWS_S3_PREFIX}{request_id}/{name}"


def put(object_key: str, body: bytes, content_type: str) -> None:
    try:
        aws.client("s3").put_object(
            Bucket=bucket(), Key=object_key, Body=body, ContentType=content_type
        )
    except (ClientError, BotoCoreError) as exc:
        raise BackendFailed(
            f"Could not upload to s3://{bucket()}/{object_key}: {aws.describe(exc)}"
        ) from exc


def get(object_key: str, *, bucket_name: str | None = None) -> bytes | None:
    """The object's bytes, or None if it does not exist (yet)."""
    name = bucket_name or bucket()
    try:
        response = aws.client("s3").get_object(Bucket=name, Key=object_key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise BackendFailed(
            f"Could not read s3://{name}/{object_key}: {aws.describe(exc)}"
        ) from exc
    except BotoCoreError as exc:
        raise BackendFailed(
            f"Could not read s3://{name}/{object_key}: {aws.describe(exc)}"
        ) from exc
    return response["Body"].read()


def get_uri(uri: str) -> bytes | None:
    bucket_name, object_key = split_s3_uri(uri)
    return get(object_key, bucket_name=bucket_name)


def delete(keys: Iterable[str]) -> None:
    """Delete the keys; a failure is logged, not raised: the call's own outcome matters more,
    and the prefix's lifecycle rule removes what is left."""
    objects = [{"Key": k} for k in keys]
    if not objects:
        return
    try:
        aws.client("s3").delete_objects(Bucket=bucket(), Delete={"Objects": objects, "Quiet": True})
    except (ClientError, BotoCoreError) as exc:
        logger.error("Could not delete temporary S3 objects %s: %s", keys, aws.describe(exc))


def split_s3_uri(uri: str) -> tuple[str, str]:
    """`s3://bucket/key` → (bucket, key)."""
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise BackendFailed(f"Not an S3 location: {uri!r}")
    bucket_name, _, object_key = uri[5:].partition("/")
    return bucket_name, object_key
