"""The deployable stack stays in step with the settings: docker-compose.yml gives production every variable it
requires, the README's and docs/deployment.md's `.env` recipes supply every one compose insists on, and one
image serves web, workers and beat."""

import os
import re
import runpy
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = [name for name, service in COMPOSE["services"].items() if name not in ("postgres", "redis")]
# A production environment with every variable a deployment could set; each test removes what it examines.
PRODUCTION = {"SHEQU_ENV": "production", "SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@db:5432/shequ",
              "FIELD_ENCRYPTION_KEY": "8Pd5e4YyOQk3VfWZ0W8pTqNlq1oX0pWz3Yk5iZc1uS0=", "REDIS_URL": "redis://r:6379/0",
              "ALLOWED_HOSTS": "shequ.example.gov.cn"}


def settings_boot(environ, tmp_path):
    """Runs config/settings.py in this process with exactly ``environ`` (plus a data directory)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({**environ, "SHEQU_DATA_DIR": str(tmp_path)})
    try:
        return runpy.run_path(str(ROOT / "config/settings.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def required_in_production(tmp_path):
    settings_boot(PRODUCTION, tmp_path)  # boots with all of them
    required = set()
    for name in PRODUCTION:
        try:
            settings_boot({k: v for k, v in PRODUCTION.items() if k != name}, tmp_path)
        except ImproperlyConfigured:
            required.add(name)
    return required


def recipe(path):
    """The variables the `.env` recipe (the `cat > .env <<EOF` block) of a document sets."""
    text = (ROOT / path).read_text()
    block = re.search(r"cat > \.env <<EOF\n(.*?)\nEOF", text, re.S)
    assert block, f"{path} has no .env recipe"
    return set(re.findall(r"^([A-Z_]+)=", block.group(1), re.M))


def compose_environment():
    environment = COMPOSE["x-common"]["environment"]
    assert all(COMPOSE["services"][name]["environment"] is environment for name in APP_SERVICES)
    return environment


def test_compose_gives_production_every_variable_it_requires(tmp_path):
    required = required_in_production(tmp_path)
    assert {"SECRET_KEY", "DATABASE_URL", "FIELD_ENCRYPTION_KEY"} <= required
    assert compose_environment()["SHEQU_ENV"] == "production"
    missing = required - set(compose_environment())
    assert not missing, f"docker-compose.yml does not set {missing}"


def test_the_env_recipes_supply_what_compose_insists_on():
    text = (ROOT / "docker-compose.yml").read_text()
    insisted = set(re.findall(r"\$\{([A-Z_]+):\?", text))
    assert {"SECRET_KEY", "FIELD_ENCRYPTION_KEY", "POSTGRES_PASSWORD"} <= insisted
    for document in ("README.md", "docs/deployment.md"):
        missing = insisted - recipe(document)
        assert not missing, f"the .env recipe in {document} lacks {missing}: docker compose up would refuse to start"
    deployment = (ROOT / "docs/deployment.md").read_text()
    for name in insisted:
        assert f"| `{name}` |" in deployment, f"docs/deployment.md's table does not explain {name}"


def test_compose_passes_only_variables_the_settings_read_and_their_defaults_agree(tmp_path):
    settings_boot(PRODUCTION, tmp_path)
    documented = env.DOCUMENTED
    for name, value in compose_environment().items():
        assert name in documented, f"docker-compose.yml sets {name}, which config/settings.py never reads"
        default = re.fullmatch(r"\$\{[A-Z_]+:-(.*)\}", str(value))
        if default and name == "SESSION_COOKIE_AGE":
            assert default.group(1) == documented[name].default, "compose's session length differs from the default"


def test_every_variable_is_listed_in_the_readme(tmp_path):
    settings_boot({**PRODUCTION, "DATABASE_REPLICA_URLS": "postgres://u@replica:5432/shequ"}, tmp_path)
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in env.DOCUMENTED if f"`{name}`" not in readme]
    assert not missing, f"README.md's configuration table lacks {missing}"


def test_one_image_for_web_workers_and_beat():
    built = [name for name in APP_SERVICES if "build" in COMPOSE["services"][name]]
    assert built == ["web"], f"only web builds the image; {built} do"
    images = {COMPOSE["services"][name]["image"] for name in APP_SERVICES}
    assert len(images) == 1, images
    workers = [name for name in APP_SERVICES if name.startswith("worker")]
    queues = {q for name in workers for q in COMPOSE["services"][name]["command"][
        COMPOSE["services"][name]["command"].index("-Q") + 1].split(",")}
    assert queues == {"celery", "imports", "exports", "reports", "daily"}, "every queue has a worker"


def test_the_image_context_leaves_out_local_state():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".venv", "var", ".git", "**/__pycache__"):
        assert entry in ignored, f".dockerignore lacks {entry}"


@pytest.mark.parametrize("value", ["mysql://u@h/db", "postgres//oops", "postgres://u@h:5432/db,sqlite:///x.db"])
def test_junk_replica_urls_stop_start_up(value, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URLS"):
        settings_boot({**PRODUCTION, "DATABASE_REPLICA_URLS": value}, tmp_path)


def test_replica_urls_become_mirrored_read_only_aliases(tmp_path):
    booted = settings_boot({**PRODUCTION, "DATABASE_REPLICA_URLS": "postgres://u@r1:5432/shequ, postgres://u@r2/shequ",
                            "REPLICA_MAX_LAG_SECONDS": "2.5"}, tmp_path)
    assert booted["DATABASE_REPLICAS"] == ["replica_1", "replica_2"]
    assert booted["DATABASES"]["replica_2"]["HOST"] == "r2"
    assert booted["DATABASES"]["replica_1"]["TEST"] == {"MIRROR": "default"}
    assert booted["REPLICA_MAX_LAG_SECONDS"] == 2.5
    with pytest.raises(ImproperlyConfigured, match="REPLICA_MAX_LAG_SECONDS"):
        settings_boot({**PRODUCTION, "REPLICA_MAX_LAG_SECONDS": "soon"}, tmp_path)
