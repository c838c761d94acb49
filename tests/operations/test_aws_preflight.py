"""`manage.py aws_preflight` against a real S3/STS/IAM server (moto, on loopback) and, for
Bedrock and SageMaker, botocore's Stubber with the services' real response shapes: every
check passes on a sound deployment, and each broken one prints its own fix."""

import uuid
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from django.contrib.auth import get_user_model
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from experiences.library.common import LibraryError
from experiences.library.spec import GenerationSpec
from kernel import aws
from operations import preflight
from operations.models import PreflightRun

REGION = "us-west-2"
POLICY = Path(__file__).resolve().parents[2] / "docs" / "iam-policy.json"
TITAN = "amazon.titan-image-generator-v2:0"
SD35 = "stability.sd3-5-large-v1:0"


def model_summary(model_id: str, status: str = "ACTIVE", kinds=("ON_DEMAND",)) -> dict:
    return {
        "modelArn": f"arn:aws:bedrock:{REGION}::foundation-model/{model_id}",
        "modelId": model_id,
        "modelName": model_id,
        "providerName": model_id.split(".")[0],
        "inferenceTypesSupported": list(kinds),
        "modelLifecycle": {"status": status},
    }


@pytest.fixture
def deployment(settings, moto_s3_endpoint, monkeypatch):
    """An IAM user holding docs/iam-policy.json, its keys as Booth's credentials, and a
    private bucket in Booth's region: what an operator sets up before an event."""
    bucket = f"booth-event-{uuid.uuid4().hex[:10]}"
    admin = {"endpoint_url": moto_s3_endpoint, "region_name": REGION}
    iam = boto3.client("iam", **admin)
    user = f"booth-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    document = POLICY.read_text()
    for placeholder, value in {
        "SCRATCH_BUCKET": bucket, "SCRATCH_PREFIX": "booth-tmp/", "MEDIA_BUCKET": bucket,
        "MEDIA_PREFIX": "media", "REGION": REGION, "ACCOUNT_ID": "123456789012",
        "FACE_SWAP_ENDPOINT": "faceswap", "FILM_ENDPOINT": "film",
    }.items():  # fmt: skip
        document = document.replace(placeholder, value)
    policy = iam.create_policy(PolicyName=f"{user}-policy", PolicyDocument=document)
    iam.attach_user_policy(UserName=user, PolicyArn=policy["Policy"]["Arn"])
    key = iam.create_access_key(UserName=user)["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.delenv("AWS_SESSION_TOKEN")
    s3 = boto3.client("s3", **admin)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True,
            "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
        },
    )  # fmt: skip
    settings.BOOTH_AWS_REGION = REGION
    settings.BOOTH_AWS_ENDPOINT_URLS = {"s3": moto_s3_endpoint, "sts": moto_s3_endpoint}
    settings.BOOTH_AWS_S3_BUCKET = bucket
    settings.BOOTH_AWS_S3_PREFIX = "booth-tmp/"
    settings.BOOTH_BEDROCK_TITAN_IMAGE_MODEL = TITAN
    settings.BOOTH_BEDROCK_SD_IMAGE_MODEL = SD35
    aws.reset()
    return {"bucket": bucket, "user": user, "s3": s3, "endpoint": moto_s3_endpoint}


def bedrock_lists(stub: Stubber, *summaries: dict) -> None:
    stub.add_response("list_foundation_models", {"modelSummaries": list(summaries)}, {})


def run_command() -> tuple[str, bool]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("aws_preflight", stdout=out)
    except CommandError:
        return out.getvalue(), False
    return out.getvalue(), True


