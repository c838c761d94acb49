"""Staff read the last AWS preflight in a real browser: `manage.py aws_preflight` run
against a real S3/STS server (moto on loopback) with Bedrock unreachable, then the staff
page, behind the admin login, shows each check and the fix for the one that failed."""

import subprocess
import sys
import uuid

import boto3
import pytest

from tests import servers
from tests.test_end_to_end import ADMIN_PASSWORD, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.system]


@pytest.fixture(scope="module")
def preflighted_server(tmp_path_factory, moto_s3_endpoint):
    bucket = f"booth-browser-{uuid.uuid4().hex[:8]}"
    s3 = boto3.client(
        "s3", endpoint_url=moto_s3_endpoint, region_name="us-west-2",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True,
            "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
        },
    )  # fmt: skip
    var = tmp_path_factory.mktemp("booth-preflight")
    port = servers.free_port()
    env = servers.booth_env(
        var,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        AWS_EC2_METADATA_DISABLED="true",
        BOOTH_AWS_REGION="us-west-2",
        # Bedrock is nowhere: a closed loopback port answers at once.
        BOOTH_AWS_ENDPOINT_URLS=(
            f"s3={moto_s3_endpoint},sts={moto_s3_endpoint},"
            f"bedrock=http://127.0.0.1:{servers.free_port()}"
        ),
        BOOTH_AWS_MAX_ATTEMPTS="1",
        BOOTH_AWS_S3_BUCKET=bucket,
    )
    env.pop("AWS_SESSION_TOKEN", None)
    servers.manage(env, "migrate", "-v0")
    servers.manage(
        env, "seed_demo", "--device-password", PASSWORD, "--admin-password", ADMIN_PASSWORD
    )
    run = subprocess.run(
        [sys.executable, "manage.py", "aws_preflight"], cwd=servers.ROOT, env=env,
        capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr  # Bedrock could not be asked
    log = var / "serve.log"
    server = servers.start(env, log, "serve", "--port", str(port))
    servers.wait_for_port(port, server, log)
    yield f"http://127.0.0.1:{port}", run.stdout
    servers.stop(server)


def test_staff_see_each_check_of_the_last_run_with_its_fix(preflighted_server, browser):
    base, printed = preflighted_server
    page = browser.new_page()
    page.goto(f"{base}/staff/aws-preflight/")
    assert "/admin/login/" in page.url  # behind the admin login
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/staff/aws-preflight/")

    assert "checks failed" in page.locator("#preflight-summary").inner_text()
    rows = page.locator("#preflight-checks tbody tr")
    cells = [row.locator("td").all_inner_texts() for row in rows.all()]
    # The page shows what the command printed, line for line.
    assert [" ".join(c[:2]) for c in cells] == [
        " ".join(line.split(":")[0].split()) for line in printed.strip().splitlines()
    ]
    identity = next(c for c in cells if c[1] == "identity")
    assert identity[0] == "PASS" and "account 123456789012" in identity[2]
    bedrock = next(c for c in cells if c[1] == "bedrock models")
    assert bedrock[0] == "FAIL"
    assert bedrock[3].startswith("Allow bedrock:ListFoundationModels")
    assert [c[0] for c in cells if c[1].startswith("s3 BOOTH_AWS_S3_BUCKET")] == ["PASS"] * 8
    page.close()
