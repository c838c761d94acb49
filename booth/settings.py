"""Booth settings: every value comes from an environment variable, with embedded defaults.

With no environment at all Booth runs "embedded": SQLite and local media under ./var,
the in-memory channel layer, and jobs on the persistent database task backend processed
inside the web server process (see `manage.py serve`). Set DATABASE_URL, REDIS_URL and
the storage variables to run scaled.
"""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("BOOTH_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str(
    "SECRET_KEY", default="booth-embedded-demo-key-change-me-in-production-0123456789"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where phones reach the result pages: the QR code points here.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "channels",
    "django_tasks_db",
    "booth",
    "experiences",
    "displays",
    "moderation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "booth.urls"
ASGI_APPLICATION = "booth.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'booth.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The web server and the in-process job worker write concurrently: WAL lets readers
    # go on while one writer works, IMMEDIATE avoids upgrade deadlocks, and the timeout
    # makes a busy writer wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests use a file too: the in-memory database Django would pick shares one cache
    # between threads, whose table locks ignore the busy timeout above. One per test run,
    # so two runs at once do not share it; Django deletes it when the run ends.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str("BOOTH_TEST_SQLITE", default=str(VAR_DIR / f"test-{os.getpid()}.sqlite3"))
    }
else:
    # PostgreSQL under daphne. Sync views and the ORM run in asgiref's thread-sensitive
    # executor, and Django's persistent connections are per thread and only closed at the
    # end of a request: under ASGI they pile up instead of being reused, so each request
    # opens and closes its own (CONN_MAX_AGE=0, the default here). Past a few hundred
    # connections per second put PgBouncer (transaction pooling) in front and set
    # DB_DISABLE_SERVER_SIDE_CURSORS=true, as pooled connections cannot keep cursors.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
    # A connection kept for reuse (DB_CONN_MAX_AGE > 0, the task workers) is checked
    # before use, so a database restart costs one reconnect rather than a failed job.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DB_DISABLE_SERVER_SIDE_CURSORS", default=False
    )
    # Fail fast when the database is unreachable: a request or /readyz answers in seconds
    # instead of hanging on the kernel's TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
    )
    # One test database per run (the whole suite runs on PostgreSQL in CI's second pass),
    # so two runs on one server never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str(
            "BOOTH_TEST_DB_NAME", default=f"test_{DATABASES['default']['NAME']}_{os.getpid()}"
        )
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels -------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 times socket reads out after 5 s by default, the length of
            # channels-redis's blocking BZPOPMIN, which then tears down every idle
            # websocket (django/channels_redis#422): reads may take longer than the pop,
            # yet a dead Redis is still noticed.
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=15),
                        "socket_connect_timeout": 5,
                    }
                ]
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Tasks ----------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env.str("BOOTH_TASK_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# `manage.py serve` runs job processing inside the web process (embedded mode). Turn it
# off when separate worker processes run `manage.py db_worker`.
BOOTH_EMBEDDED_WORKER = env.bool("BOOTH_EMBEDDED_WORKER", default=not REDIS_URL)
BOOTH_EMBEDDED_WORKER_THREADS = env.int("BOOTH_EMBEDDED_WORKER_THREADS", default=2)
# Jobs queued in the server process wake its workers at once; this is how often an idle
# embedded worker also looks for jobs queued elsewhere.
BOOTH_WORKER_POLL_SECONDS = env.float("BOOTH_WORKER_POLL_SECONDS", default=1.0)
# Embedded mode erases visitors past their retention this often; scaled deployments run
# `manage.py booth_scheduler` (or `manage.py purge_expired` from cron) instead.
BOOTH_PURGE_INTERVAL_SECONDS = env.float("BOOTH_PURGE_INTERVAL_SECONDS", default=600)
# A worker holds a lease on the job it runs and renews it every third of this; when a
# worker dies (killed, machine lost) `manage.py booth_scheduler` queues the job again once
# its lease has run out. Longer than the slowest job's longest pause, shorter than a
# visitor's patience.
BOOTH_JOB_LEASE_SECONDS = env.float("BOOTH_JOB_LEASE_SECONDS", default=30)
# A job that has killed this many workers (a poison photo) is failed instead of retried.
BOOTH_JOB_MAX_ATTEMPTS = env.int("BOOTH_JOB_MAX_ATTEMPTS", default=3)
# How often `manage.py booth_scheduler` looks for jobs whose worker died.
BOOTH_SCHEDULER_INTERVAL_SECONDS = env.float("BOOTH_SCHEDULER_INTERVAL_SECONDS", default=5)
# TEST ONLY: seconds to sleep at the end of a pipeline stage, e.g. "store=5", so system
# tests can kill a worker in the middle of a job. Never set it in a deployment.
BOOTH_TEST_STAGE_DELAYS = {
    stage: float(seconds)
    for stage, seconds in env.dict("BOOTH_TEST_STAGE_DELAYS", default={}).items()
}

# --- Storage --------------------------------------------------------------------------
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never routed: stored files are served through token-checked views
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Media on S3 (or an S3-compatible store) when a bucket is set: every web process and
# worker on every machine then shares one store. Objects stay private (no ACL, signed
# requests); visitors are redirected to presigned URLs that expire after
# BOOTH_S3_URL_EXPIRY_SECONDS. Credentials come from boto3's chain (booth/aws.py).
BOOTH_S3_BUCKET = env.str("BOOTH_S3_BUCKET", default="")
BOOTH_S3_PREFIX = env.str("BOOTH_S3_PREFIX", default="media").strip("/")
BOOTH_S3_REGION = env.str("BOOTH_S3_REGION", default="")  # empty: BOOTH_AWS_REGION
# An S3-compatible store (MinIO, moto); empty: BOOTH_AWS_ENDPOINT_URLS["s3"], else AWS.
BOOTH_S3_ENDPOINT_URL = env.str("BOOTH_S3_ENDPOINT_URL", default="")
BOOTH_S3_URL_EXPIRY_SECONDS = env.int("BOOTH_S3_URL_EXPIRY_SECONDS", default=300)
MEDIA_STORAGE = (
    {
        "BACKEND": "booth.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": BOOTH_S3_BUCKET,
            "location": BOOTH_S3_PREFIX,
            "querystring_expire": BOOTH_S3_URL_EXPIRY_SECONDS,
        },
    }
    if BOOTH_S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
# Production static files: `manage.py collectstatic` writes compressed copies with
# content hashes in their names, which WhiteNoise serves with a one-year immutable cache
# header (and gzip/Brotli when the browser takes it). Off by default so the embedded demo
# needs no collectstatic; then WhiteNoise serves from the app folders directly.
BOOTH_STATIC_MANIFEST = env.bool("BOOTH_STATIC_MANIFEST", default=False)
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": "booth.storage.StaticStorage"
        if BOOTH_STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not BOOTH_STATIC_MANIFEST
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_AUTOREFRESH = DEBUG

# --- Auth -----------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tablet"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# --- I18n -----------------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "booth" / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True

# --- REST framework -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "booth.api.exception_handler",
}

