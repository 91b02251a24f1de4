"""Configuration classes, read from the environment.

`Config` is what `configurator serve` and `create_app()` use; `TestConfig` is
what the test suite passes. Nothing secret lives in the repository: without
SECRET_KEY in the environment, a random key is made once and kept in the
instance folder (which git ignores).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("CONFIGURATOR_INSTANCE", REPO_ROOT / "instance"))


def compiled_dir() -> Path:
    """Where compiled catalogs are kept (one file per catalog version), next to the database."""
    return Path(os.environ.get("CONFIGURATOR_COMPILED_DIR", INSTANCE_DIR / "compiled"))


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'configurator.db'}"


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a random key kept in instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = INSTANCE_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key


def _flag(name: str, default: bool) -> bool:
    """A yes/no setting from the environment (1/true/yes/on count as yes)."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def default_approval_threshold() -> Decimal:
    """How far (percent) sales may discount a new business account's quotes alone:
    QUOTE_APPROVAL_THRESHOLD from the environment, else 10. Each account keeps its
    own copy, which managers and admins change on the account's page."""
    return _percentage("QUOTE_APPROVAL_THRESHOLD", "10")


@dataclass(frozen=True)
class ApprovalLimits:
    """Who approves a quote beyond what sales may give (the account's threshold):

    a manager, up to `manager_discount` percent and down to a margin of
    `manager_margin_floor` percent; beyond that the manager's approval and then a
    director's. Sales may send alone down to a margin of `sales_margin_floor`.
    """

    manager_discount: Decimal
    sales_margin_floor: Decimal
    manager_margin_floor: Decimal


def approval_limits() -> ApprovalLimits:
    """The approval limits from the environment: QUOTE_MANAGER_DISCOUNT_LIMIT (20),
    QUOTE_SALES_MARGIN_FLOOR (25) and QUOTE_MANAGER_MARGIN_FLOOR (15), in percent."""
    return ApprovalLimits(
        _percentage("QUOTE_MANAGER_DISCOUNT_LIMIT", "20"),
        _percentage("QUOTE_SALES_MARGIN_FLOOR", "25"),
        _percentage("QUOTE_MANAGER_MARGIN_FLOOR", "15"),
    )


def _percentage(name: str, default: str) -> Decimal:
    """A percentage setting between 0 and 100; a clear ValueError otherwise."""
    text = os.environ.get(name, "").strip() or default
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{name} must be a percentage, not {text!r}") from None
    if not Decimal(0) <= value <= Decimal(100):
        raise ValueError(f"{name} must be between 0 and 100, not {text}")
    return value


def normalize_database_url(url: str) -> str:
    """Let `postgresql://` URLs use psycopg 3, the driver the project installs."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def database_url() -> str:
    """DATABASE_URL from the environment (read now), else the SQLite file in instance/."""
    return normalize_database_url(os.environ.get("DATABASE_URL") or _default_database_url())


class Config:
    """Settings for a running shop; every value can come from the environment."""

    SECRET_KEY = _secret_key()
    DATABASE_URL = database_url()
    CATALOG_DIR = os.environ.get("CATALOG_DIR", str(REPO_ROOT / "catalog"))
    SEED_DIR = os.environ.get("SEED_DIR", str(REPO_ROOT / "seed"))
    # Where the options' `image:` paths start (catalog/pictures/... in the demo catalogs).
    PICTURES_DIR = os.environ.get("PICTURES_DIR", CATALOG_DIR)
    # No request body may be larger than a generous catalog upload (2 MiB cap in
    # the upload view); Werkzeug refuses bigger ones with 413 before reading them.
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure cookies are never sent over plain HTTP, so the development server
    # on http://127.0.0.1 leaves them off; production turns them on.
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Rate limits (Flask-Limiter): counters in memory unless a shared store is
    # configured; several processes or hosts need redis://... to share them.
    RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session: no lost work after lunch
    PASSWORD_HASH_METHOD = "scrypt"
    # Above this many disabled options, explanations load on demand ("Why?")
    # instead of being computed for every option on every pick.
    EAGER_EXPLAIN_LIMIT = 40
    # The draft editor waits this long (seconds) for the live check; a bigger
    # catalog's check goes on in the background and the page says "checking…".
    DRAFT_CHECK_WAIT = 0.8
    # Where each web process writes the draft checks' answers for the others (gunicorn runs
    # several); empty: a directory of this app's own (tests).
    DRAFT_CHECK_DIR = os.environ.get("CONFIGURATOR_DRAFT_CHECK_DIR", str(compiled_dir() / "draft-checks"))
    # The approval threshold new business accounts start with (see default_approval_threshold).
    QUOTE_APPROVAL_THRESHOLD = default_approval_threshold()
    # Above it: a manager's approval, then a director's (see approval_limits).
    QUOTE_APPROVAL_LIMITS = approval_limits()
    # Background jobs (e-mail delivery, reminders) go through RQ on this Redis;
    # empty: nothing is queued and `configurator worker` cannot run.
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "configurator")
    # Outgoing e-mail. Without SMTP_HOST the worker writes each e-mail as an .eml
    # file into MAIL_DIR instead, so a demo shows what customers would get.
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_SECURITY = os.environ.get("SMTP_SECURITY", "none")  # none | starttls | tls
    MAIL_FROM = os.environ.get("MAIL_FROM", "Configurator shop <shop@localhost>")
    MAIL_DIR = os.environ.get("MAIL_DIR", str(INSTANCE_DIR / "mail"))
    # Where links in e-mails point (the public address of the shop).
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    # Timely messages (services/triggers): at most this many per customer in any
    # 7 days, and the product lines whose order rhythm says when a refill is due.
    TRIGGER_WEEKLY_LIMIT = int(os.environ.get("TRIGGER_WEEKLY_LIMIT", "2"))
    REFILL_PRODUCT_LINES = tuple(
        os.environ.get("REFILL_PRODUCT_LINES", "coffee-subscription").split()
    )


class ProductionConfig(Config):
    """Settings for `configurator.web.wsgi` under gunicorn: secrets from the
    environment only, and cookies for HTTPS."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestConfig(Config):
    """Settings for the test suite: a throwaway database, fast password hashes."""

    TESTING = True
    SECRET_KEY = "test-secret"
    DATABASE_URL = "sqlite://"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # Off so that tests may sign in often; tests/web/test_rate_limit.py turns it on.
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    SESSION_COOKIE_SECURE = False
    # Tests that need the queue start their own Redis and say so (tests/jobs_fixtures.py).
    REDIS_URL = ""
    SMTP_HOST = ""
    PUBLIC_URL = "http://shop.test"
    # The draft check runs in a worker process that takes seconds to start on a
    # loaded machine: pages wait for its answer; tests of "Checking…" set it small.
    DRAFT_CHECK_WAIT = 30
    # Empty: an app of its own keeps its answers apart; the suite gives each test a folder
    # removed after it (tests/conftest.py), shared by its apps as by two web processes.
    DRAFT_CHECK_DIR = ""
