"""Typed readers for environment variables.

Each variable is read once, in config/settings.py, through one of these helpers. A junk value stops start-up
with a message naming the variable, instead of surfacing later as a confusing error. Every variable read is
recorded in ``DOCUMENTED`` with its default and meaning; README.md lists them.
"""

import os
from dataclasses import dataclass

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    help: str


DOCUMENTED: dict[str, Variable] = {}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default, help: str) -> str | None:
    DOCUMENTED[name] = Variable(name, "" if default is None else str(default), help)
    return os.environ.get(name)


def env_str(name: str, default: str | None, help: str, choices: tuple[str, ...] = ()) -> str | None:
    value = _raw(name, default, help)
    if value is None:
        return default
    if choices and value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}")
    return value


def env_bool(name: str, default: bool, help: str) -> bool:
    value = _raw(name, default, help)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int, help: str, minimum: int = 0) -> int:
    value = _raw(name, default, help)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}")
    return number


def env_list(name: str, default: list[str], help: str) -> list[str]:
    value = _raw(name, ",".join(default), help)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_fernet_keys(name: str, help: str) -> list[str]:
    """Comma-separated Fernet keys (32 url-safe base64 bytes each); a malformed one would fail only at the first
    encryption, long after start-up, so it stops start-up here."""
    import base64
    import binascii

    keys = env_list(name, [], help)
    for position, key in enumerate(keys, start=1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
        except (binascii.Error, ValueError, UnicodeEncodeError):
            valid = False
        if not valid:
            raise ImproperlyConfigured(
                f"{name}: key {position} is malformed; expected a Fernet key (32 url-safe "
                "base64-encoded bytes, e.g. from cryptography.fernet.Fernet.generate_key())"
            )
    return keys


def env_database(name: str, sqlite_path: str, help: str) -> dict:
    """DATABASE_URL, or the embedded SQLite file when unset."""
    value = _raw(name, f"sqlite:///{sqlite_path}", help)
    if not value:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": sqlite_path,
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    return _parse_database(name, value)


def env_database_list(name: str, help: str) -> list[dict]:
    """Comma-separated PostgreSQL URLs (read replicas), each checked like DATABASE_URL; unset = none."""
    value = _raw(name, "", help) or ""
    configs = [_parse_database(name, url.strip()) for url in value.split(",") if url.strip()]
    if any(config["ENGINE"] != "django.db.backends.postgresql" for config in configs):
        raise ImproperlyConfigured(f"{name}: every replica must be a PostgreSQL URL")
    return configs


def _parse_database(name: str, value: str) -> dict:
    try:
        config = dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name} is malformed ({exc}); expected e.g. postgres://user@host:5432/db") from None
    if not config.get("ENGINE") or not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}={value!r} is malformed; expected e.g. postgres://user@host:5432/db")
    if config["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise ImproperlyConfigured(f"{name}: only PostgreSQL (or SQLite for the embedded mode) is supported")
    return config


def env_float(name: str, default: float, help: str, minimum: float = 0) -> float:
    value = _raw(name, default, help)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number") from None
    if not number >= minimum:  # also refuses nan
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}")
    return number


def env_redis(name: str, help: str) -> str | None:
    value = _raw(name, None, help)
    if not value:
        return None
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name}={value!r} is malformed; expected e.g. redis://localhost:6379/0")
    return value
