"""One place where boto3 clients are made, so every AWS backend shares region, credentials,
retries and timeouts.

Credentials never live in code or settings files: boto3's own chain finds them (environment,
`~/.aws`, the instance or task role), optionally through a named profile, and optionally
assuming a role whose temporary credentials botocore refreshes before they expire.
Throttling (Bedrock allowed the reference booth 60 image requests a minute) is handled by
botocore's adaptive retry mode, which also rate-limits the client once it is throttled.

Retries have a budget per call site: a visitor-facing call (Rekognition inside the upload
request, the real-time face swap) gets few attempts and an overall deadline, and a call
that may still be running on AWS's side after a read timeout (InvokeEndpoint) is never
sent again, because a retry would run the whole face swap a second time.
"""

import json
import threading
import time
from functools import cache

import boto3
from botocore.config import Config
from botocore.credentials import (
    AssumeRoleCredentialFetcher,
    DeferredRefreshableCredentials,
)
from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError
from django.conf import settings

_lock = threading.Lock()

# Operations whose work goes on after the client stops reading: after a read timeout the
# endpoint may still be swapping the face (or queueing the job), so a retry repeats it.
NOT_RETRIED_AFTER_READ_TIMEOUT = frozenset({"InvokeEndpoint", "InvokeEndpointAsync"})
# SigV4 presigned URLs are valid for at most seven days; S3 refuses a longer X-Amz-Expires.
MAX_PRESIGN_SECONDS = 604_800


@cache
def _session() -> boto3.Session:
    session = boto3.Session(
        profile_name=settings.BOOTH_AWS_PROFILE or None,
        region_name=settings.BOOTH_AWS_REGION or None,
    )
    if settings.BOOTH_AWS_ROLE_ARN:
        fetcher = AssumeRoleCredentialFetcher(
            client_creator=_sts_client_creator(session),
            source_credentials=session._session.get_credentials(),
            role_arn=settings.BOOTH_AWS_ROLE_ARN,
            extra_args={"RoleSessionName": "booth"},
        )
        botocore_session = session._session
        botocore_session._credentials = DeferredRefreshableCredentials(
            method="assume-role", refresh_using=fetcher.fetch_credentials
        )
        session = boto3.Session(botocore_session=botocore_session)
    return session


def _sts_client_creator(session: boto3.Session):
    """AssumeRole's STS client, made like every other client: the region (regional STS
    endpoint), the endpoint override, timeouts and retries. botocore's default would be
    the global endpoint with 60 s timeouts, on the path of every credential refresh."""

    def create(service_name: str, **kwargs):
        kwargs.setdefault("region_name", settings.BOOTH_AWS_REGION or None)
        kwargs.setdefault(
            "endpoint_url", settings.BOOTH_AWS_ENDPOINT_URLS.get(service_name) or None
        )
        kwargs.setdefault("config", client_config())
        return session._session.create_client(service_name, **kwargs)

    return create


def client_config(read_timeout: float | None = None, max_attempts: int | None = None) -> Config:
    """Adaptive retries and explicit timeouts: a slow model call fails the job with a clear
    error instead of holding a worker for botocore's 60 s default."""
    return Config(
        retries={
            "mode": "adaptive",
            "total_max_attempts": max_attempts or settings.BOOTH_AWS_MAX_ATTEMPTS,
        },
        connect_timeout=settings.BOOTH_AWS_CONNECT_TIMEOUT,
        read_timeout=read_timeout or settings.BOOTH_AWS_READ_TIMEOUT,
    )


def client(
    service: str,
    read_timeout: float | None = None,
    max_attempts: int | None = None,
    deadline: float | None = None,
):
    """The shared, thread-safe boto3 client for `service` (one per timeout, attempts and
    deadline).

    `deadline` (seconds) bounds one call, retries included: no retry starts once the time
    already spent plus one more attempt's worst case (connect + read timeout) would pass
    it. `BOOTH_AWS_ENDPOINT_URLS` maps a service name to an endpoint (a local
    S3-compatible server, a VPC endpoint); tests put botocore's Stubber on the client this
    returns.
    """
    return _client(service, read_timeout, max_attempts, deadline)


