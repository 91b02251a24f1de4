"""Configuration classes, read from the environment.

`Config` is what `configurator serve` and `create_app()` use; `TestConfig` is
what the test suite passes. Nothing secret lives in the repository: without
SECRET_KEY in the environment, a random key is made once and kept in the
instance folder (which git ignores).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("CONFIGURATOR_INSTANCE", REPO_ROOT / "instance"))


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
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session: no lost work after lunch
    PASSWORD_HASH_METHOD = "scrypt"
    # Above this many disabled options, explanations load on demand ("Why?")
    # instead of being computed for every option on every pick.
    EAGER_EXPLAIN_LIMIT = 40


class TestConfig(Config):
    """Settings for the test suite: a throwaway database, fast password hashes."""

    TESTING = True
    SECRET_KEY = "test-secret"
    DATABASE_URL = "sqlite://"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