# --- Booth pipeline -------------------------------------------------------------------
BOOTH_FACE_DETECTOR = env.str(
    "BOOTH_FACE_DETECTOR", default="experiences.backends.local.HaarFaceDetector"
)
BOOTH_COMPOSITOR = env.str("BOOTH_COMPOSITOR", default="experiences.backends.local.BlendCompositor")
BOOTH_STORY_WRITER = env.str(
    "BOOTH_STORY_WRITER", default="experiences.backends.local.TemplateStoryWriter"
)
BOOTH_MAX_UPLOAD_BYTES = env.int("BOOTH_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
BOOTH_MAX_IMAGE_PIXELS = env.int("BOOTH_MAX_IMAGE_PIXELS", default=40_000_000)
BOOTH_MIN_IMAGE_SIDE = env.int("BOOTH_MIN_IMAGE_SIDE", default=200)
# Originals are kept only as large as moderation and reprocessing need.
BOOTH_STORED_CAPTURE_MAX_SIDE = env.int("BOOTH_STORED_CAPTURE_MAX_SIDE", default=1280)
BOOTH_FACE_PADDING = env.float("BOOTH_FACE_PADDING", default=0.5)
BOOTH_RECENT_BASE_IMAGES = env.int("BOOTH_RECENT_BASE_IMAGES", default=4)
BOOTH_RESULT_JPEG_QUALITY = env.int("BOOTH_RESULT_JPEG_QUALITY", default=88)
# How long the tablet shows "watch display N" before it returns to the attract screen.
BOOTH_TABLET_RESET_SECONDS = env.int("BOOTH_TABLET_RESET_SECONDS", default=45)

# --- AWS (backends in experiences/backends/aws.py; clients from booth/aws.py) ---------
# No credentials here: boto3 finds them (environment, ~/.aws, instance/task role).
BOOTH_AWS_REGION = env.str("BOOTH_AWS_REGION", default="us-east-1")
BOOTH_AWS_PROFILE = env.str("BOOTH_AWS_PROFILE", default="")
BOOTH_AWS_ROLE_ARN = env.str("BOOTH_AWS_ROLE_ARN", default="")
# Per-service endpoint overrides, e.g. "s3=http://127.0.0.1:5000,bedrock-runtime=https://...".
BOOTH_AWS_ENDPOINT_URLS = env.dict("BOOTH_AWS_ENDPOINT_URLS", default={})
# Attempts in all, the first included.
BOOTH_AWS_MAX_ATTEMPTS = env.int("BOOTH_AWS_MAX_ATTEMPTS", default=5)
BOOTH_AWS_CONNECT_TIMEOUT = env.float("BOOTH_AWS_CONNECT_TIMEOUT", default=5)
BOOTH_AWS_READ_TIMEOUT = env.float("BOOTH_AWS_READ_TIMEOUT", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django_tasks_db": {"level": "WARNING"}, "django.tasks": {"level": "WARNING"}},
}
