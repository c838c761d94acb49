"""Media storage for scaled mode: a private S3 bucket shared by every process.

Visitors' photos must never be publicly readable, so objects get no ACL (the bucket's
owner-only default) and are reached only through presigned URLs that expire after
BOOTH_S3_URL_EXPIRY_SECONDS. The boto3 session, region, retries, timeouts and endpoint
overrides are the ones every other AWS call uses (kernel.aws).
"""

from botocore.config import Config
from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from storages.backends.s3 import S3Storage
from whitenoise.storage import CompressedManifestStaticFilesStorage

from kernel import aws


class PrivateS3Storage(S3Storage):
    """django-storages' S3 backend with Booth's AWS conventions and private objects."""

    default_acl = None  # objects inherit the bucket's private ownership; never public-read
    querystring_auth = True  # url() always signs
    file_overwrite = True  # names are random UUIDs: skip the HEAD request per save

    def __init__(self, **options) -> None:
        options.setdefault("region_name", settings.BOOTH_S3_REGION or settings.BOOTH_AWS_REGION)
        endpoint = settings.BOOTH_S3_ENDPOINT_URL or settings.BOOTH_AWS_ENDPOINT_URLS.get("s3")
        if endpoint:
            options.setdefault("endpoint_url", endpoint)
        # Signature version 4: required in every region opened since 2014, and its
        # presigned URLs carry their expiry (X-Amz-Expires) signed.
        options.setdefault(
            "client_config", aws.client_config().merge(Config(signature_version="s3v4"))
        )
        super().__init__(**options)

    @property
    def connection(self):
        """This thread's S3 resource, made from Booth's one boto3 session (its profile, role
        and credential chain) under kernel.aws's lock, as boto3 sessions are not thread-safe."""
        connection = getattr(self._connections, "connection", None)
        if connection is None:
            connection = aws.resource(
                "s3",
                region_name=self.region_name,
                endpoint_url=self.endpoint_url,
                config=self.client_config,
            )
            self._connections.connection = connection
        return connection


def serves_presigned_urls(storage: Storage) -> bool:
    """Whether visitors should be redirected to the storage's own (signed, expiring) URLs
    rather than have the file streamed through Booth: true for anything but local disk."""
    return not isinstance(storage, FileSystemStorage)


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Production static files: hashed names, gzip/Brotli copies, and the ES module imports
    of the display and tablet scripts rewritten to the hashed names too, so a new release
    never mixes a cached old module with a new one."""

    support_js_module_import_aggregation = True
