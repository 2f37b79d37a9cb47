"""Xiaoneng settings: one module, configured from environment variables (twelve-factor).

Production defaults are the safe ones: DEBUG is off unless XIAONENG_DEBUG=1, cookies are secure when
XIAONENG_HTTPS=1, the secret comes from SECRET_KEY or a generated file in the data directory.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()


def _default_data_dir() -> Path:
    # A checkout keeps its data beside the code (var/, git-ignored); an installed package uses the home dir.
    if (BASE_DIR / "pyproject.toml").exists():
        return BASE_DIR / "var"
    return Path.home() / ".local" / "share" / "xiaoneng"


DATA_DIR = Path(env("XIAONENG_DATA_DIR", default=str(_default_data_dir()))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if env("SECRET_KEY", default=""):
        return env("SECRET_KEY")
    # The demo and single-machine installs get a random secret generated once and kept in the data dir,
    # so no secret is ever committed and sessions survive restarts.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("XIAONENG_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

HTTPS = env.bool("XIAONENG_HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env.bool("XIAONENG_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
if env.bool("XIAONENG_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("XIAONENG_SESSION_SECONDS", default=8 * 3600)  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # idle sessions expire; active ones slide
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy (Django's own middleware): only our vendored scripts and styles run.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",  # /sitemap.xml (portal/sitemaps.py): its template lives in this app
    "axes",
    "xiaoneng.core",
    "xiaoneng.accounts",
    "xiaoneng.workdays",
    "xiaoneng.catalog",
    # In the order of the one-way chain (docs/architecture.md): each app's ready() runs after those it builds
    # on, so supervision finds every clock owner registered (core/clocks.py).
    "xiaoneng.cases",
    "xiaoneng.complaints",
    "xiaoneng.ratings",
    "xiaoneng.surveys",
    "xiaoneng.inspections",
    "xiaoneng.supervision",
    "xiaoneng.evaluation",  # reads every app above (docs/architecture.md)
    "xiaoneng.disclosure",  # 政务公开: feeds evaluation's disclosure indicator by registration in its ready()
    "xiaoneng.portal",  # the public portal: the very top, reads everything
    "xiaoneng.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost of ours: every answer below it, refusals included, gets its Cache-Control.
    "xiaoneng.core.middleware.PrivateAnswersMiddleware",
    "xiaoneng.core.middleware.RequestBodyLimitMiddleware",
    "xiaoneng.core.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # AxesMiddleware last: it turns a locked-out login into a readable page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xiaoneng.core.context_processors.shell",
            ],
        },
    }
]

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'xiaoneng.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("XIAONENG_CONN_MAX_AGE", default=60))
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.Staff"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "xiaoneng.accounts.validators.CharacterClassValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Login lockout (django-axes, accounts/lockout.py): a user name is locked after 5 failures from any addresses,
# an address after 20 failures for any user names (an office shares one address behind the government
# network's NAT); both for 30 minutes, or until an administrator unlocks the account.
AXES_FAILURE_LIMIT = env.int("XIAONENG_LOGIN_FAILURE_LIMIT", default=5)
XIAONENG_LOGIN_IP_FAILURE_LIMIT = env.int("XIAONENG_LOGIN_IP_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.float("XIAONENG_LOGIN_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own, in this order (LockoutHandler)
AXES_HANDLER = "xiaoneng.accounts.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "xiaoneng.core.request.client_ip"  # the real client behind our own proxy
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "xiaoneng" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on a missing root even when serving from finders
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# "default" is Django's own default, said out loud; "pdf" keeps rendered public PDFs (evaluation.pdf.memoised) per
# worker process, at most 64 of them (a few hundred KB each).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pdf": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "xiaoneng-pdf",
            "OPTIONS": {"MAX_ENTRIES": 64}},
}
# Serve straight from the app folders: no collectstatic step for the demo; production may run it anyway.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Request bodies (core.middleware.RequestBodyLimitMiddleware): a larger one is answered 413 (JSON under /api
# and /open311, a page elsewhere) before anything reads it. The default fits every form and JSON request; the
# paths that take files or bulk batches have their own caps, first match wins.
MB = 1024 * 1024
# Complaint evidence: complaints/conf.py's MAX_FILES x MAX_FILE_MB (5 x 10 MB); raise both together.
_COMPLAINT_EVIDENCE = 5 * 10 * MB
XIAONENG_MAX_BODY_BYTES = env.int("XIAONENG_MAX_BODY_BYTES", default=2 * MB)
XIAONENG_BODY_LIMITS = [
    # One batch of up to 10,000 case events (cases.ingest.MAX_BATCH): a full event is about 0.5-1 KB of JSON;
    # 32 MB leaves 3 KB a event on average.
    (r"/api/v1/case-events$", env.int("XIAONENG_MAX_EVENTS_BODY_BYTES", default=32 * MB)),
    # Complaint evidence: the files themselves, base64 in JSON (4/3 larger) or multipart, plus the text.
    (r"/api/v1/complaints$", _COMPLAINT_EVIDENCE * 4 // 3 + 2 * MB),
    (r"/(staff/)?complaints/new/$", _COMPLAINT_EVIDENCE + 2 * MB),
    (r"/staff/complaints/[^/]+/do/", _COMPLAINT_EVIDENCE + 2 * MB),
    # A card's appeal with its attachment.
    (r"/staff/supervision/warnings/\d+/", env.int("XIAONENG_APPEAL_MAX_BYTES", default=10 * MB) + 2 * MB),
    # A service item's form with its blank forms and samples (10 MB each), and the catalogue import.
    (r"/staff/catalog/", 64 * MB),
    # A disclosure entry's attachment (20 MB, disclosure/services/entries.py) with its text and table.
    (r"/staff/disclosure/entries/", 22 * MB),
]
# Django's own cap on a body read into memory stays above ours, so it never refuses first with a bare 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(XIAONENG_MAX_BODY_BYTES, *(limit for _, limit in XIAONENG_BODY_LIMITS))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * MB

# Django 6.1's MAILERS. Without configuration, mail is written to files under the data dir (nothing lost,
# nothing printed); production sets XIAONENG_SMTP_HOST (and port, user, password, TLS) to send for real.
if env("XIAONENG_SMTP_HOST", default=""):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("XIAONENG_SMTP_HOST"),
                "port": env.int("XIAONENG_SMTP_PORT", default=25),
                "username": env("XIAONENG_SMTP_USER", default=""),
                "password": env("XIAONENG_SMTP_PASSWORD", default=""),
                "use_tls": env.bool("XIAONENG_SMTP_TLS", default=False),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "outbox" / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="xiaoneng@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("XIAONENG_LOG_LEVEL", default="WARNING")},
}

# Case events: fields a department system sends beyond the declared ones are archived in the event's payload up
# to this many bytes of JSON (per event); a larger event is refused on its own, the rest of the batch applied.
XIAONENG_EVENT_EXTRA_MAX_BYTES = env.int("XIAONENG_EVENT_EXTRA_MAX_BYTES", default=4096)

# A fresh `xiaoneng migrate` loads the working-day calendar from the holidays package when no year is stored at
# all (workdays/apps.py): every year it has a State Council notice for, then provisional years through next year.
# 0 to start with an empty calendar (e.g. to import the county's own schedule first).
XIAONENG_SEED_CALENDAR_ON_MIGRATE = env.bool("XIAONENG_SEED_CALENDAR_ON_MIGRATE", default=True)

# The largest working-day span the public calculator accepts: beyond it a client has made a mistake.
XIAONENG_MAX_WORKDAYS = 3650

# Electronic supervision: SMS gateway (dotted path to a class with send(phone, text)); console by default.
XIAONENG_SMS_BACKEND = env("XIAONENG_SMS_BACKEND", default="xiaoneng.core.sms.ConsoleBackend")
XIAONENG_APPEAL_MAX_BYTES = env.int("XIAONENG_APPEAL_MAX_BYTES", default=10 * 1024 * 1024)

# The government the platform serves: its name prints on notices (e.g. "清源县"), and its level names the
# public mailbox (县长信箱 / 区长信箱 / 市长信箱, xiaoneng/core/government.py). The level is "county",
# "district" or "city"; left empty it is read from the name's last character (县, 区, 市), else county.
XIAONENG_COUNTY_NAME = env("XIAONENG_COUNTY_NAME", default="")
# A government website's identity in the public footer (政府网站发展指引), each shown only when set: the sponsor
# (default: the county's government), 网站标识码, ICP备案号 and 公安备案号 as the deployment was assigned them.
XIAONENG_SITE_SPONSOR = env("XIAONENG_SITE_SPONSOR", default="")
XIAONENG_SITE_CODE = env("XIAONENG_SITE_CODE", default="")
XIAONENG_ICP_NUMBER = env("XIAONENG_ICP_NUMBER", default="")
XIAONENG_POLICE_RECORD = env("XIAONENG_POLICE_RECORD", default="")
XIAONENG_GOVERNMENT_LEVEL = env("XIAONENG_GOVERNMENT_LEVEL", default="")
if XIAONENG_GOVERNMENT_LEVEL not in ("", "county", "district", "city"):
    raise ImproperlyConfigured("XIAONENG_GOVERNMENT_LEVEL 应为 county、district 或 city（县、区、市）。")

# The platform's public address, for links sent to citizens by SMS and e-mail (tracking, follow-up).
XIAONENG_PUBLIC_URL = env("XIAONENG_PUBLIC_URL", default="http://127.0.0.1:8000")

# The complaint centre (xiaoneng/complaints/conf.py has every default): submissions per IP address and per
# contact (anonymous channels), per department-system token (API, Open311) and per staff account, e.g. "5/h"
# or "20/10m"; counted in the database table complaints.RateCounter (exact across processes).
XIAONENG_COMPLAINTS = {
    "RATE_PER_IP": env("XIAONENG_COMPLAINT_RATE_PER_IP", default="5/h"),
    "RATE_PER_CONTACT": env("XIAONENG_COMPLAINT_RATE_PER_CONTACT", default="5/h"),
    "RATE_PER_TOKEN": env("XIAONENG_COMPLAINT_RATE_PER_TOKEN", default="2000/h"),
    "RATE_PER_STAFF": env("XIAONENG_COMPLAINT_RATE_PER_STAFF", default="200/h"),
}
