"""Settings shared by every environment. Everything that differs comes from the environment.

The embedded default (no variables set) is SQLite plus kombu's filesystem broker, so the
portal and its scheduled jobs run on a bare machine. Production sets DATABASE_URL,
CELERY_BROKER_URL and CACHE_URL (see README, "Configuration").
"""

import importlib.util
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The apps of the portal, in dependency order: center <- organizations <- the four leaves.
LOCAL_APPS = ["center", "organizations", "incubation", "ventures", "hotline", "consultations"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "center.third_party.AxesConfig",  # django-axes, with a translated name
    "simple_history",
    *LOCAL_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "center.middleware.RequestLogMiddleware",
    "center.caching.VersionMemoMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # axes must be last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "center.urls"
# Sessions are read from the shared cache (Redis in production) and written through to the
# database: a logged-in page does not query the session table.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
WSGI_APPLICATION = "center.wsgi.application"
AUTH_USER_MODEL = "center.User"

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
                "center.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The demo runs a Celery worker beside the web server on the same file.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The embedded default is a file cache under var/: shared by the web server and the worker of
# `make run` (rate limits, lockouts, import progress), unlike a per-process memory cache.
# Production needs a cache shared across machines (production.py refuses anything else).
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "center.cache_backend.RedisCache"  # one client per pool

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "center:dashboard"
LOGOUT_REDIRECT_URL = "center:home"

# Repeated failed logins lock the account (by username) for a while.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_RESET_ON_SUCCESS = True
# We lock the account (the username) as the center asked; axes.W006 warns about locking by
# something other than the IP, which is the point here (staff share one office NAT address).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# One way of writing dates and times per language (center/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["center.formats"]
# Hotline request form: a map tile URL template ({z}/{x}/{y}); empty = no map, coordinates
# come from the browser's location button only.
HOTLINE_MAP_TILE_URL = env.str("HOTLINE_MAP_TILE_URL", default="")

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploads are private: never served from MEDIA_URL (no URL pattern serves it), only through
# views that check rights (center.files). In production the web server sends the bytes for
# those views: PRIVATE_FILES_ACCEL_PREFIX (nginx X-Accel-Redirect) or PRIVATE_FILES_SENDFILE.
MEDIA_URL = "/media/"
PRIVATE_FILES_ACCEL_PREFIX = env.str("PRIVATE_FILES_ACCEL_PREFIX", default="")
PRIVATE_FILES_SENDFILE = env.bool("PRIVATE_FILES_SENDFILE", default=False)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="海曙区社会组织服务中心 <noreply@haishu-shzz.example.cn>"
)

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # tokens expire (API_TOKEN_TTL_DAYS) and stop working while the account is locked.
        # Listed first, so a request without credentials or with a wrong token is answered 401
        # with `WWW-Authenticate: Token` (a session-first list would answer 403 to both).
        "center.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "center.api.pagination.PortalPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "center.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "center.api.exceptions.portal_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/min"),
        "user": env.str("API_THROTTLE_USER", default="600/min"),
    },
}
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
SPECTACULAR_SETTINGS = {
    "TITLE": "Haishu Social Organization Service Portal API",
    "DESCRIPTION": "REST API of the Haishu District Social Organization Service Center portal. "
    "/api/v1/ is stable: within it only additions (operations, optional inputs, response fields, "
    "error codes) are made. Every error has the body of the Error component.",
    "VERSION": "1.1.0",  # MAJOR is the /api/v1/ of the paths (README, section API)
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Operation ids and tags without the version prefix: /api/v1/organizations/ -> organizations_list.
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # The documented request format is JSON (form posts are accepted too, undocumented).
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    # One error component on every operation (center.api.schema.PortalAutoSchema) and links
    # from lists and creates to the operations on their items.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "center.api.schema.add_links"],
}

# --- Celery -----------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    for sub in ("out", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Each app declares its periodic jobs in `<app>/schedule.py` (BEAT_SCHEDULE, plain data, no
# model imports); they are merged here so adding an app never edits this file.
CELERY_BEAT_SCHEDULE = {}
for _app in LOCAL_APPS:
    if importlib.util.find_spec(f"{_app}.schedule") is not None:
        CELERY_BEAT_SCHEDULE.update(importlib.import_module(f"{_app}.schedule").BEAT_SCHEDULE)

# --- Logging: one JSON object per line, so log shippers need no parsing rules -----------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"level": "WARNING", "propagate": True},
    },
}

PORTAL_NAME = _("Haishu District Social Organization Service Center")
# Bench harness: count SQL queries per request in a response header (never in production).
BENCH_QUERY_HEADER = env.bool("BENCH_QUERY_HEADER", default=False)