@pytest.mark.django_db
def test_a_sound_deployment_passes_every_check_and_staff_see_the_run(deployment, capsys):
    with Stubber(aws.client("bedrock")) as bedrock:
        bedrock_lists(bedrock, model_summary(TITAN), model_summary(SD35))
        out, ok = run_command()

    with capsys.disabled():
        print("\n" + out)  # the run, as an operator sees it
    lines = out.strip().splitlines()
    assert ok
    assert lines[0] == f"PASS  identity: arn:aws:iam::123456789012:user/{deployment['user']} " \
        "(account 123456789012)."  # fmt: skip
    names = [line.split(":")[0] for line in lines[:-1]]
    assert names == [
        "PASS  identity",
        "PASS  bedrock BOOTH_BEDROCK_TITAN_IMAGE_MODEL",
        "PASS  bedrock BOOTH_BEDROCK_SD_IMAGE_MODEL",
        "PASS  s3 BOOTH_AWS_S3_BUCKET",
        "PASS  s3 BOOTH_AWS_S3_BUCKET",
        "PASS  s3 BOOTH_AWS_S3_BUCKET put",
        "PASS  s3 BOOTH_AWS_S3_BUCKET get",
        "PASS  s3 BOOTH_AWS_S3_BUCKET list",
        "PASS  s3 BOOTH_AWS_S3_BUCKET missing key",
        "PASS  s3 BOOTH_AWS_S3_BUCKET presign",
        "PASS  s3 BOOTH_AWS_S3_BUCKET delete",
    ]
    assert lines[-1] == "11 checks: 0 failed, 0 warnings."
    left = deployment["s3"].list_objects_v2(Bucket=deployment["bucket"]).get("KeyCount", 0)
    assert left == 0  # the preflight's own object is deleted

    run = PreflightRun.objects.get()
    assert run.ok and [c["status"] for c in run.checks] == ["PASS"] * 11
    admin = get_user_model().objects.create_superuser("lead", "lead@example.org", "pw-12345678")
    client = Client()
    client.force_login(admin)
    page = client.get("/staff/aws-preflight/")
    assert page.status_code == 200
    assert "no check failed" in page.text
    assert f"user/{deployment['user']}" in page.text


@pytest.mark.django_db
def test_a_legacy_story_model_fails_with_the_setting_to_change(deployment, settings):
    settings.BOOTH_STORY_WRITER = "experiences.photo.backends.bedrock_text.BedrockStoryWriter"
    settings.BOOTH_BEDROCK_STORY_MODEL = "anthropic.claude-3-sonnet-20240229-v1:0"
    with Stubber(aws.client("bedrock")) as bedrock:
        bedrock_lists(
            bedrock,
            model_summary("anthropic.claude-3-sonnet-20240229-v1:0", status="LEGACY"),
            model_summary(TITAN),
            model_summary(SD35),
        )
        out, ok = run_command()

    assert not ok
    assert (
        "FAIL  bedrock BOOTH_BEDROCK_STORY_MODEL: anthropic.claude-3-sonnet-20240229-v1:0 is "
        f"LEGACY in {REGION}: new accounts cannot call it and it will stop answering at its end "
        "of life. Fix: Set BOOTH_BEDROCK_STORY_MODEL to an ACTIVE model (docs/aws.md)."
    ) in out.splitlines()
    assert not PreflightRun.objects.get().ok


@pytest.mark.parametrize(
    ("summaries", "expected"),
    [
        (
            [
                model_summary(
                    "anthropic.claude-sonnet-4-5-20250929-v1:0", kinds=["INFERENCE_PROFILE"]
                )
            ],
            "FAIL  bedrock BOOTH_BEDROCK_STORY_MODEL: anthropic.claude-sonnet-4-5-20250929-v1:0 is "
            'offered through inference profiles only ("on-demand throughput isn\'t supported"). '
            "Fix: Set BOOTH_BEDROCK_STORY_MODEL to us.anthropic.claude-sonnet-4-5-20250929-v1:0.",
        ),
        (
            [],
            "FAIL  bedrock BOOTH_BEDROCK_STORY_MODEL: anthropic.claude-sonnet-4-5-20250929-v1:0 is "
            f"not offered in {REGION} (retired, or offered in other regions). Fix: Set "
            "BOOTH_BEDROCK_STORY_MODEL to an ACTIVE model id from `aws bedrock "
            f"list-foundation-models --region {REGION}` (docs/aws.md).",
        ),
    ],
)
def test_a_model_id_the_region_cannot_call_names_the_id_to_use(settings, summaries, expected):
    settings.BOOTH_AWS_REGION = REGION
    settings.BOOTH_STORY_WRITER = "experiences.photo.backends.bedrock_text.BedrockStoryWriter"
    settings.BOOTH_BEDROCK_STORY_MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    with Stubber(aws.client("bedrock")) as bedrock:
        bedrock_lists(bedrock, *summaries)
        lines = [check.line() for check in preflight.bedrock_models()]
    assert lines[0] == expected


