"""Temporary S3 objects the AWS backends hand to a service and delete right after.

Visitors' faces go to S3 only for the length of one call: every key lives under
BOOTH_AWS_S3_PREFIX (so a lifecycle rule can expire anything a crash left behind) and is
deleted in a `finally`, whatever the call's outcome.

Reading an object that may not exist yet (an asynchronous endpoint's output) needs
s3:ListBucket on the bucket as well as s3:GetObject: without ListBucket S3 answers a
missing key with 403 AccessDenied instead of 404, so `get` explains a 403 as the
permission Booth lacks (docs/iam-policy.json) rather than as an unreadable object.
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
        code = exc.response.get("Error", {}).get("Code")
        if code in ("NoSuchKey", "404"):
            return None
        if code in ("AccessDenied", "403"):
            raise BackendFailed(permission_message(name, object_key, aws.describe(exc))) from exc
        raise BackendFailed(
            f"Could not read s3://{name}/{object_key}: {aws.describe(exc)}"
        ) from exc
    except BotoCoreError as exc:
        raise BackendFailed(
            f"Could not read s3://{name}/{object_key}: {aws.describe(exc)}"
        ) from exc
    return response["Body"].read()


def permission_message(bucket_name: str, object_key: str, detail: str) -> str:
    """What a 403 on a read means and what to grant: S3 gives 403 for a missing key too
    when the caller may not list the bucket."""
    folder = object_key.rpartition("/")[0]
    return (
        f"S3 refused to read s3://{bucket_name}/{object_key} ({detail}). This is a permission "
        f"problem, not a broken object: Booth's role needs s3:GetObject on "
        f"arn:aws:s3:::{bucket_name}/{folder}/* and s3:ListBucket on arn:aws:s3:::{bucket_name} "
        f"(prefix {folder}/), without which S3 answers 403 for an object that is not written "
        "yet. See docs/iam-policy.json; `manage.py aws_preflight` checks it."
    )


def get_uri(uri: str) -> bytes | None:
    bucket_name, object_key = split_s3_uri(uri)
    return get(object_key, bucket_name=bucket_name)


def delete(keys: Iterable[str], *, bucket_name: str | None = None) -> None:
    """Delete the keys; a failure is logged, not raised: the call's own outcome matters more,
    and the prefix's lifecycle rule removes what is left."""
    keys = list(keys)
    name = bucket_name or bucket()
    for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1,000 keys
        objects = [{"Key": k} for k in keys[start : start + 1000]]
        try:
            aws.client("s3").delete_objects(Bucket=name, Delete={"Objects": objects, "Quiet": True})
        except (ClientError, BotoCoreError) as exc:
            logger.error("Could not delete temporary S3 objects %s: %s", keys, aws.describe(exc))


def list_keys(bucket_name: str, prefix: str) -> list[str]:
    """Every key under `prefix`, in name order (ListObjectsV2, which needs s3:ListBucket)."""
    keys: list[str] = []
    try:
        pages = aws.client("s3").get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=bucket_name, Prefix=prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("AccessDenied", "403"):
            raise BackendFailed(
                f"S3 refused to list s3://{bucket_name}/{prefix} ({aws.describe(exc)}): Booth's "
                f"role needs s3:ListBucket on arn:aws:s3:::{bucket_name} for that prefix "
                "(docs/iam-policy.json)."
            ) from exc
        raise BackendFailed(
            f"Could not list s3://{bucket_name}/{prefix}: {aws.describe(exc)}"
        ) from exc
    except BotoCoreError as exc:
        raise BackendFailed(
            f"Could not list s3://{bucket_name}/{prefix}: {aws.describe(exc)}"
        ) from exc
    return sorted(keys)


def split_s3_uri(uri: str) -> tuple[str, str]:
    """`s3://bucket/key` → (bucket, key)."""
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise BackendFailed(f"Not an S3 location: {uri!r}")
    bucket_name, _, object_key = uri[5:].partition("/")
    return bucket_name, object_key
