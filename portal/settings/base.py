"""Settings shared by every profile, read from the environment (see .env.example)."""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789"
)
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# The hub is the base domain itself; partner `acme` is `acme.<base domain>`.
BASE_DOMAIN = env("DMN_BASE_DOMAIN", default="localhost")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[BASE_DOMAIN, f".{BASE_DOMAIN}"])

# --- Database: schemas are the isolation between partners -------------------
# Without DATABASE_URL the embedded server that bin/run starts under var/ is used.
EMBEDDED_PG_SOCKET_DIR = VAR_DIR / "postgres" / "run"
DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=f"postgres://postgres@/dmn_portal?host={EMBEDDED_PG_SOCKET_DIR}",
    )
}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# Send SET search_path only when the schema changes, not before every query
# (bench/: 12 -> 8 statements on a partner home page).
TENANT_LIMIT_SET_CALLS = True

# --- Apps: the hub (public schema) and every partner schema -----------------
SHARED_APPS = [
    "django_tenants",
    "portal",
    "tenants",
    "orders.hub",
    "quality.hub",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Guardian lives on both sides: its tables stay next to the objects they
    # protect, because object ids repeat from one partner schema to the next.
    "guardian",
    "axes",
    "django_tables2",
    "django_filters",
    "django_countries",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "integrations",
]
TENANT_APPS = [
    # Sessions live in each partner schema too: a session made on one
    # partner host does not exist on another.
    "django.contrib.sessions",
    "guardian",
    "tenants.partner",
    "orders.partner",
    "quality.partner",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Partner"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "portal.urls_hub"
ROOT_URLCONF = "portal.urls_partner"
# Provisioning: "clone" copies the migrated template schema (measured faster,
# see bench/), "migrate" replays every migration into the new schema.
DMN_PROVISIONING = env("DMN_PROVISIONING", default="clone")
DMN_TEMPLATE_SCHEMA = "_partner_template"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_ANONYMOUS_USER_NAME = None  # no guardian anonymous user in auth tables
GUARDIAN_RAISE_403 = False

MIDDLEWARE = [
    # First, so that every response carries the policy, even an unknown host's 404.
    "csp.middleware.CSPMiddleware",
    "portal.middleware.TenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.UserTimezoneMiddleware",
    "axes.middleware.AxesMiddleware",
    "portal.middleware.NulCharacterMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    }
]

WSGI_APPLICATION = "portal.wsgi.application"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"

# Session cookies stay host-only (no SESSION_COOKIE_DOMAIN): a sign-in never spans partners.
SESSION_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Lockout (django-axes) ---------------------------------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- API keys: refused attempts per key prefix and client address -------------
# After this many refusals within the window (seconds), that prefix from that
# address answers 429 until the window ends (integrations/api/authentication.py).
DMN_API_KEY_FAILURE_LIMIT = env.int("DMN_API_KEY_FAILURE_LIMIT", default=10)
DMN_API_KEY_FAILURE_WINDOW = env.int("DMN_API_KEY_FAILURE_WINDOW", default=600)

# --- Internationalisation: text translated, times stored in UTC --------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = env.path("DMN_MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "media/"  # never served directly: downloads go through permission-checking views
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DMN_UPLOAD_MAX_BYTES = env.int("DMN_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)

# PDFs (portal/pdf.py): seconds before a rendering is killed; longest data: URL
# (in characters) a PDF may embed. Anything else it may load is a static file.
DMN_PDF_TIME_LIMIT = env.float("DMN_PDF_TIME_LIMIT", default=30.0)
DMN_PDF_DATA_URL_MAX_BYTES = env.int("DMN_PDF_DATA_URL_MAX_BYTES", default=256 * 1024)

# Planning: export-controlled orders go only to plants in these countries (ISO codes)
# holding an ITAR registration; CP-SAT search workers per solve.
DMN_EXPORT_ALLOWED_COUNTRIES = env.list("DMN_EXPORT_ALLOWED_COUNTRIES", default=["US"])
DMN_PLANNING_WORKERS = env.int("DMN_PLANNING_WORKERS", default=2)
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Cache: keys carry the tenant's schema ----------------------------------
_redis_url = env("REDIS_URL", default="")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache"
        if _redis_url
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": _redis_url or "dmn-portal",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

# --- Celery: tasks carry the schema of the caller (tenant-schemas-celery) ----
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=_redis_url or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=_redis_url or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Task modules that autodiscovery (`<installed app>.tasks`) does not find: the
# tasks of a sub-package of an app.
CELERY_IMPORTS = ["orders.hub.plans.tasks", "quality.partner.documents.tasks"]

# --- E-mail: printed to the console unless configured -----------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="DMN Portal <no-reply@dmn.localhost>")
# Links in e-mails (invitations, password resets) use this scheme and port.
DMN_PUBLIC_SCHEME = env("DMN_PUBLIC_SCHEME", default="http")
DMN_PUBLIC_PORT = env("DMN_PUBLIC_PORT", default="8000")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.MemberOrApiKey"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "portal.api.problems.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "portal.api.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DMN Portal API",
    "DESCRIPTION": "Hub endpoints at the base domain; partner endpoints on each partner's "
    "host, authenticated by session or by `Authorization: Api-Key <prefix>.<secret>`. "
    "Errors are RFC 7807 problem JSON. Writes accept an `Idempotency-Key` header.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"RejectReasonEnum": "orders.partner.models.WorkOrder.RejectReason"},
}

DJANGO_TABLES2_TEMPLATE = "portal/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table"}

X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: the pages load
# scripts, styles, images and fonts from this host only, and nothing inline
# runs: no <script> without src, no on*= handlers, no style attributes.
# Views that need more say so themselves (the API docs, the browsable API).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