def test_an_inference_profile_is_checked_with_get_inference_profile(settings):
    settings.BOOTH_AWS_REGION = "us-east-1"
    settings.BOOTH_STORY_WRITER = "experiences.photo.backends.bedrock_text.BedrockStoryWriter"
    settings.BOOTH_BEDROCK_STORY_MODEL = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    with Stubber(aws.client("bedrock")) as bedrock:
        bedrock_lists(bedrock)
        bedrock.add_response(
            "get_inference_profile",
            {
                "inferenceProfileName": "US Anthropic Claude Haiku 4.5",
                "inferenceProfileArn": "arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
                "us.anthropic.claude-haiku-4-5-20251001-v1:0",
                "models": [
                    {
                        "modelArn": "arn:aws:bedrock:us-east-1::foundation-model/"
                        "anthropic.claude-haiku-4-5-20251001-v1:0"
                    }
                ],
                "inferenceProfileId": "us.anthropic.claude-haiku-4-5-20251001-v1:0",
                "status": "ACTIVE",
                "type": "SYSTEM_DEFINED",
            },
            {"inferenceProfileIdentifier": "us.anthropic.claude-haiku-4-5-20251001-v1:0"},
        )
        checks = preflight.bedrock_models()
    assert checks[0].line() == (
        "PASS  bedrock BOOTH_BEDROCK_STORY_MODEL: us.anthropic.claude-haiku-4-5-20251001-v1:0 is "
        "an ACTIVE inference profile (visitors' stories)."
    )


def endpoint_reply(status: str = "InService") -> dict:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    return {
        "EndpointName": "faceswap",
        "EndpointArn": "arn:aws:sagemaker:us-west-2:123456789012:endpoint/faceswap",
        "EndpointConfigName": "faceswap-config",
        "EndpointStatus": status,
        "CreationTime": now,
        "LastModifiedTime": now,
    }


def config_reply(output: dict | None) -> dict:
    reply = {
        "EndpointConfigName": "faceswap-config",
        "EndpointConfigArn": "arn:aws:sagemaker:us-west-2:123456789012:endpoint-config/x",
        "ProductionVariants": [{"VariantName": "main", "ModelName": "faceswap"}],
        "CreationTime": datetime(2026, 12, 1, tzinfo=UTC),
    }
    if output is not None:
        reply["AsyncInferenceConfig"] = {"OutputConfig": output}
    return reply


