"""`manage.py aws_preflight`: prove, with the configured credentials, region and settings,
that everything an event needs from AWS works, before the first visitor.

Each check is one line: PASS, WARN (works, but something will bite) or FAIL, what was found,
and for anything but PASS a sentence saying what to fix. The run is stored
(operations.models.PreflightRun) so staff can see the last one on the staff page.

The checks, in order: who Booth is (STS GetCallerIdentity); every Bedrock model id in use
is offered and ACTIVE in the region (ListFoundationModels, or GetInferenceProfile for
`us.`/`eu.`… profile ids); every SageMaker endpoint in use is InService, asynchronous or
not as its backend expects, writing its output and failures under Booth's prefix; the
temporary-object bucket exists in the region with Block Public Access on; and Booth can
put, get, list, read a missing key as 404 (which needs s3:ListBucket), presign and delete
under its prefix. The media bucket (BOOTH_S3_BUCKET), when set, is checked the same way.
"""

import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from django.conf import settings

from kernel import aws
from operations import aws_setup
from operations.models import PreflightRun

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"
PRESIGN_CHECK_SECONDS = 60
KEPT_RUNS = 20


@dataclass
class Check:
    status: str
    name: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status}  {self.name}: {self.detail}"
        return f"{text} Fix: {self.fix}" if self.fix else text


def _code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return type(exc).__name__


def identity() -> list[Check]:
    try:
        reply = aws.client("sts").get_caller_identity()
    except NoCredentialsError:
        return [
            Check(
                FAIL,
                "identity",
                "no AWS credentials found.",
                "Give Booth credentials: an instance or task role, AWS_PROFILE / "
                "BOOTH_AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
            )
        ]
    except (ClientError, BotoCoreError) as exc:
        return [
            Check(
                FAIL,
                "identity",
                f"STS GetCallerIdentity failed: {aws.describe(exc)}.",
                "Check the credentials and, if set, that BOOTH_AWS_ROLE_ARN trusts them "
                "(sts:AssumeRole).",
            )
        ]
    return [Check(PASS, "identity", f"{reply['Arn']} (account {reply['Account']}).")]


def bedrock_models() -> list[Check]:
    region = settings.BOOTH_AWS_REGION
    uses = aws_setup.models_in_use()
    checks: list[Check] = []
    offered: dict[str, dict] | None = None
    try:
        summaries = aws.client("bedrock").list_foundation_models()["modelSummaries"]
        offered = {summary["modelId"]: summary for summary in summaries}
    except (ClientError, BotoCoreError) as exc:
        checks.append(
            Check(
                FAIL,
                "bedrock models",
                f"ListFoundationModels failed in {region}: {aws.describe(exc)}.",
                "Allow bedrock:ListFoundationModels and bedrock:GetInferenceProfile "
                "(docs/iam-policy.json), and check BOOTH_AWS_REGION offers Bedrock.",
            )
        )
    for use in uses:
        name = f"bedrock {use.setting}"
        failed = FAIL if use.required else WARN
        if aws_setup.profile_geography(use.model_id):
            checks.append(_profile_check(use, name, failed, region))
        elif offered is not None:
            checks.append(_model_check(use, name, failed, region, offered.get(use.model_id)))
    return checks


def _profile_check(use: aws_setup.ModelUse, name: str, failed: str, region: str) -> Check:
    try:
        profile = aws.client("bedrock").get_inference_profile(
            inferenceProfileIdentifier=use.model_id
        )
    except (ClientError, BotoCoreError) as exc:
        return Check(
            failed,
            name,
            f"inference profile {use.model_id} is not offered in {region} ({aws.describe(exc)}).",
            f"Set {use.setting} to a profile listed by `aws bedrock "
            f"list-inference-profiles --region {region}` (docs/aws.md).",
        )
    if profile.get("status") != "ACTIVE":
        return Check(
            failed,
            name,
            f"inference profile {use.model_id} is {profile.get('status')}.",
            f"Choose an ACTIVE profile for {use.setting}.",
        )
    return Check(PASS, name, f"{use.model_id} is an ACTIVE inference profile ({use.purpose}).")


