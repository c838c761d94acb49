"""The boto3 client factory every AWS backend uses."""

from botocore.stub import Stubber

from booth import aws


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
