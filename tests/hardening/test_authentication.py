import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

ROOT = Path(__file__).resolve().parent.parent.parent


def test_lockout_after_repeated_failures_even_with_the_right_password(world, cast, client, password, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        client.post(reverse("login"), {"username": "street_a", "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": "street_a", "password": password})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    other = client.post(reverse("login"), {"username": "street_b", "password": password})
    assert other.status_code == 302  # another account is not locked


@pytest.mark.parametrize(("candidate", "ok"), [
    ("short1A", False), ("password1234", False), ("onlylowercaseletters", False), ("12345678901234", False),
    ("shequ-demo-2026", True), ("Longer-Passphrase", True),
])
def test_password_policy(candidate, ok):
    if ok:
        validate_password(candidate)
    else:
        with pytest.raises(ValidationError):
            validate_password(candidate)


def test_sessions_end_when_idle_and_with_the_browser(world, cast, client, password, settings):
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    age, refresh = settings.SESSION_COOKIE_AGE, settings.SESSION_REFRESH_SECONDS
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False) as clock:
        assert client.post(reverse("login"), {"username": "street_a", "password": password}).status_code == 302
        assert client.cookies["sessionid"]["max-age"] == "" and client.cookies["sessionid"]["expires"] == ""
        for _ in range(4):  # working keeps the login, well past one idle timeout
            clock.shift(timedelta(seconds=age * 0.4))
            assert client.get("/organizations/").status_code == 200
        clock.shift(timedelta(seconds=refresh // 2))
        assert client.get("/organizations/").status_code == 200
        clock.shift(timedelta(seconds=age - refresh // 2 - 1))  # idle, not yet the timeout after the last request
        assert client.get("/organizations/").status_code == 200
        clock.shift(timedelta(seconds=age + 1))  # idle past the timeout
        response = client.get("/organizations/")
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_reviewers_need_a_second_factor(world, cast, client_for, settings):
    settings.REQUIRE_TWO_FACTOR = True
    reviewer = client_for(cast.reviewer)
    response = reviewer.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")
    page = reviewer.get("/accounts/two-factor/?next=/cases/").content.decode()
    assert "<svg" in page  # the enrolment QR code, drawn locally
    device = TOTPDevice.objects.get(user=cast.reviewer)
    wrong = reviewer.post("/accounts/two-factor/", {"token": "000000", "next": "/cases/"})
    assert wrong.status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp slows down guessing
    device.throttle_reset()
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    confirmed = reviewer.post("/accounts/two-factor/", {"token": token, "next": "/cases/"})
    assert confirmed.status_code == 302 and confirmed["Location"] == "/cases/"
    assert reviewer.get("/cases/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    # Street staff are not asked; an outside "next" is not followed.
    assert client_for(cast.street_a).get("/cases/").status_code == 200
    assert reviewer.post("/accounts/two-factor/", {"token": "1", "next": "https://evil.example"}).status_code == 200


def test_production_settings_pass_the_deployment_check(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "SHEQU_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(SHEQU_ENV="production", SECRET_KEY="k" * 20 + "-production-only-" + "x" * 30,
               DATABASE_URL="postgres://u@localhost:5432/db", ALLOWED_HOSTS="shequ.example.gov.cn",
               SHEQU_DATA_DIR=str(tmp_path), STATIC_ROOT=str(tmp_path / "static"),
               FIELD_ENCRYPTION_KEY="8Pd5e4YyOQk3VfWZ0W8pTqNlq1oX0pWz3Yk5iZc1uS0=")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