def _model_check(
    use: aws_setup.ModelUse, name: str, failed: str, region: str, summary: dict | None
) -> Check:
    if summary is None:
        return Check(
            failed,
            name,
            f"{use.model_id} is not offered in {region} (retired, or offered in other regions).",
            f"Set {use.setting} to an ACTIVE model id from `aws bedrock "
            f"list-foundation-models --region {region}` (docs/aws.md).",
        )
    status = summary.get("modelLifecycle", {}).get("status", "ACTIVE")
    if status != "ACTIVE":
        return Check(
            failed,
            name,
            f"{use.model_id} is {status} in {region}: new accounts "
            "cannot call it and it will stop answering at its end of life.",
            f"Set {use.setting} to an ACTIVE model (docs/aws.md).",
        )
    kinds = summary.get("inferenceTypesSupported") or []
    if "ON_DEMAND" not in kinds and "INFERENCE_PROFILE" in kinds:
        return Check(
            failed,
            name,
            f"{use.model_id} is offered through inference profiles "
            'only ("on-demand throughput isn\'t supported").',
            f"Set {use.setting} to {aws_setup.suggested_profile(use.model_id, region)}.",
        )
    return Check(PASS, name, f"{use.model_id} is ACTIVE in {region} ({use.purpose}).")


def sagemaker_endpoints() -> list[Check]:
    checks = []
    for use in aws_setup.endpoints_in_use():
        name = f"sagemaker {use.setting}"
        if not use.name:
            checks.append(
                Check(
                    FAIL,
                    name,
                    f"{use.setting} is empty but {use.purpose} uses SageMaker.",
                    f"Set {use.setting} to the endpoint's name.",
                )
            )
            continue
        checks.extend(_endpoint_checks(use, name))
    return checks


def _endpoint_checks(use: aws_setup.EndpointUse, name: str) -> list[Check]:
    sagemaker = aws.client("sagemaker")
    try:
        endpoint = sagemaker.describe_endpoint(EndpointName=use.name)
        config = sagemaker.describe_endpoint_config(
            EndpointConfigName=endpoint["EndpointConfigName"]
        )
    except (ClientError, BotoCoreError) as exc:
        return [
            Check(
                FAIL,
                name,
                f"endpoint {use.name} cannot be described: {aws.describe(exc)}.",
                f"Deploy it in {settings.BOOTH_AWS_REGION}, or allow "
                "sagemaker:DescribeEndpoint and DescribeEndpointConfig.",
            )
        ]
    status = endpoint["EndpointStatus"]
    if status != "InService":
        return [
            Check(
                FAIL,
                name,
                f"endpoint {use.name} is {status}, not InService.",
                "Wait for the deployment, or read FailureReason in the SageMaker "
                "console and redeploy.",
            )
        ]
    checks = [Check(PASS, name, f"endpoint {use.name} is InService ({use.purpose}).")]
    async_config = config.get("AsyncInferenceConfig")
    if not use.asynchronous:
        if async_config:
            checks.append(
                Check(
                    FAIL,
                    name,
                    f"{use.name} is an asynchronous endpoint, but "
                    f"{use.purpose} is set to call it in real time.",
                    "Use SageMakerAsyncCompositor, or a real-time endpoint.",
                )
            )
        return checks
    if not async_config:
        checks.append(
            Check(
                FAIL,
                name,
                f"{use.name} is a real-time endpoint, but {use.purpose} calls InvokeEndpointAsync.",
                "Deploy it with an AsyncInferenceConfig (docs/aws.md).",
            )
        )
        return checks
    output = async_config.get("OutputConfig", {})
    expected = f"s3://{settings.BOOTH_AWS_S3_BUCKET}/{settings.BOOTH_AWS_S3_PREFIX}"
    for key, label in (("S3OutputPath", "output"), ("S3FailurePath", "failures")):
        path = output.get(key, "")
        if not path:
            severity = FAIL if key == "S3OutputPath" else WARN
            checks.append(
                Check(
                    severity,
                    name,
                    f"{use.name} has no {key}: a failed request "
                    "is only in CloudWatch, and Booth waits until its deadline.",
                    f"Add {key} under {expected} to its AsyncInferenceConfig.",
                )
            )
        elif not (path.rstrip("/") + "/").startswith(expected):
            checks.append(
                Check(
                    FAIL,
                    name,
                    f"{use.name} writes its {label} to {path}, outside "
                    f"{expected}: Booth may not read or delete it there.",
                    f"Set {key} under {expected}.",
                )
            )
    return checks


