"""Settings for the FIA Academy LMS.

Every value is read from the environment (or a `.env` file at the project root). With no
variables at all the platform runs on its embedded defaults: a SQLite file, the in-memory
channel layer, the local-memory cache and tasks run in process. Production sets
`DATABASE_URL`, `REDIS_URL`, `SECRET_KEY`, `DEBUG=false` and the host names (see README).
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core --------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)

# The development key only exists so that `make run` works with nothing set. A site with
# DEBUG off refuses to start on it (or on no key at all).
DEVELOPMENT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and (
    SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off "
        "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "lms",
    "courses",
    "assessments",
    "trainers",
    "scheduling",
    "live",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Platform parts
    "channels",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # On SCORM_CONTENT_ORIGIN's host, only package files: everything else is 404.
    "courses.scorm.middleware.ScormContentHostMiddleware",
    "lms.csp.PlatformCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "courses.cache.CourseTreeCacheMiddleware",
    # Django's, with the signed-in user read from the cache (lms/auth.py).
    "lms.auth.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lms.middleware.PageRedirectMiddleware",
    "lms.middleware.OutOfRangeMiddleware",
    "lms.middleware.DatabaseUnavailableMiddleware",  # 503, not 500, while the DB is down
    # Axes goes last: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lms.urls"
ASGI_APPLICATION = "lms.asgi.application"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lms.context_processors.platform",
            ],
        },
    }
]

# --- Database ----------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DB_POOL_MAX_SIZE = env.int("DB_POOL_MAX_SIZE", default=10)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_POOL_MAX_SIZE:
    # Under ASGI every request's sync code runs in a worker thread; persistent
    # per-thread connections pile up until PostgreSQL refuses clients. A pool per
    # process (psycopg-pool) caps them: workers x DB_POOL_MAX_SIZE connections at most.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": env.int("DB_POOL_TIMEOUT_SECONDS", default=10),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A web process and a task worker share the file: wait on locks instead of failing,
    # and take the write lock at BEGIN so concurrent writers queue instead of deadlocking.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and channel layer -------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, except that pages carry on without it when Redis is
            # down (lms/cache.py); a dead Redis host costs a page 2 s at most.
            "BACKEND": "lms.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lms",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
    # redis-py 8 times out socket reads after 5 s by default, the very time channels-redis
    # blocks waiting for a message (BZPOPMIN, 5 s): every idle WebSocket then crashed. Reads
    # may take longer than the blocking wait. Its pools also refuse (instead of waiting) past
    # 100 connections, which a class joining or leaving at once exceeds.
    # Redis' pub/sub channels are shared by every database of a server: sites sharing one
    # Redis need prefixes of their own.
    CHANNEL_LAYER_PREFIX = env.str("CHANNEL_LAYER_PREFIX", default="lms")
    _channel_hosts = [
        {
            "address": REDIS_URL,
            "socket_timeout": 30,
            "max_connections": env.int("CHANNEL_LAYER_MAX_CONNECTIONS", default=1000),
        }
    ]
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": _channel_hosts,
                "capacity": env.int("CHANNEL_LAYER_CAPACITY", default=1000),
                "expiry": 60,
                "prefix": CHANNEL_LAYER_PREFIX,
            },
        }
    }
    # "pubsub": channels-redis' RedisPubSubChannelLayer: one PUBLISH per group message, fanned
    # out in each process (no per-channel capacity: nothing is dropped, a slow client's
    # queue grows). "core": RedisChannelLayer above, one Redis round trip per recipient,
    # many times slower to a class of 300 (figures in live/PROTOCOL.md).
    CHANNEL_LAYER_BACKEND = env.str("CHANNEL_LAYER_BACKEND", default="pubsub")
    if CHANNEL_LAYER_BACKEND == "pubsub":
        CHANNEL_LAYERS["default"] = {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": _channel_hosts, "prefix": CHANNEL_LAYER_PREFIX},
        }
    elif CHANNEL_LAYER_BACKEND != "core":
        raise ImproperlyConfigured("CHANNEL_LAYER_BACKEND must be core or pubsub.")
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": env.int("LOCMEM_CACHE_MAX_ENTRIES", default=5000)},
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Background tasks (django-tasks, as Wagtail 8 uses) ----------------------------------
# "immediate" runs a task in the request that enqueues it; "database" stores it for the
# worker process (`python manage.py db_worker`).
TASK_BACKEND = env.str("TASK_BACKEND", default="immediate")
_task_backends = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
if TASK_BACKEND not in _task_backends:
    raise ImproperlyConfigured(
        f"TASK_BACKEND must be one of {sorted(_task_backends)}, not {TASK_BACKEND!r}."
    )
TASKS = {"default": {"BACKEND": _task_backends[TASK_BACKEND]}}

# --- Accounts, sign-in and lockout -------------------------------------------------------
AUTH_USER_MODEL = "lms.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

AXES_FAILURE_LIMIT = env.int("SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGNIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "lms.views.signin_locked_out"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
# The API's rate limits read the client address the same way (a forged X-Forwarded-For
# must not buy a fresh allowance).
NINJA_NUM_PROXIES = AXES_IPWARE_PROXY_COUNT
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# A signed-in user (with their roles) is kept in the cache this long between requests
# (lms/auth.py; 0: read from the database on every request).
AUTH_USER_CACHE_SECONDS = env.int("AUTH_USER_CACHE_SECONDS", default=300)

API_TOKEN_TTL = timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=30))
API_TOKEN_RATE = env.str("API_TOKEN_RATE", default="20/m")

# --- Email -------------------------------------------------------------------------------
# EMAIL_URL sets EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD
# and EMAIL_USE_TLS/SSL in one value, e.g. smtp+tls://user:pass@mail.example.org:587
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="FIA Academy <noreply@fia-academy.local>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ur", _("Urdu"))]
LOCALE_PATHS = [BASE_DIR / "lms" / "locale"]
TIME_ZONE = "Asia/Karachi"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("UPLOAD_MAX_MEMORY_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# --- SCORM packages ----------------------------------------------------------------------
# Caps applied to every uploaded SCORM zip (courses.scorm.package.PackageLimits).
SCORM_MAX_BYTES = env.int("SCORM_MAX_BYTES", default=500 * 1024 * 1024)  # upload and expanded
SCORM_MAX_MEMBERS = env.int("SCORM_MAX_MEMBERS", default=10_000)
SCORM_MAX_RATIO = env.float("SCORM_MAX_RATIO", default=100.0)
SCORM_COMMIT_MAX_BYTES = env.int("SCORM_COMMIT_MAX_BYTES", default=1024 * 1024)
SCORM_COMMIT_INTERVAL_SECONDS = env.int("SCORM_COMMIT_INTERVAL_SECONDS", default=30)
# Package files (scripts written by others) from a second origin that never sees the
# platform's cookies, e.g. "https://scorm.academy.example" (courses/scorm/content.py); empty:
# the platform's own origin. Its addresses carry a signed token valid this long.
SCORM_CONTENT_ORIGIN = env.str("SCORM_CONTENT_ORIGIN", default="").rstrip("/")
SCORM_CONTENT_TOKEN_SECONDS = env.int("SCORM_CONTENT_TOKEN_SECONDS", default=8 * 3600)
# The key a launch gives the runtime frame, to send its last commit itself as the tab
# closes (courses/scorm/commit_keys.py), is valid this long.
SCORM_COMMIT_KEY_SECONDS = env.int("SCORM_COMMIT_KEY_SECONDS", default=8 * 3600)

# --- Page caching ------------------------------------------------------------------------
# Published course pages, routes and outlines are cached this long (0 turns it off); any
# publish retires them at once (courses/cache.py). Anonymous catalogue and course pages are
# served whole from the cache.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
CATALOGUE_PATH = "/courses/"

# --- Courses -----------------------------------------------------------------------------
# Similarity score (0-1) from which an existing course is shown as a possible duplicate.
COURSE_SIMILARITY_THRESHOLD = env.float("COURSE_SIMILARITY_THRESHOLD", default=0.3)
CURRICULUM_MAX_BYTES = env.int("CURRICULUM_MAX_BYTES", default=2 * 1024 * 1024)

# --- Trainers and certificates -----------------------------------------------------------
# An active certification counts as "expiring" this many days before its expiry date, and
# the expiry reminder goes out then.
CERTIFICATION_EXPIRING_DAYS = env.int("CERTIFICATION_EXPIRING_DAYS", default=90)
# Languages a trainer can be registered for (ISO 639-1 codes).
TRAINER_LANGUAGES = [
    ("ur", "Urdu"), ("en", "English"), ("ar", "Arabic"), ("fa", "Dari/Persian"),
    ("ps", "Pashto"), ("ku", "Kurdish"), ("tr", "Turkish"), ("pa", "Punjabi"),
    ("sd", "Sindhi"), ("bal", "Balochi"), ("fr", "French"), ("ru", "Russian"),
]  # fmt: skip
TRAINER_IMPORT_MAX_BYTES = env.int("TRAINER_IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
# Public certificate verification: lookups per client address per minute.
CERTIFICATE_VERIFY_RATE = env.str("CERTIFICATE_VERIFY_RATE", default="30/m")

# --- Scheduling --------------------------------------------------------------------------
# Trainings of the same or a similar course or thematic area for overlapping audiences
# are flagged when their dates lie closer than this.
TRAINING_DUPLICATE_WINDOW_DAYS = env.int("TRAINING_DUPLICATE_WINDOW_DAYS", default=30)
TRAINING_MAX_CAPACITY = env.int("TRAINING_MAX_CAPACITY", default=500)
TRAINING_MAX_SESSIONS = env.int("TRAINING_MAX_SESSIONS", default=60)
# Officers named in one nomination request (page or API).
NOMINATION_BATCH_MAX = env.int("NOMINATION_BATCH_MAX", default=200)
# iCalendar feeds leave out trainings that ended longer ago than this.
CALENDAR_FEED_PAST_DAYS = env.int("CALENDAR_FEED_PAST_DAYS", default=180)
# Most missed events the coordination board replays in one answer to a reconnecting client.
COORDINATION_RESUME_MAX = env.int("COORDINATION_RESUME_MAX", default=200)
# What one client may send the board (scheduling/PROTOCOL.md): the largest message (close
# 4413 above) and, per user, a bucket of COORDINATION_RATE_BURST messages refilled at
# COORDINATION_RATE_PER_SECOND (close 4429 past it). The board only takes ping and resume.
COORDINATION_MAX_MESSAGE_BYTES = env.int("COORDINATION_MAX_MESSAGE_BYTES", default=4096)
COORDINATION_RATE_BURST = env.int("COORDINATION_RATE_BURST", default=60)
COORDINATION_RATE_PER_SECOND = env.float("COORDINATION_RATE_PER_SECOND", default=5.0)

# --- Live sessions (live/PROTOCOL.md) ---------------------------------------------------
# Largest WebSocket message a client may send (a WebRTC offer is a few kilobytes).
LIVE_MAX_MESSAGE_BYTES = env.int("LIVE_MAX_MESSAGE_BYTES", default=16 * 1024)
# Per user and session: a bucket of LIVE_RATE_BURST messages refilled at LIVE_RATE_PER_SECOND.
LIVE_RATE_BURST = env.int("LIVE_RATE_BURST", default=60)
LIVE_RATE_PER_SECOND = env.float("LIVE_RATE_PER_SECOND", default=5.0)
LIVE_MAX_CONNECTIONS_PER_USER = env.int("LIVE_MAX_CONNECTIONS_PER_USER", default=3)
LIVE_CHAT_MAX_CHARS = env.int("LIVE_CHAT_MAX_CHARS", default=1000)
LIVE_CHAT_HISTORY = env.int("LIVE_CHAT_HISTORY", default=100)
LIVE_POLL_MAX_OPTIONS = env.int("LIVE_POLL_MAX_OPTIONS", default=10)
# Most missed events replayed in one answer to `resume`; beyond it the client reloads state.
LIVE_REPLAY_MAX = env.int("LIVE_REPLAY_MAX", default=1000)
# A connection not heard from (pings every 25 s) for this long no longer counts as present.
LIVE_STALE_SECONDS = env.int("LIVE_STALE_SECONDS", default=120)
# A server process with classroom connections writes its heartbeat in the cache this often;
# one silent for three beats is dead and its connections stop counting (live/processes.py).
LIVE_PROCESS_HEARTBEAT_SECONDS = env.int("LIVE_PROCESS_HEARTBEAT_SECONDS", default=10)
# Share of a session's length a participant must be present to have attended it.
LIVE_ATTENDANCE_SHARE = env.float("LIVE_ATTENDANCE_SHARE", default=0.8)
# Built-in WebRTC video (a full mesh) is for small groups; larger classes use a video room.
LIVE_WEBRTC_MAX_PEERS = env.int("LIVE_WEBRTC_MAX_PEERS", default=6)
LIVE_ICE_SERVERS = env.json(
    "LIVE_ICE_SERVERS", default=[{"urls": ["stun:stun.l.google.com:19302"]}]
)
# BigBlueButton: the API address (…/bigbluebutton/api/) and shared secret (`bbb-conf --secret`).
BBB_URL = env.str("BBB_URL", default="")
BBB_SECRET = env.str("BBB_SECRET", default="")
BBB_CHECKSUM = env.str("BBB_CHECKSUM", default="sha256")  # sha1 for servers before 2.3

# --- Wagtail -----------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "FIA Academy"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Documents are always streamed by the application, which checks who may read them
# (courses/documents.py); never a direct link to the file in MEDIA_ROOT.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
# No Gravatar: avatars would leak staff email hashes to a third party (and break the CSP).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_PASSWORD_RESET_ENABLED = False  # the site's own reset pages serve everyone

# --- Two-factor sign-in (optional, staff roles) -------------------------------------------
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="FIA Academy")
# Seconds a password-checked sign-in waits for its two-factor code before starting over.
TWO_FACTOR_PENDING_SECONDS = env.int("TWO_FACTOR_PENDING_SECONDS", default=300)

# --- Security ----------------------------------------------------------------------------
# Every signed-in request reads its session: from the cache (Redis in production), and from
# the database only when the cache does not have it; a session is written to both.
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends.cached_db")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # pages read it for htmx and fetch requests
X_FRAME_OPTIONS = "DENY"  # views that must be framed (SCORM content) opt in one by one
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Content Security Policy (django-csp; lms/csp.py). Frames: video sites that lessons
# embed and the external video rooms of live sessions; add hosts with CSP_FRAME_SOURCES.
CSP_FRAME_SOURCES = env.list(
    "CSP_FRAME_SOURCES",
    default=[
        "https://www.youtube.com",
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
        "https://meet.jit.si",
    ],
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],  # includes the site's own ws:/wss: (CSP level 3)
        "frame-src": ["'self'", *CSP_FRAME_SOURCES],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
CSP_ADMIN_PREFIXES = ("/cms/", "/django-admin/")
CSP_ADMIN_REPLACE = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "frame-ancestors": ["'self'"],  # Wagtail's preview panel frames the admin's own pages
    "img-src": ["'self'", "data:", "blob:", "https:"],  # embed thumbnails in the editor
}

# --- Logging -----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},  # one line per step of every PDF
    },
}

# --- Demo --------------------------------------------------------------------------------
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="fia-demo-2026")
