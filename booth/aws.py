"""One place where boto3 clients are made, so every AWS backend shares region, credentials,
retries and timeouts.

Credentials never live in code or settings files: boto3's own chain finds them (environment,
`~/.aws`, the instance or task role), optionally through a named profile, and optionally
assuming a role whose temporary credentials botocore refreshes before they expire.
Throttling (Bedrock allowed the reference booth 60 image requests a minute) is handled by
botocore's adaptive retry mode, which also rate-limits the client once it is throttled.
"""

import threading
from functools import cache

import boto3
from botocore.config import Config
from botocore.credentials import (
    AssumeRoleCredentialFetcher,
    DeferredRefreshableCredentials,
)
from django.conf import settings

_lock = threading.Lock()


@cache
def _session() -> boto3.Session:
    session = boto3.Session(
        profile_name=settings.BOOTH_AWS_PROFILE or None,
        region_name=settings.BOOTH_AWS_REGION or None,
    )
    if settings.BOOTH_AWS_ROLE_ARN:
        fetcher = AssumeRoleCredentialFetcher(
            client_creator=session._session.create_client,
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


def client_config(read_timeout: float | None = None) -> Config:
    """Adaptive retries and explicit timeouts: a slow model call fails the job with a clear
    error instead of holding a worker for botocore's 60 s default."""
    return Config(
        retries={"mode": "adaptive", "total_max_attempts": settings.BOOTH_AWS_MAX_ATTEMPTS},
        connect_timeout=settings.BOOTH_AWS_CONNECT_TIMEOUT,
        read_timeout=read_timeout or settings.BOOTH_AWS_READ_TIMEOUT,
    )


@cache
def client(service: str, read_timeout: float | None = None):
    """The shared, thread-safe boto3 client for `service` (one per timeout).

    `BOOTH_AWS_ENDPOINT_URLS` maps a service name to an endpoint (a local S3-compatible
    server, a VPC endpoint); tests put botocore's Stubber on the client this returns.
    """
    with _lock:  # boto3 sessions are not thread-safe; the clients they make are
        return _session().client(
            service,
            endpoint_url=settings.BOOTH_AWS_ENDPOINT_URLS.get(service) or None,
            config=client_config(read_timeout),
        )


def reset() -> None:
    """Forget cached clients and session (after settings change, and between tests)."""
    client.cache_clear()
    _session.cache_clear()
