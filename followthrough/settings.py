"""Django settings for Followthrough, configured only by FOLLOWTHROUGH_* environment variables.

The embedded default needs no server: SQLite (WAL) and huey's SQLite storage in the data folder, and
email written to files there. Setting FOLLOWTHROUGH_DATABASE_URL / FOLLOWTHROUGH_REDIS_URL /
FOLLOWTHROUGH_EMAIL_URL scales each part out.
"""

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import dj_database_url


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"FOLLOWTHROUGH_{name}", default)


def _env_bool(name: str, default: bool = False) -> bool:
    return _env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def _data_dir() -> Path:
    explicit = _env("DATA_DIR")
    if explicit:
        path = Path(explicit)
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(xdg) / "followthrough"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(data_dir: Path) -> str:
    """An explicit key wins; otherwise one is generated once and kept in the data folder, so that
    sessions and signed links survive restarts without anyone having to invent a key."""
    explicit = _env("SECRET_KEY")
    if explicit:
        return explicit
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = _data_dir()
SECRET_KEY = _secret_key(DATA_DIR)
DEBUG = _env_bool("DEBUG")
BASE_URL = _env("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = [h.strip() for h in _env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [BASE_URL]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "followthrough.accounts",
    "followthrough.people",
    "followthrough.activity",
    "followthrough.events",
    "followthrough.playbooks",
    "followthrough.insight",
    "followthrough.outreach",
    "followthrough.transfer",
    "followthrough.web",
    "followthrough.api",
    "followthrough.commands",
    "followthrough.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "followthrough.urls"
WSGI_APPLICATION = "followthrough.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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


_SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue on
    # the busy timeout instead of one failing with "database is locked" mid-transaction.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA cache_size=-64000;"
        "PRAGMA mmap_size=268435456;"
    ),
}


def _databases() -> dict[str, Any]:
    url = _env("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if config["ENGINE"] == "django.db.backends.sqlite3":
            # A SQLite file named by URL (e.g. a worker process on the test database) locks
            # like the embedded default, or concurrent writers fail with "database is locked".
            config["OPTIONS"] = {**_SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        return {"default": config}
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "followthrough.sqlite3",
            "OPTIONS": _SQLITE_OPTIONS,
            # Tests use a file too, so they run with WAL and IMMEDIATE like production and
            # concurrency tests see real locking (not shared-cache in-memory table locks).
            "TEST": {"NAME": DATA_DIR / "test.sqlite3"},
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:agenda"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise looks here too; files come from the finders
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files are served straight from the package, so a fresh checkout needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"


def _huey() -> dict[str, object]:
    redis_url = _env("REDIS_URL")
    if redis_url:
        return {
            "huey_class": "huey.RedisHuey",
            "name": "followthrough",
            "url": redis_url,
            "immediate": False,
        }
    return {
        "huey_class": "huey.SqliteHuey",
        "name": "followthrough",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        # The events and outbox tables are the truth; the queue only wakes workers, so a
        # message lost in a power cut costs a few minutes (the tick finds the work), not data.
        "fsync": False,
        "immediate": False,
    }


HUEY = _huey()


def _email() -> dict[str, object]:
    url = _env("EMAIL_URL")
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(DATA_DIR / "sent-email"),
        }
    parts = urlsplit(url)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "127.0.0.1",
        "EMAIL_PORT": parts.port or 25,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+starttls",
        "EMAIL_USE_SSL": parts.scheme == "smtps",
    }


globals().update(_email())
DEFAULT_FROM_EMAIL = _env("FROM_EMAIL", "Followthrough <followthrough@localhost>")
# The domain of the reply addresses (reply+<token>@…); blank: BASE_URL's host name.
INBOUND_EMAIL_DOMAIN = _env("INBOUND_DOMAIN")
# Optional: a mailbox to fetch replies from (imaps://user:password@host/INBOX) every 5 minutes.
IMAP_URL = _env("IMAP_URL")

# Outreach (outreach/sending.py): messages per second across all workers together (one token
# bucket in the database; set it to the SMTP relay's limit), how long a worker's claim on outbox
# rows lasts before another worker may take them over, and the first retry delay after a 4xx.
SEND_RATE = float(_env("SEND_RATE", "20"))
OUTBOX_CLAIM_SECONDS = int(_env("OUTBOX_CLAIM_SECONDS", "120"))
OUTBOX_RETRY_SECONDS = float(_env("OUTBOX_RETRY_SECONDS", "60"))

# Failed logins allowed per account and per address in LOGIN_THROTTLE_WINDOW seconds.
LOGIN_THROTTLE_LIMIT = 5
LOGIN_THROTTLE_WINDOW = 15 * 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
