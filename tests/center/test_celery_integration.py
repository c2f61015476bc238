"""A task travels through the real broker (Redis in CI) to a real worker process and
changes the database. Run by .ci/run via `make test-integration`."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from center.models import Notification, OutboxMessage

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.celery_integration, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can reach: run with DATABASE_URL=postgres://...")
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker():
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("set CELERY_BROKER_URL=redis://... for the integration suite")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "center.settings.test",
        "CELERY_INTEGRATION": "1",
        "DATABASE_URL": _database_url(),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "center",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"ci-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_task_goes_through_redis_to_a_worker_and_writes(worker, make_user):
    """A notification's e-mail leaves through the outbox task, queued on commit, sent by the worker."""
    from center.services import notification_send

    assert not settings.CELERY_TASK_ALWAYS_EAGER
    user = make_user("celery_target", role="resident")
    user.email = "celery-target@example.org"
    user.save(update_fields=["email"])
    notification_send(user=user, title="通过 Redis 送达", body="来自真实的 worker")
    message = OutboxMessage.objects.get(to="celery-target@example.org")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status != OutboxMessage.Status.PENDING:
            break
        if worker.poll() is not None:
            pytest.fail("worker exited:\n" + worker.stdout.read())
        time.sleep(0.5)
    else:
        pytest.fail("the worker did not send the outbox message within 60 s")
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 1
    assert Notification.objects.filter(user=user, title="通过 Redis 送达").count() == 1