def bucket(bucket_name: str, prefix: str, label: str) -> list[Check]:
    """The bucket exists in the region, is private, and Booth can use its prefix."""
    s3 = aws.client("s3")
    region = settings.BOOTH_S3_REGION or settings.BOOTH_AWS_REGION
    name = f"s3 {label}"
    try:
        location = s3.get_bucket_location(Bucket=bucket_name).get("LocationConstraint")
    except (ClientError, BotoCoreError) as exc:
        code = _code(exc)
        fix = (
            f"Create the bucket in {region}, or correct {label}."
            if code in ("NoSuchBucket", "404")
            else f"Allow s3:GetBucketLocation on arn:aws:s3:::{bucket_name}."
        )
        return [Check(FAIL, name, f"bucket {bucket_name}: {aws.describe(exc)}.", fix)]
    actual = location or "us-east-1"
    checks = []
    if actual != region:
        checks.append(
            Check(
                FAIL,
                name,
                f"bucket {bucket_name} is in {actual}, Booth in "
                f"{region}: Rekognition and SageMaker read S3 in their own region "
                "only (InvalidS3ObjectException).",
                f"Use a bucket in {region}, or set BOOTH_AWS_REGION={actual}.",
            )
        )
    else:
        checks.append(Check(PASS, name, f"bucket {bucket_name} is in {actual}."))
    checks.append(_public_access(bucket_name, name))
    checks.extend(_round_trip(bucket_name, prefix, name))
    return checks


def _public_access(bucket_name: str, name: str) -> Check:
    fix = (
        f"Turn on all four Block Public Access settings: `aws s3api "
        f"put-public-access-block --bucket {bucket_name} --public-access-block-configuration "
        "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,"
        "RestrictPublicBuckets=true`."
    )
    try:
        config = aws.client("s3").get_public_access_block(Bucket=bucket_name)[
            "PublicAccessBlockConfiguration"
        ]
    except (ClientError, BotoCoreError) as exc:
        if _code(exc) == "NoSuchPublicAccessBlockConfiguration":
            return Check(
                FAIL,
                name,
                f"bucket {bucket_name} has no Block Public Access "
                "configuration: visitors' faces could be made public.",
                fix,
            )
        return Check(
            WARN,
            name,
            f"Block Public Access unreadable: {aws.describe(exc)}.",
            f"Allow s3:GetBucketPublicAccessBlock on arn:aws:s3:::{bucket_name}.",
        )
    off = sorted(key for key, value in config.items() if not value)
    if off:
        return Check(FAIL, name, f"Block Public Access is off for {', '.join(off)}.", fix)
    return Check(PASS, name, "Block Public Access is on (all four settings).")


