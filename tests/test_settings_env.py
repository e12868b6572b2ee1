"""The e-mail links' address: QA_SITE_URL, else the address `make run` serves on."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from qa_tool.env import env_url, local_site_url

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("QA_SITE_URL", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_default_is_the_local_address_on_port_8000(clean_env):
    assert env_url("QA_SITE_URL", local_site_url()) == "http://127.0.0.1:8000"


def test_port_and_host_give_the_default(clean_env):
    clean_env.setenv("PORT", "8123")
    assert env_url("QA_SITE_URL", local_site_url()) == "http://127.0.0.1:8123"
    clean_env.setenv("HOST", "localhost")
    assert local_site_url() == "http://localhost:8123"
    clean_env.setenv("HOST", "0.0.0.0")  # noqa: S104
    assert local_site_url() == "http://127.0.0.1:8123"


def test_qa_site_url_wins_over_port(clean_env):
    clean_env.setenv("PORT", "8123")
    clean_env.setenv("QA_SITE_URL", "https://qa.example.org/")
    assert env_url("QA_SITE_URL", local_site_url()) == "https://qa.example.org"


@pytest.mark.parametrize(
    ("name", "value"), [("PORT", "eighty"), ("PORT", "0"), ("QA_SITE_URL", "qa.example.org")]
)
def test_bad_values_stop_start_up_naming_the_variable(clean_env, name, value):
    clean_env.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        env_url("QA_SITE_URL", local_site_url())


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_passes_host_and_port_to_the_server_and_the_demo_seed():
    out = subprocess.run(
        ["make", "-n", "run", "PORT=8123", "HOST=127.0.0.1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [line for line in out.splitlines() if "manage.py runserver" in line]
    assert lines and "HOST=127.0.0.1 PORT=8123 " in lines[0]
    assert lines[0].endswith("runserver 127.0.0.1:8123")
    seed = [line for line in out.splitlines() if "manage.py seed_demo" in line]
    assert seed and "PORT=8123" in seed[0]


def _database_settings(**env: str) -> list[str]:
    """The default database's connection age and health checks, as a fresh process reads them."""
    import os
    import sys

    script = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_CONN_MAX_AGE"}
    environ.update(DJANGO_SETTINGS_MODULE="qa_tool.settings", DJANGO_DEBUG="1", **env)
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_database_connections_are_kept_for_a_minute_with_health_checks():
    assert _database_settings() == ["60", "True"]


def test_database_connection_age_can_be_turned_off():
    assert _database_settings(DATABASE_CONN_MAX_AGE="0") == ["0", "True"]
