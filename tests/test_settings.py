"""Start-up refuses junk configuration with a message that names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env
from config.env import env_bool, env_database, env_int, env_redis

ROOT = Path(__file__).resolve().parent.parent


def boot(env_overrides, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SHEQU_ENV", "SECRET_KEY")}
    env.update({"SHEQU_DATA_DIR": str(tmp_path), "FIELD_ENCRYPTION_KEY": "8Pd5e4YyOQk3VfWZ0W8pTqNlq1oX0pWz3Yk5iZc1uS0=",
                **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('booted')"],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True, text=True, timeout=60,
    )


def test_production_without_secret_key_stops(tmp_path):
    result = boot({"SHEQU_ENV": "production", "DATABASE_URL": "postgres://u@localhost/db"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_with_malformed_database_url_stops(tmp_path):
    result = boot({"SHEQU_ENV": "production", "SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres//oops"}, tmp_path)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "malformed" in result.stderr


def test_production_refuses_sqlite(tmp_path):
    result = boot({"SHEQU_ENV": "production", "SECRET_KEY": "x" * 50}, tmp_path)
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_production_with_good_values_boots(tmp_path):
    result = boot({"SHEQU_ENV": "production", "SECRET_KEY": "x" * 50,
                   "DATABASE_URL": "postgres://u@localhost:5432/db", "ALLOWED_HOSTS": "shequ.example"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "booted" in result.stdout


def test_embedded_default_boots_without_any_configuration(tmp_path):
    result = boot({}, tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("helper", "value"), [
    (lambda: env_bool("X_FLAG", False, ""), "maybe"),
    (lambda: env_int("X_NUMBER", 1, ""), "ten"),
    (lambda: env_redis("X_REDIS", ""), "localhost:6379"),
    (lambda: env_database("X_DB", "/tmp/x.sqlite3", ""), "mysql://u@h/db"),
])
def test_helpers_reject_junk(monkeypatch, helper, value):
    # The helpers record every variable they read; these made-up ones must not stay in the documented list.
    monkeypatch.setattr(env, "DOCUMENTED", dict(env.DOCUMENTED))
    for name in ("X_FLAG", "X_NUMBER", "X_REDIS", "X_DB"):
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured):
        helper()


def test_production_without_an_encryption_key_stops(tmp_path):
    result = boot({"SHEQU_ENV": "production", "SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@localhost/db",
                   "FIELD_ENCRYPTION_KEY": ""}, tmp_path)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr


@pytest.mark.parametrize("key", ["not-a-key", "c2hvcnQ=", "8Pd5e4YyOQk3VfWZ0W8pTqNlq1oX0pWz3Yk5iZc1uS0=,???"])
def test_a_malformed_encryption_key_stops_start_up(tmp_path, key):
    result = boot({"SHEQU_ENV": "production", "SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@localhost/db",
                   "ALLOWED_HOSTS": "shequ.example", "FIELD_ENCRYPTION_KEY": key}, tmp_path)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr and "malformed" in result.stderr


def test_a_malformed_encryption_key_stops_the_embedded_mode_too(tmp_path):
    result = boot({"FIELD_ENCRYPTION_KEY": "oops"}, tmp_path)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr
