"""Settings for the gazette portal: one file, every machine-specific value from the environment.

Environment variables:
    DJANGO_SECRET_KEY      required unless DJANGO_DEBUG is on
    DJANGO_DEBUG           1/true/yes for development
    DJANGO_ALLOWED_HOSTS   comma-separated host names
    DATABASE_URL           postgres://user@host:port/name; SQLite under var/ when unset
    REDIS_URL              redis://host:port/db for a shared cache; local memory when unset
    DJANGO_SECURE          1 to turn on HTTPS-only cookies, HSTS and the SSL redirect
    PORTAL_UPLOAD_MAX_MB   size limit of an uploaded gazette file (default 50)
    PORTAL_API_RATE        API requests per anonymous client, e.g. 600/min (the default)
    PORTAL_API_PROXIES     trusted proxies in front of the API, for the client's address (default 0)
    PORTAL_PG_PREPARE      0 to send PostgreSQL no prepared statements (a transaction pooler)
    DATABASE_REPLICA_URL   comma-separated PostgreSQL read replicas of DATABASE_URL (portal.replicas)
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "django_filters",
    "people",
    "records",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        # The public pages (portal.templating); the admin's templates are Django's.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "portal.templating.environment"},
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# PostgreSQL: a statement is prepared once it has run this many times on a connection.
# psycopg's default. Never 0 (prepare at once): a migration's statements of several
# commands cannot be prepared.
PREPARE_AFTER = 5

# SQLite by default (a file under var/, WAL mode); PostgreSQL when DATABASE_URL is set.
SQLITE_PATH = Path(os.environ.get("PORTAL_SQLITE_PATH", BASE_DIR / "var" / "portal.sqlite3"))
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }
    postgresql = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if postgresql and env_bool("PORTAL_PG_PREPARE", True):
        # Parameters bound by the server, and each statement prepared once it has run
        # PREPARE_AFTER times on a connection: PostgreSQL plans it for its values five
        # more times, then keeps one plan where that costs no more. A page's queries
        # join five or six tables and took longer to plan than to run (bench/RESULTS.md).
        # Off for a pooler that hands out transactions: it cannot keep a session's
        # prepared statements.
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=PREPARE_AFTER
        )
    # Read replicas for anonymous readers' pages and API calls (portal/replicas.py).
    PORTAL_READ_REPLICAS = []
    for number, url in enumerate(env_list("DATABASE_REPLICA_URL"), start=1):
        replica = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if replica["ENGINE"] != DATABASES["default"]["ENGINE"]:
            raise ImproperlyConfigured("DATABASE_REPLICA_URL: a replica of DATABASE_URL's kind.")
        replica["OPTIONS"] = {
            **DATABASES["default"].get("OPTIONS", {}),
            **replica.get("OPTIONS", {}),
        }
        # Under test, the replicas stand for the test database, not their own copy of it.
        replica["TEST"] = {"MIRROR": "default"}
        DATABASES[f"replica{number}"] = replica
        PORTAL_READ_REPLICAS.append(f"replica{number}")
else:
    if env_list("DATABASE_REPLICA_URL"):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs DATABASE_URL: replicas of PostgreSQL."
        )
    PORTAL_READ_REPLICAS = []
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

PORTAL_UPLOAD_MAX_BYTES = int(os.environ.get("PORTAL_UPLOAD_MAX_MB", "50")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = PORTAL_UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The public API (/api/): read-only, anonymous, see portal/api.py and records/api/.
REST_FRAMEWORK = {
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "records.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "records.api.common.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["records.api.throttling.ApiAnonRateThrottle"],
    # Client address: REMOTE_ADDR, or the Nth address from the right of
    # X-Forwarded-For behind N trusted proxies.
    "NUM_PROXIES": int(os.environ.get("PORTAL_API_PROXIES", "0")),
    "UNAUTHENTICATED_USER": None,
}

# Production hardening: on unless explicitly in development.
SECURE = env_bool("DJANGO_SECURE", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("DJANGO_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# --- Clerk sign-in: lockout after repeated failures, optional second factor ---
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("PORTAL_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# With PORTAL_REQUIRE_OTP=1 the admin asks every clerk for a TOTP code (django-otp).
PORTAL_REQUIRE_OTP = env_bool("PORTAL_REQUIRE_OTP")
OTP_TOTP_ISSUER = "公报门户"

# --- Public API (/api/): rate limit, CORS for GET, OpenAPI schema and docs ---
# Requests per client address for anonymous use, counted in the default cache
# (shared by every worker when REDIS_URL is set), e.g. "600/min", "20/s", "10000/day".
PORTAL_API_RATE = os.environ.get("PORTAL_API_RATE", "600/min")
INSTALLED_APPS += ["corsheaders", "drf_spectacular", "drf_spectacular_sidecar"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.common.CommonMiddleware"), "corsheaders.middleware.CorsMiddleware")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "Content-Disposition"]
SPECTACULAR_SETTINGS = {
    "TITLE": "公报门户 API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Swagger UI from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "records.api.schema.add_common_responses",
    ],
    "ENUM_NAME_OVERRIDES": {},
}

# --- Security headers (portal/middleware.py, docs/reliability.md) ---
# Content-Security-Policy without 'unsafe-inline' or 'unsafe-eval': every script and
# style sheet comes from our own origin. Pages that carry a fixed inline <style> of a
# third-party template (Swagger UI at /api/docs/) get that block's sha256 added.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "portal.middleware.SecurityHeadersMiddleware",
)
PORTAL_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
PORTAL_CSP_HASH_INLINE_STYLES = ["/api/docs/"]
PORTAL_PERMISSIONS_POLICY = [
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope",
    "magnetometer", "microphone", "payment", "usb",
]  # fmt: skip
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Page cache for anonymous readers (portal/cache.py, bench/RESULTS.md) ---
# Whole GET and HEAD responses of the public pages and /api/, keyed on (data version,
# method, URL, Accept); every load, publish, unpublish and correction bumps the data
# version, so nothing stale is served. Pages live in Redis with REDIS_URL, else in each
# worker's memory (bounded); the data version lives where every process of the site sees
# it: Redis, else a file-based cache under var/. PORTAL_PAGE_CACHE=0 turns the cache off
# (bench/run.py --uncached). Off under the test settings (tests roll the database back,
# not the cache); tests/test_cache.py turns it on.
PORTAL_PAGE_CACHE = env_bool(
    "PORTAL_PAGE_CACHE",
    default=os.environ.get("DJANGO_SETTINGS_MODULE") != "portal.settings_test",
)
PORTAL_PAGE_CACHE_SECONDS = int(os.environ.get("PORTAL_PAGE_CACHE_SECONDS", "3600"))
PORTAL_PAGE_CACHE_MAX_ENTRY = 1024 * 1024  # bytes; larger responses are not kept
PORTAL_PAGE_CACHE_EXCLUDE = ("/admin/", "/report/")
if os.environ.get("REDIS_URL"):
    CACHES["pages"] = {**CACHES["default"], "KEY_PREFIX": "pages"}
    CACHES["data_version"] = {**CACHES["default"], "KEY_PREFIX": "portal"}
else:
    CACHES["pages"] = {
        "BACKEND": "portal.cache.BoundedLocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 2000, "MAX_BYTES": 16 * 1024 * 1024},
    }
    CACHES["data_version"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": BASE_DIR / "var" / "cache" / "data-version",
    }
# Where the page cache sits: a hit skips every middleware inside it. Outside stays what must
# see every request and response: SecurityMiddleware and SecurityHeadersMiddleware (HTTPS
# redirect, HSTS, CSP …), WhiteNoise (static files), and CORS, whose headers depend on the
# request's Origin and so must not be stored with a page: it moves up to just before the
# cache (django-cors-headers asks to be as high as possible anyway). Inside: sessions,
# locale, common, CSRF, auth, OTP, messages, history, X-Frame-Options, axes; the module
# docstring of portal/cache.py says why each may be skipped by a hit.
MIDDLEWARE.remove("corsheaders.middleware.CorsMiddleware")
_after_static = MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1
MIDDLEWARE[_after_static:_after_static] = [
    "corsheaders.middleware.CorsMiddleware",
    "portal.cache.PageCacheMiddleware",
    # Inside the cache: a hit reads no database, so it asks no replica where it is.
    "portal.replicas.ReplicaMiddleware",
]
DATABASE_ROUTERS = ["portal.replicas.ReplicaRouter"] if PORTAL_READ_REPLICAS else []
# SQLite: keep each worker's connection. A new one reads the whole schema (about 260 tables
# and indexes) on its first statement: about 8 ms, more than most pages' queries together.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("PORTAL_SQLITE_CONN_MAX_AGE", "600"))