@pytest.mark.parametrize(
    ("compositor", "status", "output", "expected"),
    [
        (
            "SageMakerAsyncCompositor", "Creating", None,
            "FAIL  sagemaker BOOTH_SAGEMAKER_ENDPOINT: endpoint faceswap is Creating, not "
            "InService. Fix: Wait for the deployment, or read FailureReason in the SageMaker "
            "console and redeploy.",
        ),
        (
            "SageMakerAsyncCompositor", "InService",
            {"S3OutputPath": "s3://scratch/booth-tmp/async-out/"},
            "WARN  sagemaker BOOTH_SAGEMAKER_ENDPOINT: faceswap has no S3FailurePath: a failed "
            "request is only in CloudWatch, and Booth waits until its deadline. Fix: Add "
            "S3FailurePath under s3://scratch/booth-tmp/ to its AsyncInferenceConfig.",
        ),
        (
            "SageMakerAsyncCompositor", "InService",
            {"S3OutputPath": "s3://other/out/", "S3FailurePath": "s3://scratch/booth-tmp/f/"},
            "FAIL  sagemaker BOOTH_SAGEMAKER_ENDPOINT: faceswap writes its output to "
            "s3://other/out/, outside s3://scratch/booth-tmp/: Booth may not read or delete it "
            "there. Fix: Set S3OutputPath under s3://scratch/booth-tmp/.",
        ),
        (
            "SageMakerCompositor", "InService", {"S3OutputPath": "s3://scratch/booth-tmp/o/"},
            "FAIL  sagemaker BOOTH_SAGEMAKER_ENDPOINT: faceswap is an asynchronous endpoint, but "
            "face swap is set to call it in real time. Fix: Use SageMakerAsyncCompositor, or a "
            "real-time endpoint.",
        ),
    ],
)  # fmt: skip
def test_each_endpoint_problem_prints_its_fix(settings, compositor, status, output, expected):
    settings.BOOTH_COMPOSITOR = f"experiences.photo.backends.sagemaker.{compositor}"
    settings.BOOTH_SAGEMAKER_ENDPOINT = "faceswap"
    settings.BOOTH_AWS_S3_BUCKET = "scratch"
    settings.BOOTH_AWS_S3_PREFIX = "booth-tmp/"
    with Stubber(aws.client("sagemaker")) as sagemaker:
        sagemaker.add_response(
            "describe_endpoint", endpoint_reply(status), {"EndpointName": "faceswap"}
        )
        sagemaker.add_response(
            "describe_endpoint_config", config_reply(output),
            {"EndpointConfigName": "faceswap-config"},
        )  # fmt: skip
        lines = [check.line() for check in preflight.sagemaker_endpoints()]
    assert expected in lines


@pytest.mark.django_db
def test_a_bucket_in_another_region_and_without_block_public_access_fails(deployment, settings):
    other = f"booth-elsewhere-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=deployment["endpoint"], region_name="eu-west-1").create_bucket(
        Bucket=other, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )

    lines = [check.line() for check in preflight.bucket(other, "booth-tmp/", "BOOTH_AWS_S3_BUCKET")]

    assert lines[0] == (
        f"FAIL  s3 BOOTH_AWS_S3_BUCKET: bucket {other} is in eu-west-1, Booth in {REGION}: "
        "Rekognition and SageMaker read S3 in their own region only (InvalidS3ObjectException). "
        f"Fix: Use a bucket in {REGION}, or set BOOTH_AWS_REGION=eu-west-1."
    )
    assert lines[1].startswith(
        f"FAIL  s3 BOOTH_AWS_S3_BUCKET: bucket {other} has no Block Public Access configuration"
    )
    assert "Fix: Turn on all four Block Public Access settings" in lines[1]


def test_without_list_bucket_the_missing_key_check_names_the_permission(settings):
    settings.BOOTH_AWS_REGION = REGION
    s3 = aws.client("s3")
    with Stubber(s3) as stub:
        stub.add_response("put_object", {})
        stub.add_response("get_object", {"Body": _body(b"Booth preflight: safe to delete.")})
        stub.add_client_error("list_objects_v2", "AccessDenied", "Access Denied", 403)
        stub.add_client_error("get_object", "AccessDenied", "Access Denied", 403)
        stub.add_response("delete_object", {})
        lines = [check.line() for check in preflight._round_trip("scratch", "booth-tmp/", "s3 X")]

    assert (
        "FAIL  s3 X missing key: s3://scratch/booth-tmp/preflight/: AccessDenied: Access Denied. "
        "Fix: Allow s3:ListBucket on arn:aws:s3:::scratch for the prefix: without it S3 answers "
        "403 for a key not written yet, and every asynchronous SageMaker poll fails."
    ) in lines
    assert any(line.startswith("FAIL  s3 X list:") for line in lines)