@cache
def _client(
    service: str,
    read_timeout: float | None,
    max_attempts: int | None = None,
    deadline: float | None = None,
):
    with _lock:  # boto3 sessions are not thread-safe; the clients they make are
        made = _session().client(
            service,
            endpoint_url=settings.BOOTH_AWS_ENDPOINT_URLS.get(service) or None,
            config=client_config(read_timeout, max_attempts),
        )
    events = made.meta.events
    events.register("before-call", _start_clock)
    budget = _RetryBudget(deadline, read_timeout or settings.BOOTH_AWS_READ_TIMEOUT)
    # First, so it is asked before botocore's own retry handler decides to retry.
    events.register_first("needs-retry", budget.check)
    return made


def _start_clock(context: dict, **_kwargs) -> None:
    context.setdefault("booth_started", time.monotonic())


class _RetryBudget:
    """A `needs-retry` handler that stops botocore's retries by raising the attempt's own
    error: after a read timeout on an operation whose work goes on server-side, and when a
    further attempt could not finish before the call's deadline."""

    def __init__(self, deadline: float | None, read_timeout: float) -> None:
        self.deadline, self.read_timeout = deadline, read_timeout

    def check(self, response, operation, attempts, caught_exception, request_dict, **_kwargs):
        if response is None and caught_exception is None:
            return None
        if isinstance(caught_exception, ReadTimeoutError) and (
            operation.name in NOT_RETRIED_AFTER_READ_TIMEOUT
        ):
            raise caught_exception
        if self.deadline is None:
            return None
        started = request_dict.get("context", {}).get("booth_started")
        if started is None:
            return None
        worst_next = settings.BOOTH_AWS_CONNECT_TIMEOUT + self.read_timeout
        if time.monotonic() - started + worst_next <= self.deadline:
            return None
        if caught_exception is not None:
            raise caught_exception
        http_response, parsed = response
        if http_response.status_code < 300:
            return None  # a success: nothing to stop
        raise ClientError(parsed, operation.name)


def resource(service: str, *, region_name: str, endpoint_url: str | None, config: Config):
    """A boto3 resource from the shared session, for libraries that want one rather than a
    client (django-storages' S3 backend, kernel.storage); one per calling thread."""
    with _lock:
        return _session().resource(
            service, region_name=region_name, endpoint_url=endpoint_url, config=config
        )


def reset() -> None:
    """Forget cached clients and session (after settings change, and between tests)."""
    _client.cache_clear()
    _session.cache_clear()


class AWSCallFailed(Exception):
    """An AWS model call failed in a way a booth operator should read: the message names the
    service, the AWS error code and what to check."""


def converse_text(
    model_id: str,
    system: str,
    prompt: str,
    *,
    max_tokens: int = 300,
    temperature: float = 0.7,
    read_timeout: float | None = None,
    max_attempts: int | None = None,
) -> str:
    """One user turn through Bedrock's Converse API; the assistant's text, stripped.

    Converse works the same for every text model, so the model id is a setting and switching
    from Claude 3 Sonnet (the reference booth's) to a newer model is configuration only.
    """
    try:
        response = client(
            "bedrock-runtime", read_timeout=read_timeout, max_attempts=max_attempts
        ).converse(
            modelId=model_id,
            system=[{"text": system}],
            messages=[{"role": "user", "content": [{"text": prompt}]}],
            inferenceConfig={"maxTokens": max_tokens, "temperature": temperature},
        )
    except (ClientError, BotoCoreError) as exc:
        raise AWSCallFailed(f"Bedrock Converse ({model_id}) failed: {describe(exc)}") from exc
    parts = response["output"]["message"]["content"]
    text = "".join(part.get("text", "") for part in parts).strip()
    if not text:
        raise AWSCallFailed(
            f"Bedrock Converse ({model_id}) returned no text (stopReason "
            f"{response.get('stopReason', 'unknown')})"
        )
    return text


def invoke_json(model_id: str, body: dict, *, read_timeout: float | None = None) -> dict:
    """InvokeModel with a JSON body (the image models' native request shapes); parsed reply."""
    try:
        response = client("bedrock-runtime", read_timeout=read_timeout).invoke_model(
            modelId=model_id,
            body=json.dumps(body),
            contentType="application/json",
            accept="application/json",
        )
    except (ClientError, BotoCoreError) as exc:
        raise AWSCallFailed(f"Bedrock InvokeModel ({model_id}) failed: {describe(exc)}") from exc
    return json.loads(response["body"].read())


def describe(exc: Exception) -> str:
    """`ThrottlingException: Rate exceeded` for AWS errors, the class and message otherwise."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'Error')}: {error.get('Message', '')}".strip()
    return f"{type(exc).__name__}: {exc}"
