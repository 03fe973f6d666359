"""docker-compose.yml describes the whole service, and compose itself accepts it."""

import os
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"


def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_compose_runs_database_broker_web_worker_and_beat():
    found = services()
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(found)
    assert found["postgres"]["image"].startswith("postgres:")
    assert found["redis"]["image"].startswith("redis:")
    assert found["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert found["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert 'CMD ["gunicorn", "config.wsgi:application"' in (ROOT / "Dockerfile").read_text()


def test_compose_app_services_take_settings_from_the_environment():
    for name in ("web", "worker", "beat"):
        env = services()[name]["environment"]
        assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"} <= set(env)
        assert env["DEBUG"] == "false"


def test_compose_cli_accepts_the_file():
    """`docker compose config` where the plugin exists, else the standalone docker-compose."""
    env = {**os.environ, "SECRET_KEY": "compose-config-check"}
    plugin = (
        shutil.which("docker")
        and subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    )
    if plugin:
        command = ["docker", "compose", "config", "-q"]
    elif shutil.which("docker-compose"):
        command = ["docker-compose", "config", "-q"]
    else:
        # Neither CLI: the YAML must still parse and define the services (tests above).
        yaml.safe_load(COMPOSE.read_text())
        return
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_compose_migrates_as_the_owner_and_runs_the_app_as_the_app_role():
    """The app's processes log in as tandem_app, which may only INSERT and SELECT audit rows;
    only the one-off migrate service logs in as tandem_owner, which owns the tables."""
    found = services()
    for name in ("web", "worker", "beat"):
        env = found[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://tandem_app:"), name
        assert env["DATABASE_APP_ROLE"] == "tandem_app"
        assert "tandem_owner" not in str(env), name
    assert found["migrate"]["environment"]["DATABASE_URL"].startswith("postgres://tandem_owner:")
    assert found["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    # The postgres image runs the role script when it creates its volume.
    assert "./docker/postgres-init:/docker-entrypoint-initdb.d:ro" in found["postgres"]["volumes"]
    script = (ROOT / "docker" / "postgres-init" / "10-tandem-roles.sh").read_text()
    assert "CREATE ROLE tandem_owner LOGIN NOSUPERUSER" in script
    assert "CREATE ROLE tandem_app LOGIN NOSUPERUSER" in script
    assert "CREATE DATABASE tandem OWNER tandem_owner" in script
