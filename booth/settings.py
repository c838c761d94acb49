"""Booth settings: every value comes from an environment variable, with embedded defaults.

With no environment at all Booth runs "embedded": SQLite and local media under ./var,
the in-memory channel layer, and jobs on the persistent database task backend processed
inside the web server process (see `manage.py serve`). Set DATABASE_URL, REDIS_URL and
the storage variables to run scaled.
"""

import os
from pathlib import Path

import environ

from booth.layers import redis_channel_layer

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
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels -------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Reads must outlast channels_redis's 5 s blocking receive (see booth/layers.py).
    CHANNEL_LAYERS = {
        "default": redis_channel_layer(
            REDIS_URL,
            socket_timeout=env.float("BOOTH_REDIS_SOCKET_TIMEOUT", default=30),
        )
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
# `manage.py purge_expired` from cron or a scheduler instead.
BOOTH_PURGE_INTERVAL_SECONDS = env.float("BOOTH_PURGE_INTERVAL_SECONDS", default=600)

# --- Storage --------------------------------------------------------------------------
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never routed: stored files are served through token-checked views
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the app folders without collectstatic: embedded mode is one
# command, and WhiteNoise then serves them with caching headers under daphne.
WHITENOISE_USE_FINDERS = True
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

# --- Displays (LED walls) -------------------------------------------------------------
# A display page shows its default image after this many consecutive failed connection
# attempts, or once it has been offline this long (the reference booth: 5 failures).
BOOTH_DISPLAY_FAILURES_BEFORE_DEFAULT = env.int("BOOTH_DISPLAY_FAILURES_BEFORE_DEFAULT", default=5)
BOOTH_DISPLAY_OFFLINE_DEFAULT_SECONDS = env.float(
    "BOOTH_DISPLAY_OFFLINE_DEFAULT_SECONDS", default=30
)
# How often a page sends its heartbeat; a display none of whose pages was heard from for
# BOOTH_DISPLAY_SILENT_SECONDS is flagged silent on the control and status pages.
BOOTH_DISPLAY_HEARTBEAT_SECONDS = env.float("BOOTH_DISPLAY_HEARTBEAT_SECONDS", default=15)
BOOTH_DISPLAY_SILENT_SECONDS = env.float("BOOTH_DISPLAY_SILENT_SECONDS", default=45)
# Attract loop: with no new result for this long, a live display cycles through the
# event's most recent approved results (0 turns it off), each shown this long.
BOOTH_ATTRACT_AFTER_SECONDS = env.float("BOOTH_ATTRACT_AFTER_SECONDS", default=120)
BOOTH_ATTRACT_INTERVAL_SECONDS = env.float("BOOTH_ATTRACT_INTERVAL_SECONDS", default=8)
BOOTH_ATTRACT_RESULTS = env.int("BOOTH_ATTRACT_RESULTS", default=12)
# Staff pages (control panel, status) get a fresh snapshot this often over their socket.
BOOTH_STATUS_PUSH_SECONDS = env.float("BOOTH_STATUS_PUSH_SECONDS", default=2)
# Optional Slack-compatible chat webhook: "result ready" and "job failed" messages. Off
# when empty. Sent from a background thread after commit, so it never delays a job.
BOOTH_CHAT_WEBHOOK_URL = env.str("BOOTH_CHAT_WEBHOOK_URL", default="")
BOOTH_CHAT_WEBHOOK_TIMEOUT = env.float("BOOTH_CHAT_WEBHOOK_TIMEOUT", default=3)

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
