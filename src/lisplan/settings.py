"""All configuration, read from the environment with safe local defaults."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("LISPLAN_VAR_DIR", PROJECT_DIR / "var"))


def envbool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("LISPLAN_DEBUG", False)
SECRET_KEY = os.environ.get("LISPLAN_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not envbool("LISPLAN_INSECURE_DEFAULT_KEY", False):
        # Refusing to start is safer than running production on a known key.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "LISPLAN_SECRET_KEY must be set when LISPLAN_DEBUG is off "
            "(set LISPLAN_DEBUG=1 for local use)."
        )
    SECRET_KEY = "insecure-local-development-key-change-me-" + "x" * 20
ALLOWED_HOSTS = envlist("LISPLAN_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("LISPLAN_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "lisplan.ui",
    "lisplan.audit",
    "lisplan.accounts",
    "lisplan.organisations",
    "lisplan.catalogue",
    "lisplan.trainees",
    "lisplan.notifications",
    "lisplan.plans",
    "lisplan.iup",
    "lisplan.progress",
    "lisplan.rotations",
    "lisplan.allocation",
    "lisplan.dimensioning",
    "lisplan.programmes",
    "lisplan.insights",
    "lisplan.confirmations",
    "lisplan.demo",
    "lisplan.operations",
    "lisplan.documents",
    "lisplan.administration",
    "lisplan.workflows",  # cross-app workflows, above the apps (lisplan.events)
]

MIDDLEWARE = [
    "lisplan.audit.middleware.RequestIdMiddleware",  # first: every log line gets the request id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lisplan.accounts.security.SessionSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lisplan.audit.reads.ReadAccessMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lisplan.urls"
WSGI_APPLICATION = "lisplan.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # django-axes first: refuses a locked-out account or address before the password check.
    "lisplan.accounts.security.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# OpenID Connect sign-in (HelseID, Entra ID per tenant): LISPLAN_OIDC_PROVIDERS and
# LISPLAN_OIDC_<KEY>_* (README, decision 0008). With a provider set up, local passwords are
# for demo users and break-glass accounts only (LISPLAN_PASSWORD_LOGIN=all|restricted).
from lisplan.accounts.oidc_config import providers_from_env  # noqa: E402

LISPLAN_OIDC_PROVIDERS = providers_from_env()
LISPLAN_PASSWORD_LOGIN = os.environ.get("LISPLAN_PASSWORD_LOGIN", "")

# Lockout after repeated failed password logins, per account and per address (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("LISPLAN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("LISPLAN_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Behind N reverse proxies (nginx, a load balancer) the client's address is read from
# X-Forwarded-For; 0 (default) trusts only REMOTE_ADDR.
LISPLAN_TRUSTED_PROXIES = int(os.environ.get("LISPLAN_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "lisplan.jsonlog.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "lisplan.accounts.security.lockout_response"
AXES_VERBOSE = False  # lisplan.security logs the events as JSON
AXES_DISABLE_ACCESS_LOG = True  # successful logins: lisplan.security log and LoginSession

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lisplan.accounts.context_processors.navigation",
                "lisplan.notifications.context_processors.unread",
            ],
        },
    },
]

# Django's form templates with Designsystemet's checkboxes and radios (lisplan/ui/forms.py).
FORM_RENDERER = "lisplan.ui.forms.FormRenderer"

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'lisplan.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # PostgreSQL's JIT compiler starts on the region-wide counts (their estimated cost is high)
    # and spends longer compiling than the query runs (0.4–0.7 s on /innsikt/); pages are
    # short queries, so it is off for every connection (docs/performance.md). Django reads
    # `.iterator()` and every model <select>'s options through a server-side cursor, which
    # PostgreSQL plans for the first 10 % of the rows (`cursor_tuple_fraction`): a specialty
    # filter (an EXISTS over the user's trainees) took 30 ms that way against 3 ms planned for
    # all of its rows, which is what the page reads.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c jit=off -c cursor_tuple_fraction=1"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norsk bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["lisplan.formats"]

# Uploaded files (signed agreements) are private: kept under var/, never served as static files.
MEDIA_ROOT = Path(os.environ.get("LISPLAN_MEDIA_ROOT", VAR_DIR / "media"))
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("LISPLAN_STATIC_ROOT", PROJECT_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "lisplan.operations.static_storage.StaticFilesStorage"},
}
# Static files are served by the app (WhiteNoise). `scripts/serve` collects them into
# STATIC_ROOT first and turns the finders off (LISPLAN_STATIC_FINDERS=0).
WHITENOISE_USE_FINDERS = envbool("LISPLAN_STATIC_FINDERS", True)
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = os.environ.get(
    "LISPLAN_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("LISPLAN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("LISPLAN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("LISPLAN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("LISPLAN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("LISPLAN_EMAIL_USE_TLS", False)
# Links in e-mails and the OpenID Connect redirect address. Unset: the address the request
# came in on (e-mails sent by the worker fall back to http://127.0.0.1:$PORT).
LISPLAN_BASE_URL_SET = bool(os.environ.get("LISPLAN_BASE_URL"))
LISPLAN_BASE_URL = os.environ.get(
    "LISPLAN_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
).rstrip("/")
# Privacy notice, accessibility statement and the footer's feedback link.
LISPLAN_CONTACT_EMAIL = os.environ.get("LISPLAN_CONTACT_EMAIL", "brukerstotte@lisplan.invalid")
LISPLAN_FEEDBACK_URL = os.environ.get("LISPLAN_FEEDBACK_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("LISPLAN_EMAIL_FROM", "lisplan <noreply@lisplan.invalid>")

# Secure defaults whenever DEBUG is off (`lisplan check --deploy` is clean). LISPLAN_HTTPS=0
# serves the production settings over plain HTTP (a load test on one machine, a container
# behind a proxy that does not pass X-Forwarded-Proto): no redirect, no secure-only cookies.
HTTPS = envbool("LISPLAN_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = envbool("LISPLAN_SSL_REDIRECT", HTTPS)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("LISPLAN_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10  # absolute limit; the idle limit (30 min) is server side
# Server-side limits (lisplan.accounts.security.SessionSecurityMiddleware).
LISPLAN_SESSION_IDLE_SECONDS = 30 * 60
LISPLAN_SESSION_ABSOLUTE_SECONDS = 10 * 60 * 60
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and styles only from our own static files —
# no inline script, no eval (htmx runs with allowEval off; behaviours are in lisplan/app.js).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# One JSON object per line on standard error; security events (logins, failures, lockouts,
# role changes, 403s) go to the `lisplan.security` logger at INFO whatever the level.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "lisplan.jsonlog.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LISPLAN_LOG_LEVEL", "WARNING")},
    "loggers": {
        "lisplan.security": {
            "handlers": ["console"],
            "level": os.environ.get("LISPLAN_SECURITY_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}

PAGE_SIZE = 50
NINJA_PAGINATION_PER_PAGE = 50

# Background work (reminders, imports, allocation runs): django-tasks with the database backend.
# A worker runs them: `lisplan db_worker` (scripts/start starts one beside the web server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