def _body(data: bytes):
    import io

    from botocore.response import StreamingBody

    return StreamingBody(io.BytesIO(data), len(data))


def test_without_credentials_the_identity_check_says_where_to_put_them(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    aws.reset()

    [check] = preflight.identity()

    assert check.line() == (
        "FAIL  identity: no AWS credentials found. Fix: Give Booth credentials: an instance or "
        "task role, AWS_PROFILE / BOOTH_AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY."
    )


# --- offline: the start-up system checks and the spec's size -------------------------


def aws_warnings() -> list[str]:
    return [f"{m.id}: {m.msg}" for m in run_checks(tags=["aws"])]


def test_start_up_warns_about_a_legacy_model_and_a_profile_from_another_region(settings):
    settings.BOOTH_STORY_WRITER = "experiences.photo.backends.bedrock_text.BedrockStoryWriter"
    settings.BOOTH_BEDROCK_STORY_MODEL = "anthropic.claude-3-sonnet-20240229-v1:0"
    settings.BOOTH_COMMENTATOR = "experiences.sports.commentary.bedrock.BedrockCommentator"
    settings.BOOTH_COMMENTARY_MODEL_ID = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    settings.BOOTH_AWS_REGION = "eu-central-1"

    warnings = aws_warnings()

    assert (
        "booth.W103: BOOTH_BEDROCK_STORY_MODEL (visitors' stories): "
        "anthropic.claude-3-sonnet-20240229-v1:0 is a legacy or retired Bedrock model"
    ) in "\n".join(warnings)
    assert (
        "booth.W103: BOOTH_COMMENTARY_MODEL_ID (sports commentary): us.anthropic.claude-haiku-4-5"
        "-20251001-v1:0 is a us. inference profile, which region eu-central-1 cannot call: use "
        "eu.anthropic.claude-haiku-4-5-20251001-v1:0 or set BOOTH_AWS_REGION to a region in it."
    ) in warnings


def test_the_offline_demo_gets_no_aws_warnings():
    assert aws_warnings() == []


def test_a_presign_expiry_over_seven_days_is_capped_and_warned(settings):
    settings.BOOTH_S3_URL_EXPIRY_REQUESTED = 30 * 24 * 3600

    assert any(
        w.startswith("booth.W101: BOOTH_S3_URL_EXPIRY_SECONDS is 2592000 s") for w in aws_warnings()
    )


@pytest.mark.parametrize(
    ("model", "size", "allowed"),
    [
        ("titan", "768x1024", "use one of: 1024x1024, 768x768, 512x512, 768x1152"),
        ("stability.stable-diffusion-xl-v1", "768x1152", "use one of: 640x1536, 768x1344"),
        ("stability.sd3-5-large-v1:0", "1000x300", "16:9, 1:1, 21:9, 2:3"),
    ],
)
def test_a_size_the_model_refuses_is_rejected_when_the_spec_is_read(model, size, allowed):
    spec = {"experience": "1", "prompt": "A {country} portrait", "model": model,
            "attributes": {"country": ["Korea"]}, "size": size}  # fmt: skip

    with pytest.raises(LibraryError) as refused:
        GenerationSpec.from_dict(spec)

    assert str(refused.value).startswith(f"size {size}: ")
    assert allowed in str(refused.value)


def test_the_default_size_is_one_every_model_accepts():
    models = ("titan", "amazon.titan-image-generator-v1", "stability.stable-diffusion-xl-v1",
              "stability.sd3-5-large-v1:0", "stability.stable-image-ultra-v1:1")  # fmt: skip
    for model in models:
        spec = GenerationSpec.from_dict(
            {
                "experience": "1",
                "prompt": "A {country} portrait",
                "model": model,
                "attributes": {"country": ["Korea"]},
            }
        )
        assert (spec.width, spec.height) == (896, 1152)
