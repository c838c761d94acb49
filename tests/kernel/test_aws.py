"""The boto3 client factory every AWS backend uses."""

import io
import json

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from kernel import aws


def test_clients_use_adaptive_retries_timeouts_and_the_configured_region(settings):
    settings.BOOTH_AWS_REGION = "ap-northeast-2"
    settings.BOOTH_AWS_READ_TIMEOUT = 12
    settings.BOOTH_AWS_MAX_ATTEMPTS = 7

    rekognition = aws.client("rekognition")

    config = rekognition.meta.config
    assert rekognition.meta.region_name == "ap-northeast-2"
    assert config.retries == {"mode": "adaptive", "total_max_attempts": 7}
    assert config.read_timeout == 12
    assert aws.client("rekognition") is rekognition
    assert aws.client("rekognition", read_timeout=90).meta.config.read_timeout == 90


def test_endpoint_overrides_apply_per_service(settings):
    settings.BOOTH_AWS_ENDPOINT_URLS = {"s3": "http://127.0.0.1:5999"}

    assert aws.client("s3").meta.endpoint_url == "http://127.0.0.1:5999"
    assert "127.0.0.1" not in aws.client("bedrock-runtime").meta.endpoint_url


def test_a_stubbed_client_is_the_one_backends_get():
    with Stubber(aws.client("rekognition")) as stub:
        stub.add_response("detect_faces", {"FaceDetails": []}, {"Image": {"Bytes": b"x"}})

        assert aws.client("rekognition").detect_faces(Image={"Bytes": b"x"})["FaceDetails"] == []


def test_a_role_is_assumed_through_sts_when_configured(settings):
    settings.BOOTH_AWS_ROLE_ARN = "arn:aws:iam::123456789012:role/booth"
    session = aws._session()
    credentials = session.get_credentials()

    assert credentials.method == "assume-role"


MODEL = "anthropic.claude-3-sonnet-20240229-v1:0"


def test_converse_sends_the_system_prompt_and_returns_the_reply_text():
    with Stubber(aws.client("bedrock-runtime")) as stub:
        stub.add_response(
            "converse",
            {
                "output": {"message": {"role": "assistant", "content": [{"text": " 당신은 … "}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 20, "outputTokens": 40, "totalTokens": 60},
                "metrics": {"latencyMs": 900},
            },
            {
                "modelId": MODEL,
                "system": [{"text": "You write past-life stories."}],
                "messages": [{"role": "user", "content": [{"text": "A sailor."}]}],
                "inferenceConfig": {"maxTokens": 200, "temperature": 0.5},
            },
        )

        text = aws.converse_text(
            MODEL, "You write past-life stories.", "A sailor.", max_tokens=200, temperature=0.5
        )

    assert text == "당신은 …"


def test_a_throttled_call_reports_the_aws_error_code(settings):
    settings.BOOTH_AWS_MAX_ATTEMPTS = 1
    with Stubber(aws.client("bedrock-runtime")) as stub:
        stub.add_client_error(
            "converse", "ThrottlingException", "Too many requests", http_status_code=429
        )

        with pytest.raises(aws.AWSCallFailed, match="ThrottlingException: Too many requests"):
            aws.converse_text(MODEL, "system", "prompt")


def test_invoke_json_posts_the_native_body_and_parses_the_reply():
    body = {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "a sailor"}}
    with Stubber(aws.client("bedrock-runtime")) as stub:
        stub.add_response(
            "invoke_model",
            {
                "body": StreamingBody(io.BytesIO(b'{"images": ["aGk="]}'), 20),
                "contentType": "application/json",
            },
            {
                "modelId": "amazon.titan-image-generator-v2:0",
                "body": json.dumps(body),
                "contentType": "application/json",
                "accept": "application/json",
            },
        )

        reply = aws.invoke_json("amazon.titan-image-generator-v2:0", body)

    assert reply == {"images": ["aGk="]}
