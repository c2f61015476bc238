import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from center.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["checks"]["database"] == "ok" and data["checks"]["cache"] == "ok"


@pytest.mark.django_db
def test_healthz_with_broker_down_is_degraded_not_500(client, monkeypatch):
    # Celery reads CELERY_BROKER_URL from the environment before its own config.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.broker_url = original
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "ok", "broker": "down"},
    }


def _production_env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    # production refuses a per-process cache: give it a shared one (nothing connects during checks)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "center.settings.production",
            "CACHE_URL": "redis://127.0.0.1:6379/1",
            **extra,
        }
    )
    return env


def test_check_deploy_prints_no_warning():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(SECRET_KEY="x" * 20 + "-prod-secret-key-for-the-test-3f9a7c1e"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_api_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/network-units/" in text and "openapi: 3" in text


@pytest.mark.django_db
def test_api_docs_use_local_assets(client):
    body = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in body
    assert "cdn.jsdelivr" not in body


@pytest.mark.django_db
def test_api_errors_have_one_shape(client):
    response = client.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    err = response.json()["error"]
    assert set(err) == {"code", "message", "details"}
    response = client.get("/api/v1/network-units/?level=nonsense")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "level" in response.json()["error"]["details"]


@pytest.mark.django_db
def test_api_token_auth(client, make_user):
    make_user("apiuser", role="resident")
    from tests.factories import PASSWORD

    token = client.post("/api/v1/auth/token/", {"username": "apiuser", "password": PASSWORD}).json()["token"]
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert me["username"] == "apiuser" and me["role"] == "resident"


@pytest.mark.django_db
def test_network_units_api_paginates_with_constant_queries(client, network):
    from tests.factories import NetworkFactory
    from tests.queries import assert_constant_queries

    def grow():
        for i in range(15):
            NetworkFactory.unit(f"社区{i}", f"extra-{i}", "community", network.yuehu)

    assert_constant_queries(lambda: client.get("/api/v1/network-units/"), grow)
    data = client.get("/api/v1/network-units/").json()
    assert data["count"] == 21 and len(data["results"]) == 20 and data["next"]


def test_every_beat_entry_names_a_registered_task():
    from django.conf import settings

    celery_app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in celery_app.tasks, f"beat entry {name} names unknown task {entry['task']}"
