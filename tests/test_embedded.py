"""The embedded default: with no configuration at all the portal migrates, serves the login page, runs tasks
in-process."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.embedded


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _embedded(folder):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SHEQU_ENV")}
    env["SHEQU_DATA_DIR"] = str(folder)
    return env


@pytest.fixture(scope="module")
def migration(tmp_path_factory):
    """The embedded portal migrated from nothing, once for the module: (its data folder, the command's result)."""
    folder = tmp_path_factory.mktemp("embedded")
    return folder, manage(_embedded(folder), "migrate", "--noinput")


@pytest.fixture
def embedded_env(migration, tmp_path):
    """The environment of the embedded mode, on a copy of the migrated data folder of its own."""
    folder, migrated = migration
    assert migrated.returncode == 0, migrated.stderr
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
    return _embedded(tmp_path)


def manage(env, *args, timeout=300):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_embedded_default_migrates_and_serves_login(migration, embedded_env):
    folder, migrated = migration
    assert migrated.returncode == 0, migrated.stderr
    assert (folder / "db.sqlite3").exists()

    eager = manage(embedded_env, "shell", "-v", "0", "-c",
                   "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER, "
                   "settings.DATABASES['default']['ENGINE'])")
    assert eager.stdout.split() == ["True", "django.db.backends.sqlite3"]

    port = free_port()
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                              cwd=ROOT, env=embedded_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body, deadline = None, time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2) as response:
                    assert response.status == 200
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.3)
        assert body is not None, "the embedded server did not answer within 30 s"
        assert "登录" in body
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_demo_data_is_idempotent_in_embedded_mode(embedded_env):
    first = manage(embedded_env, "demo")
    second = manage(embedded_env, "demo")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == second.stdout.splitlines()[0]
    assert "西湖区" in first.stdout
    for account in ("street", "street2", "community", "reviewer", "leader", "expert", "admin"):
        assert f"  {account} " in first.stdout