def _round_trip(bucket_name: str, prefix: str, name: str) -> list[Check]:
    s3 = aws.client("s3")
    folder = f"{prefix.rstrip('/')}/preflight/" if prefix else "preflight/"
    key = f"{folder}{uuid.uuid4().hex}.txt"
    body = b"Booth preflight: safe to delete."
    where = f"s3://{bucket_name}/{folder}"
    grant = f"arn:aws:s3:::{bucket_name}/{prefix.rstrip('/')}/*"
    checks = []

    def step(label: str, call: Callable[[], str | None], fix: str) -> bool:
        try:
            detail = call()
        except (ClientError, BotoCoreError, OSError, AssertionError) as exc:
            text = aws.describe(exc) if not isinstance(exc, AssertionError) else str(exc)
            checks.append(Check(FAIL, f"{name} {label}", f"{where}: {text}.", fix))
            return False
        checks.append(Check(PASS, f"{name} {label}", detail or f"{where} ok."))
        return True

    def put() -> None:
        s3.put_object(Bucket=bucket_name, Key=key, Body=body, ContentType="text/plain")

    def get() -> None:
        assert s3.get_object(Bucket=bucket_name, Key=key)["Body"].read() == body, "changed"

    def listed() -> None:
        reply = s3.list_objects_v2(Bucket=bucket_name, Prefix=folder)
        assert key in [item["Key"] for item in reply.get("Contents", [])], "not listed"

    def missing_is_404() -> str:
        try:
            s3.get_object(Bucket=bucket_name, Key=f"{folder}not-written-yet")
        except ClientError as exc:
            if _code(exc) in ("NoSuchKey", "404"):
                return "a missing key reads as 404 (asynchronous results can be polled)."
            raise
        raise AssertionError("a key never written was found")

    def presigned() -> None:
        url = s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": bucket_name, "Key": key},
            ExpiresIn=PRESIGN_CHECK_SECONDS,
        )
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our S3 URL
            assert response.read() == body, "a presigned GET returned other bytes"

    def delete() -> None:
        s3.delete_object(Bucket=bucket_name, Key=key)

    if not step("put", put, f"Allow s3:PutObject on {grant}."):
        return checks
    step("get", get, f"Allow s3:GetObject on {grant}.")
    step(
        "list",
        listed,
        f"Allow s3:ListBucket on arn:aws:s3:::{bucket_name} with the "
        f"condition s3:prefix like {prefix}* (docs/iam-policy.json).",
    )
    step(
        "missing key",
        missing_is_404,
        f"Allow s3:ListBucket on arn:aws:s3:::{bucket_name} "
        "for the prefix: without it S3 answers 403 for a key not written yet, and every "
        "asynchronous SageMaker poll fails.",
    )
    step(
        "presign",
        presigned,
        "Check the clock, the region and s3:GetObject: a presigned "
        "URL is signed with Booth's own credentials.",
    )
    step(
        "delete",
        delete,
        f"Allow s3:DeleteObject on {grant}: visitors' temporary files must be deleted.",
    )
    return checks


def offline() -> list[Check]:
    """What is wrong without asking AWS: presign expiry over the cap."""
    requested = getattr(settings, "BOOTH_S3_URL_EXPIRY_REQUESTED", 0)
    if max(requested, settings.BOOTH_S3_URL_EXPIRY_SECONDS) > aws.MAX_PRESIGN_SECONDS:
        return [
            Check(
                WARN,
                "presign expiry",
                f"BOOTH_S3_URL_EXPIRY_SECONDS is {requested} s, "
                f"over S3's {aws.MAX_PRESIGN_SECONDS} s; Booth caps it.",
                "Set BOOTH_S3_URL_EXPIRY_SECONDS to at most 604800.",
            )
        ]
    return []


def run() -> list[Check]:
    """Every check, in order; a failed identity stops the rest (nothing else can work)."""
    checks = offline() + identity()
    if any(check.status == FAIL for check in checks):
        return checks
    checks += bedrock_models()
    checks += sagemaker_endpoints()
    if settings.BOOTH_AWS_S3_BUCKET:
        checks += bucket(
            settings.BOOTH_AWS_S3_BUCKET, settings.BOOTH_AWS_S3_PREFIX, "BOOTH_AWS_S3_BUCKET"
        )
    else:
        checks.append(
            Check(
                WARN,
                "s3 BOOTH_AWS_S3_BUCKET",
                "not set: Rekognition's S3 mode and SageMaker cannot be used.",
                "Set BOOTH_AWS_S3_BUCKET (and BOOTH_AWS_S3_PREFIX).",
            )
        )
    if settings.BOOTH_S3_BUCKET:
        checks += bucket(settings.BOOTH_S3_BUCKET, settings.BOOTH_S3_PREFIX, "BOOTH_S3_BUCKET")
    return checks


def record(checks: list[Check]) -> PreflightRun:
    """Store the run for the staff page, keeping the last few."""
    saved = PreflightRun.objects.create(
        ok=not any(check.status == FAIL for check in checks),
        checks=[asdict(check) for check in checks],
    )
    stale = PreflightRun.objects.values_list("pk", flat=True)[KEPT_RUNS:]
    PreflightRun.objects.filter(pk__in=list(stale)).delete()
    return saved


def last_run() -> PreflightRun | None:
    return PreflightRun.objects.first()
