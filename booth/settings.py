"""Booth settings: every value comes from an environment variable, with embedded defaults.

With no environment at all Booth runs "embedded": SQLite and local media under ./var,
the in-memory channel layer, and jobs on the persistent database task backend processed
inside the web server process (see `manage.py serve`). Set DATABASE_URL, REDIS_URL and
the storage variables to run scaled.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.csp import CSP

from kernel.csp_sources import s3_media_origins
from kernel.layers import redis_channel_layer

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
# Where phones reach the result pages: the QR code points here. When not set, `manage.py
# serve` (and `demo`) set it to where they really listen (kernel/network.py); separate
# `db_worker` processes draw QR codes too, so set it explicitly when running scaled.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://localhost:8000").rstrip("/")
PUBLIC_BASE_URL_IS_SET = "PUBLIC_BASE_URL" in os.environ

INSTALLED_APPS = [
    "daphne",
    "booth.admin_apps.BoothAdminConfig",  # django.contrib.admin with Booth's site (optional 2FA)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks_db",
    "booth",
    "operations",
    "experiences",
    "displays",
    "moderation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside WhiteNoise, so it sees the static responses WhiteNoise answers with.
    "booth.static_compression.StaticGZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.tz",  # TIME_ZONE: staff pages show event time
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Prometheus scrapers send `Authorization: Bearer <this>` to /metrics (operations/metrics.py).
# Empty: only staff with the view display permission can read it.
BOOTH_METRICS_TOKEN = env.str("BOOTH_METRICS_TOKEN", default="")

# --- Security headers and HTTPS ------------------------------------------------------
# Pages load only Booth's own scripts, styles, images and media: no inline script or
# style, no other origin, no plugin, no framing. Sockets go to the same host (ws: on the
# LAN, wss: behind HTTPS); the tablet previews its photo from a blob: URL.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "blob:", "data:"],
    "media-src": [CSP.SELF, "blob:"],
    "connect-src": [CSP.SELF, "ws:", "wss:"],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Result pages also say no-referrer themselves; everything else leaks at most the origin.
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# BOOTH_HTTPS=true when visitors reach Booth over HTTPS (directly or through a proxy that
# terminates TLS): cookies are then sent over HTTPS only, HTTP is redirected, and browsers
# are told (HSTS) never to try HTTP again. Off by default: an embedded booth on a LAN is
# plain HTTP.
BOOTH_HTTPS = env.bool("BOOTH_HTTPS", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = BOOTH_HTTPS
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=BOOTH_HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if BOOTH_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=BOOTH_HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=BOOTH_HTTPS)
# Behind a TLS-terminating proxy (load balancer, Caddy, nginx) that sets
# X-Forwarded-Proto: set BOOTH_BEHIND_PROXY=true so Django knows the request was HTTPS.
# Only when the proxy is the sole way in: a client could otherwise forge the header.
if env.bool("BOOTH_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
# The health checks of a load balancer come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = env.list("SECURE_REDIRECT_EXEMPT", default=[r"^healthz$", r"^readyz$"])
SESSION_COOKIE_HTTPONLY = True
# `manage.py serve --https`: the booth's own CA and server certificate (kernel/tls.py).
BOOTH_TLS_DIR = Path(env.str("BOOTH_TLS_DIR", default=str(VAR_DIR / "tls")))

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
    # Reads must outlast channels_redis's 5 s blocking receive (see kernel/layers.py).
    CHANNEL_LAYERS = {
        "default": redis_channel_layer(
            REDIS_URL,
            socket_timeout=env.float("BOOTH_REDIS_SOCKET_TIMEOUT", default=30),
        )
    }
else:
    # Channels' in-memory layer, without its per-socket costs (see kernel/layers.py).
    CHANNEL_LAYERS = {"default": {"BACKEND": "kernel.layers.FanOutInMemoryChannelLayer"}}

# The pages send only small JSON messages (pings, commands): anything larger is refused
# (the server closes the socket with 1009 "Message Too Big"; consumers check it too).
BOOTH_WEBSOCKET_MAX_MESSAGE_BYTES = env.int("BOOTH_WEBSOCKET_MAX_MESSAGE_BYTES", default=16 * 1024)
# Messages a page may send a minute (heartbeats, hellos); more are dropped unread.
BOOTH_WEBSOCKET_MESSAGES_PER_MINUTE = env.int("BOOTH_WEBSOCKET_MESSAGES_PER_MINUTE", default=120)

# --- Web server and request bodies ---------------------------------------------------
# `manage.py serve`'s server: uvicorn, or daphne (which reads whole bodies before Booth can
# refuse them; docs/deployment.md, "The web server").
BOOTH_WEB_SERVER = env.str("BOOTH_WEB_SERVER", default="uvicorn")
# Request bodies are capped per route before they are read (booth/asgi.py has the table:
# photo and clip uploads, API JSON, forms); this is the cap of every other URL.
BOOTH_MAX_OTHER_BODY_BYTES = env.int("BOOTH_MAX_OTHER_BODY_BYTES", default=64 * 1024)

# --- Cache ----------------------------------------------------------------------------
# Rate limits count in the default cache: with REDIS_URL every web process shares one count
# (a limit per process would multiply with the processes); embedded mode is one process.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("BOOTH_CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "booth",
            # A rate-limit check must never hold a request for long: give up after a second
            # (kernel/throttling.py then lets the request through).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Result pages and their pictures, whole (moderation/result_cache.py): built once, served
# until a pull or an erasure drops them. Their own cache, so pictures never evict rate-limit
# counts; shared by every web process in scaled mode. Phones open a result within minutes
# of it being made: entries expire after BOOTH_RESULT_CACHE_SECONDS, and in embedded mode at
# most BOOTH_RESULT_CACHE_ENTRIES are kept (a page is ~5 KB, a picture 20-200 KB).
BOOTH_RESULT_CACHE_SECONDS = env.int("BOOTH_RESULT_CACHE_SECONDS", default=300)
if REDIS_URL:
    CACHES["results"] = {
        **CACHES["default"],
        "KEY_PREFIX": "booth-results",
        "TIMEOUT": BOOTH_RESULT_CACHE_SECONDS,
    }
else:
    CACHES["results"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "results",
        "TIMEOUT": BOOTH_RESULT_CACHE_SECONDS,
        "OPTIONS": {"MAX_ENTRIES": env.int("BOOTH_RESULT_CACHE_ENTRIES", default=1000)},
    }

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
# 0 (the default): one job thread per core the server may use, at least two
# (booth.worker.default_worker_threads).
BOOTH_EMBEDDED_WORKER_THREADS = env.int("BOOTH_EMBEDDED_WORKER_THREADS", default=0)
# Jobs queued in the server process wake its workers at once; this is how often an idle
# embedded worker also looks for jobs queued elsewhere.
BOOTH_WORKER_POLL_SECONDS = env.float("BOOTH_WORKER_POLL_SECONDS", default=1.0)
# `manage.py booth_worker` records its polls this often (booth.resilient_worker); where
# separate workers are expected (no embedded worker), /readyz and the status page report
# "no worker has polled for N s" once the newest heartbeat is older than the stale limit,
# and flag a queue whose oldest ready job has waited longer than the queue limit.
BOOTH_WORKER_HEARTBEAT_SECONDS = env.float("BOOTH_WORKER_HEARTBEAT_SECONDS", default=2.0)
BOOTH_WORKER_STALE_SECONDS = env.float("BOOTH_WORKER_STALE_SECONDS", default=30.0)
BOOTH_EXPECT_WORKERS = env.bool("BOOTH_EXPECT_WORKERS", default=not BOOTH_EMBEDDED_WORKER)
BOOTH_QUEUE_WAIT_ALERT_SECONDS = env.float("BOOTH_QUEUE_WAIT_ALERT_SECONDS", default=60.0)
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
# BOOTH_S3_URL_EXPIRY_SECONDS. Credentials come from boto3's chain (kernel/aws.py).
BOOTH_S3_BUCKET = env.str("BOOTH_S3_BUCKET", default="")
BOOTH_S3_PREFIX = env.str("BOOTH_S3_PREFIX", default="media").strip("/")
BOOTH_S3_REGION = env.str("BOOTH_S3_REGION", default="")  # empty: BOOTH_AWS_REGION
# An S3-compatible store (MinIO, moto); empty: BOOTH_AWS_ENDPOINT_URLS["s3"], else AWS.
BOOTH_S3_ENDPOINT_URL = env.str("BOOTH_S3_ENDPOINT_URL", default="")
# SigV4 presigned URLs last at most 604,800 s (7 days) and S3 refuses longer ones: a larger
# value is capped here, and `manage.py check` warns about it (operations/aws_checks.py).
BOOTH_S3_URL_EXPIRY_REQUESTED = env.int("BOOTH_S3_URL_EXPIRY_SECONDS", default=300)
BOOTH_S3_URL_EXPIRY_SECONDS = min(BOOTH_S3_URL_EXPIRY_REQUESTED, 604_800)
# Pages may show media from the bucket's presigned URLs (BOOTH_CSP_MEDIA_ORIGINS overrides,
# e.g. for a CDN in front of the bucket).
BOOTH_CSP_MEDIA_ORIGINS = env.list(
    "BOOTH_CSP_MEDIA_ORIGINS",
    default=s3_media_origins(
        BOOTH_S3_BUCKET,
        BOOTH_S3_REGION or env.str("BOOTH_AWS_REGION", default="us-east-1"),
        BOOTH_S3_ENDPOINT_URL or env.dict("BOOTH_AWS_ENDPOINT_URLS", default={}).get("s3", ""),
    )
    if BOOTH_S3_BUCKET
    else [],
)
SECURE_CSP["img-src"] += BOOTH_CSP_MEDIA_ORIGINS
SECURE_CSP["media-src"] += BOOTH_CSP_MEDIA_ORIGINS
MEDIA_STORAGE = (
    {
        "BACKEND": "kernel.storage.PrivateS3Storage",
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
        "BACKEND": "kernel.storage.StaticStorage"
        if BOOTH_STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not BOOTH_STATIC_MANIFEST
# Embedded mode's static names carry no content hash, so they cannot be cached for a year
# like the manifest's; an hour (not WhiteNoise's 60 s) spares phones and walls refetching
# CSS, JavaScript and icons on every page while an upgrade still reaches them the same day.
# (With the manifest, hashed names are cached for a year by WhiteNoise itself.)
WHITENOISE_MAX_AGE = env.int(
    "BOOTH_STATIC_MAX_AGE_SECONDS", default=0 if DEBUG else 60 if BOOTH_STATIC_MANIFEST else 3600
)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_AUTOREFRESH = DEBUG

# --- Auth -----------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tablet"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: a locked-out username+address is refused before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (admin and the tablets' /accounts/login/): after BOOTH_LOGIN_FAILURE_LIMIT
# wrong passwords for one username from one address, that pair is locked out for
# BOOTH_LOGIN_COOLOFF_MINUTES. Other addresses, and other usernames, are unaffected.
AXES_FAILURE_LIMIT = env.int("BOOTH_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("BOOTH_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "booth/login_locked.html"
# Addresses come from REMOTE_ADDR unless BOOTH_TRUSTED_PROXIES says how many proxies in
# front of Booth append to X-Forwarded-For (a client can write that header itself).
BOOTH_TRUSTED_PROXIES = env.int("BOOTH_TRUSTED_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "kernel.throttling.client_ip"
# Optional two-factor authentication for staff: with BOOTH_STAFF_2FA on, admin asks for a
# TOTP code from a registered authenticator app (`manage.py add_totp_device <username>`).
BOOTH_STAFF_2FA = env.bool("BOOTH_STAFF_2FA", default=False)
OTP_TOTP_ISSUER = env.str("BOOTH_TOTP_ISSUER", default="Booth")
# Nobody, superusers included, reads another person's TOTP secret or QR code in admin: the
# command shows it once to whoever registers the authenticator.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
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
    "DEFAULT_PARSER_CLASSES": [
        "kernel.api.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "kernel.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # REMOTE_ADDR unless proxies are trusted: a spoofed X-Forwarded-For escapes no limit.
    "NUM_PROXIES": BOOTH_TRUSTED_PROXIES,
}
# The OpenAPI schema (/api/schema/) is public: it describes the API, holds no secret, and
# integrators need it. The interactive docs (/api/docs/) are for staff only: they run a
# large JavaScript bundle that visitors have no use for.
SPECTACULAR_SETTINGS = {
    "TITLE": "Booth API",
    "DESCRIPTION": (
        "Tablets upload captures with their device session (cookie + X-CSRFToken header); "
        "outside systems (speed sensor, kick camera) post shots and clips with an "
        "integration bearer token. Every refusal is JSON with a `code` and a `detail` "
        "sentence saying what to do."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # Devices send their session cookie and, with every POST, the CSRF token as a header.
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "cookieAuth": {
                "type": "apiKey",
                "in": "cookie",
                "name": "sessionid",
                "description": "A station's device account, logged in on the tablet page.",
            },
            "csrfToken": {
                "type": "apiKey",
                "in": "header",
                "name": "X-CSRFToken",
                "description": "The csrftoken cookie's value, sent back as a header.",
            },
        }
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Rate limits ("<count>/<second|minute|hour|day>"; empty turns one off), counted in the
# default cache (kernel/throttling.py). Many phones on a hall's Wi-Fi share one public
# address, hence the generous per-address limit on result pages.
BOOTH_RATE_LIMITS = {
    "capture_device": env.str("BOOTH_RATE_CAPTURE_DEVICE", default="20/minute"),
    "capture_ip": env.str("BOOTH_RATE_CAPTURE_IP", default="60/minute"),
    "integration_token": env.str("BOOTH_RATE_INTEGRATION_TOKEN", default="120/minute"),
    "integration_ip": env.str("BOOTH_RATE_INTEGRATION_IP", default="240/minute"),
    "result_ip": env.str("BOOTH_RATE_RESULT_IP", default="300/minute"),
    "health_ip": env.str("BOOTH_RATE_HEALTH_IP", default="120/minute"),
    # "Email me my portrait": sends per result link and per recipient address.
    "email_result": env.str("BOOTH_RATE_EMAIL_RESULT", default="3/hour"),
    "email_address": env.str("BOOTH_RATE_EMAIL_ADDRESS", default="5/day"),
}

# --- Booth pipeline -------------------------------------------------------------------
BOOTH_FACE_DETECTOR = env.str("BOOTH_FACE_DETECTOR", default="mesh")
BOOTH_COMPOSITOR = env.str("BOOTH_COMPOSITOR", default="blend")
BOOTH_STORY_WRITER = env.str("BOOTH_STORY_WRITER", default="template")
# Uniform try-on and business portrait (issue 8). Local ("recolour", "studio"): person masks
# (selfie segmentation) and a recolour or studio cut-out, offline. Bedrock ("titan"): Titan
# Image Generator inpainting / outpainting.
BOOTH_UNIFORM_PAINTER = env.str("BOOTH_UNIFORM_PAINTER", default="recolour")
BOOTH_BUSINESS_PORTRAIT_MAKER = env.str(
    "BOOTH_BUSINESS_PORTRAIT_MAKER",
    default="studio",
)
BOOTH_TITAN_IMAGE_EDIT_MODEL = env.str(
    "BOOTH_TITAN_IMAGE_EDIT_MODEL", default="amazon.titan-image-generator-v2:0"
)
# DEFAULT lets Titan adjust the kept face's edges to blend; PRECISE keeps it pixel for pixel.
BOOTH_TITAN_OUTPAINTING_MODE = env.str("BOOTH_TITAN_OUTPAINTING_MODE", default="DEFAULT")
# Seconds to wait for one Titan image; 0 means BOOTH_AWS_READ_TIMEOUT.
BOOTH_TITAN_READ_TIMEOUT = env.float("BOOTH_TITAN_READ_TIMEOUT", default=0)
BOOTH_MAX_UPLOAD_BYTES = env.int("BOOTH_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
BOOTH_MAX_IMAGE_PIXELS = env.int("BOOTH_MAX_IMAGE_PIXELS", default=40_000_000)
BOOTH_MIN_IMAGE_SIDE = env.int("BOOTH_MIN_IMAGE_SIDE", default=200)
# Originals are kept only as large as moderation and reprocessing need.
BOOTH_STORED_CAPTURE_MAX_SIDE = env.int("BOOTH_STORED_CAPTURE_MAX_SIDE", default=1280)
BOOTH_FACE_PADDING = env.float("BOOTH_FACE_PADDING", default=0.5)
BOOTH_RESULT_JPEG_QUALITY = env.int("BOOTH_RESULT_JPEG_QUALITY", default=88)
# How long the tablet shows "watch display N" before it returns to the attract screen.
# Result opens and downloads are counted in memory and written at most this often
# (experiences/models/tallies.py): a crowd of phones is then not a database write each.
BOOTH_TALLY_FLUSH_SECONDS = env.float("BOOTH_TALLY_FLUSH_SECONDS", default=10)
BOOTH_TABLET_RESET_SECONDS = env.int("BOOTH_TABLET_RESET_SECONDS", default=45)
# A visitor idle this long mid-flow is asked "Still there?"; the tablet starts over for the
# next visitor if nobody answers within BOOTH_TABLET_STILL_THERE_SECONDS (part of the idle time).
BOOTH_TABLET_IDLE_SECONDS = env.float("BOOTH_TABLET_IDLE_SECONDS", default=90)
BOOTH_TABLET_STILL_THERE_SECONDS = env.float("BOOTH_TABLET_STILL_THERE_SECONDS", default=15)
# A tablet's device session lasts this long after its page last checked in (on load and
# every BOOTH_TABLET_SESSION_CHECK_SECONDS), so it never expires mid-event; staff sessions
# keep Django's fixed SESSION_COOKIE_AGE. The check also finds a session that ended anyway.
BOOTH_STATION_SESSION_DAYS = env.float("BOOTH_STATION_SESSION_DAYS", default=30)
BOOTH_TABLET_SESSION_CHECK_SECONDS = env.float("BOOTH_TABLET_SESSION_CHECK_SECONDS", default=60)

# --- Narration: the story read aloud (experiences/photo/narration.py) ----------------------
# "espeak" (Debian's espeak-ng, offline: robotic but intelligible), "polly" (Amazon Polly's
# neural voices) or "none". Narration runs as its own task after the portrait is published:
# it never delays the wall, and a failed narration leaves the result without audio.
BOOTH_NARRATOR = env.str("BOOTH_NARRATOR", default="espeak")
BOOTH_ESPEAK = env.str("BOOTH_ESPEAK", default="espeak-ng")
# Words per minute; espeak-ng's own 175 is hurried for a hall full of noise.
BOOTH_ESPEAK_SPEED = env.int("BOOTH_ESPEAK_SPEED", default=150)
BOOTH_ESPEAK_TIMEOUT = env.float("BOOTH_NARRATION_TIMEOUT", default=30)
# Polly neural voices per story language ("Seoyeon" is Polly's Korean neural voice).
BOOTH_POLLY_VOICES = env.dict("BOOTH_POLLY_VOICES", default={"en": "Joanna", "ko": "Seoyeon"})
BOOTH_POLLY_TIMEOUT = env.float("BOOTH_POLLY_TIMEOUT", default=10)
BOOTH_POLLY_MAX_ATTEMPTS = env.int("BOOTH_POLLY_MAX_ATTEMPTS", default=3)

# --- Email: "email me my portrait" (experiences/photo/portrait_email.py) -------------------
# EMAIL_URL: consolemail:// (the default: printed to the server's output, for the demo),
# smtp+tls://user:password@host:587 (any SMTP server, Amazon SES's SMTP interface
# included), smtps://… (implicit TLS). EMAIL_BACKEND=django_ses.SESBackend sends through
# the SES API instead (pip install 'booth[ses]'; region AWS_SES_REGION_NAME, else
# BOOTH_AWS_REGION). Written as Django 6.1's MAILERS (the EMAIL_* settings are deprecated).
_email = env.email_url("EMAIL_URL", default="consolemail://")
_email_backend = env.str("EMAIL_BACKEND", default="") or _email["EMAIL_BACKEND"]
_email_options = {}
if _email_backend == "django.core.mail.backends.smtp.EmailBackend":
    _email_options = {
        "host": _email["EMAIL_HOST"] or "localhost",
        "port": _email["EMAIL_PORT"] or 25,
        "username": _email["EMAIL_HOST_USER"] or "",
        "password": _email["EMAIL_HOST_PASSWORD"] or "",
        "use_tls": _email.get("EMAIL_USE_TLS", False),
        "use_ssl": _email.get("EMAIL_USE_SSL", False),
        # A stuck mail server holds a task worker at most this long (seconds).
        "timeout": env.float("EMAIL_TIMEOUT", default=10),
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
if _email_backend == "django_ses.SESBackend":
    AWS_SES_REGION_NAME = env.str(
        "AWS_SES_REGION_NAME", default=env.str("BOOTH_AWS_REGION", default="us-east-1")
    )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Booth <booth@localhost>")
# The portrait goes with the email as a JPEG when no larger than this; the link always does.
BOOTH_EMAIL_ATTACHMENT_MAX_BYTES = env.int(
    "BOOTH_EMAIL_ATTACHMENT_MAX_BYTES", default=2 * 1024 * 1024
)
# A failed send is tried again after 30, 60, 120… seconds, this many times in all.
BOOTH_EMAIL_ATTEMPTS = env.int("BOOTH_EMAIL_ATTEMPTS", default=5)
BOOTH_EMAIL_BACKOFF_SECONDS = env.float("BOOTH_EMAIL_BACKOFF_SECONDS", default=30)

# --- Slow-motion replays (Debian's ffmpeg; see experiences/sports/video.py) -----------------
BOOTH_FFMPEG = env.str("BOOTH_FFMPEG", default="ffmpeg")
BOOTH_FFPROBE = env.str("BOOTH_FFPROBE", default="ffprobe")
BOOTH_SLOW_MOTION = env.str("BOOTH_SLOW_MOTION", default="optical-flow")
BOOTH_SLOW_MOTION_FACTOR = env.int("BOOTH_SLOW_MOTION_FACTOR", default=3)
# experiences.sports.replay_backends.SageMakerFilmSlowMotion: the FILM asynchronous endpoint.
BOOTH_FILM_ENDPOINT = env.str("BOOTH_FILM_ENDPOINT", default="")
BOOTH_FILM_TIMEOUT = env.float("BOOTH_FILM_TIMEOUT", default=600)
# Frames sent to FILM are JPEGs at most this many pixels on their longer side.
BOOTH_FILM_MAX_SIDE = env.int("BOOTH_FILM_MAX_SIDE", default=1280)
BOOTH_MAX_CLIP_BYTES = env.int("BOOTH_MAX_CLIP_BYTES", default=50 * 1024 * 1024)
BOOTH_MAX_CLIP_SECONDS = env.int("BOOTH_MAX_CLIP_SECONDS", default=10)
BOOTH_MAX_CLIP_SIDE = env.int("BOOTH_MAX_CLIP_SIDE", default=1920)

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
# How long a display's signed link to one picture or replay stays valid (kernel/display_links.py).
# Pages get fresh links with every state push and attract round; an hour covers a wall
# that shows one result a long time. A harvested link stops working after it.
BOOTH_DISPLAY_MEDIA_SECONDS = env.int("BOOTH_DISPLAY_MEDIA_SECONDS", default=3600)
# Staff pages (control panel, status) get a fresh snapshot this often over their socket.
BOOTH_STATUS_PUSH_SECONDS = env.float("BOOTH_STATUS_PUSH_SECONDS", default=2)
# Optional Slack-compatible chat webhook: "result ready" and "job failed" messages. Off
# when empty. Each message is a task on the persistent queue (after commit, so it never
# delays a job; a restart loses none), retried with backoff when the chat service fails.
BOOTH_CHAT_WEBHOOK_URL = env.str("BOOTH_CHAT_WEBHOOK_URL", default="")
BOOTH_CHAT_WEBHOOK_TIMEOUT = env.float("BOOTH_CHAT_WEBHOOK_TIMEOUT", default=3)
# A failed chat message is tried again after 5, 10, 20… seconds, this many times in all.
BOOTH_CHAT_WEBHOOK_ATTEMPTS = env.int("BOOTH_CHAT_WEBHOOK_ATTEMPTS", default=5)
BOOTH_CHAT_WEBHOOK_BACKOFF_SECONDS = env.float("BOOTH_CHAT_WEBHOOK_BACKOFF_SECONDS", default=5)

# --- AWS (backends in experiences/photo/backends/; clients from kernel/aws.py) ---------
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
# Where the AWS backends put temporary objects (Rekognition S3 mode, SageMaker in/out).
# Every object is deleted when the call is done; a lifecycle rule on the prefix is a backstop.
BOOTH_AWS_S3_BUCKET = env.str("BOOTH_AWS_S3_BUCKET", default="")
BOOTH_AWS_S3_PREFIX = env.str("BOOTH_AWS_S3_PREFIX", default="booth-tmp/")
# Rekognition: "bytes" sends the photo in the request; "s3" uploads it under the prefix
# first (for accounts whose policy requires S3 input).
BOOTH_REKOGNITION_IMAGE_SOURCE = env.str("BOOTH_REKOGNITION_IMAGE_SOURCE", default="bytes")
BOOTH_REKOGNITION_MIN_CONFIDENCE = env.float("BOOTH_REKOGNITION_MIN_CONFIDENCE", default=90)
# Ask DetectFaces for AgeRange too (same price): the résumé waiting screen's fun age guess,
# shown to the visitor and never stored.
BOOTH_REKOGNITION_AGE_RANGE = env.bool("BOOTH_REKOGNITION_AGE_RANGE", default=True)
BOOTH_REKOGNITION_TIMEOUT = env.float("BOOTH_REKOGNITION_TIMEOUT", default=10)
# Rekognition runs inside the tablet's upload request: two attempts at most, and no retry
# that could not finish within the deadline (seconds, the whole call).
BOOTH_REKOGNITION_MAX_ATTEMPTS = env.int("BOOTH_REKOGNITION_MAX_ATTEMPTS", default=2)
BOOTH_REKOGNITION_DEADLINE = env.float("BOOTH_REKOGNITION_DEADLINE", default=15)
# SageMaker compositing (bring-your-own face-swap container).
BOOTH_SAGEMAKER_ENDPOINT = env.str("BOOTH_SAGEMAKER_ENDPOINT", default="")
BOOTH_SAGEMAKER_TIMEOUT = env.float("BOOTH_SAGEMAKER_TIMEOUT", default=70)
# The real-time swap: a throttled call is retried once; a read timeout never is (the
# container may still be swapping), and no retry starts past the deadline (seconds).
BOOTH_SAGEMAKER_MAX_ATTEMPTS = env.int("BOOTH_SAGEMAKER_MAX_ATTEMPTS", default=2)
BOOTH_SAGEMAKER_DEADLINE = env.float("BOOTH_SAGEMAKER_DEADLINE", default=90)
BOOTH_SAGEMAKER_ASYNC_TIMEOUT = env.float("BOOTH_SAGEMAKER_ASYNC_TIMEOUT", default=300)
BOOTH_SAGEMAKER_ASYNC_POLL_SECONDS = env.float("BOOTH_SAGEMAKER_ASYNC_POLL_SECONDS", default=2)
# Bedrock text (stories) and images (base-image library).
# Model ids age (docs/aws.md says how to pick current ones; `manage.py aws_preflight` asks
# Bedrock). Claude models from 3.7 on are called through a cross-region inference profile:
# `us.` for US regions, `eu.`/`apac.`/`global.` elsewhere.
BOOTH_BEDROCK_STORY_MODEL = env.str(
    "BOOTH_BEDROCK_STORY_MODEL", default="us.anthropic.claude-haiku-4-5-20251001-v1:0"
)
# "" = the language the visitor chose on the tablet; "en" or "ko" forces one.
BOOTH_STORY_LANGUAGE = env.str("BOOTH_STORY_LANGUAGE", default="")
BOOTH_STORY_TIMEOUT = env.float("BOOTH_STORY_TIMEOUT", default=20)
# Few attempts: a visitor waits at the wall, and a failed story falls back to the stored one.
BOOTH_STORY_MAX_ATTEMPTS = env.int("BOOTH_STORY_MAX_ATTEMPTS", default=2)
BOOTH_STORY_MAX_CHARS = env.int("BOOTH_STORY_MAX_CHARS", default=300)
# Résumé experience (issue 17): the cover letter's writer, "offline" (composed here from the
# company profile and MBTI traits) or "bedrock" (Claude through ConverseStream).
BOOTH_LETTER_WRITER = env.str("BOOTH_LETTER_WRITER", default="offline")
BOOTH_BEDROCK_LETTER_MODEL = env.str(
    "BOOTH_BEDROCK_LETTER_MODEL", default="us.anthropic.claude-haiku-4-5-20251001-v1:0"
)
# A letter service silent this long (before its first words or between two chunks), or not
# done within the deadline, hands over to the offline writer; the visitor sees the text go on.
BOOTH_LETTER_STALL_SECONDS = env.float("BOOTH_LETTER_STALL_SECONDS", default=8)
BOOTH_LETTER_DEADLINE_SECONDS = env.float("BOOTH_LETTER_DEADLINE_SECONDS", default=40)
# One retry at most: a throttled letter is better written offline at once than late.
BOOTH_LETTER_MAX_ATTEMPTS = env.int("BOOTH_LETTER_MAX_ATTEMPTS", default=2)
BOOTH_LETTER_MAX_TOKENS = env.int("BOOTH_LETTER_MAX_TOKENS", default=6000)
# The offline writer streams like a model: this many characters, then this pause.
BOOTH_LETTER_OFFLINE_CHUNK_CHARS = env.int("BOOTH_LETTER_OFFLINE_CHUNK_CHARS", default=12)
BOOTH_LETTER_OFFLINE_CHUNK_SECONDS = env.float("BOOTH_LETTER_OFFLINE_CHUNK_SECONDS", default=0.03)
# Pushes to the tablet and wall at most this often while the letter is written.
BOOTH_LETTER_PUSH_SECONDS = env.float("BOOTH_LETTER_PUSH_SECONDS", default=0.15)
# The résumé PDF's font: a TrueType/OpenType file or collection with Korean glyphs, and
# which face of a collection (NotoSansCJK-Regular.ttc: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK).
BOOTH_PDF_FONT = env.str(
    "BOOTH_PDF_FONT", default="/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
)
BOOTH_PDF_FONT_INDEX = env.int("BOOTH_PDF_FONT_INDEX", default=1)
BOOTH_BEDROCK_TITAN_IMAGE_MODEL = env.str(
    "BOOTH_BEDROCK_TITAN_IMAGE_MODEL", default="amazon.titan-image-generator-v2:0"
)
# SDXL has left Bedrock; SD3.5 Large is offered in us-west-2 (generate_base_images is run by
# hand: run it with BOOTH_AWS_REGION=us-west-2).
BOOTH_BEDROCK_SD_IMAGE_MODEL = env.str(
    "BOOTH_BEDROCK_SD_IMAGE_MODEL", default="stability.sd3-5-large-v1:0"
)
BOOTH_IMAGE_GENERATION_TIMEOUT = env.float("BOOTH_IMAGE_GENERATION_TIMEOUT", default=120)
# Bedrock's default quota for the reference booth was 60 image requests a minute.
BOOTH_IMAGE_GENERATION_RATE_PER_MINUTE = env.float(
    "BOOTH_IMAGE_GENERATION_RATE_PER_MINUTE", default=60
)

# --- Sports commentary (experiences/sports/commentary/) --------------------------------
# "local" (offline templates) or "bedrock" (a Claude model; falls back to the local one).
BOOTH_COMMENTATOR = env.str("BOOTH_COMMENTATOR", default="local")
BOOTH_COMMENTARY_MODEL_ID = env.str(
    "BOOTH_COMMENTARY_MODEL_ID", default="us.anthropic.claude-haiku-4-5-20251001-v1:0"
)
# Commentary that comes late is worse than a template line: short read timeout, few tries.
BOOTH_COMMENTARY_TIMEOUT = env.float("BOOTH_COMMENTARY_TIMEOUT", default=3.0)
BOOTH_COMMENTARY_MAX_ATTEMPTS = env.int("BOOTH_COMMENTARY_MAX_ATTEMPTS", default=2)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every handler masks visitors' link tokens in what it writes (booth/log_privacy.py).
    "filters": {"mask_link_tokens": {"()": "booth.log_privacy.MaskLinkTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_link_tokens"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django_tasks_db": {"level": "WARNING"},
        "django.tasks": {"level": "WARNING"},
        # Django's own default handlers (console under DEBUG, mail_admins, django.server)
        # would write request paths unmasked: its records go to the root handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
