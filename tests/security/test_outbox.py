"""E-mails are not lost when SMTP or the broker is down: an outbox row per message, sent and
retried by a worker with growing pauses, visible to staff when it keeps failing."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from center import services, tasks
from center.models import OutboxMessage

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


def test_notification_e_mail_goes_through_the_outbox(resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_send(user=resident, title="受理通知", body="您的诉求已受理")
    message = OutboxMessage.objects.get()
    assert message.status == "sent" and message.attempts == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [resident.email]


def test_inbox_only_block_writes_the_notification_without_e_mail(
    resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), services.notifications_inbox_only():
        services.notification_send(user=resident, title="演示通知")
    assert resident.notifications.filter(title="演示通知").exists()
    assert not OutboxMessage.objects.exists() and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):  # and only within the block
        services.notification_send(user=resident, title="正式通知")
    assert OutboxMessage.objects.count() == 1


def test_smtp_down_keeps_the_message_and_retries_with_backoff(
    resident, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.security.test_outbox.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        note = services.notification_send(user=resident, title="受理通知", body="b")
    assert note.pk  # the inbox message is there whatever happens to the e-mail
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and message.attempts == 1 and "SMTP server down" in message.last_error
    now = T0
    for pause in services.OUTBOX_BACKOFF_MINUTES[1:]:
        message.refresh_from_db()
        assert services.outbox_flush(now=message.next_attempt_at - timedelta(seconds=1)) == 0  # not yet due
        now = message.next_attempt_at
        services.outbox_flush(now=now)
        message.refresh_from_db()
        assert message.next_attempt_at == now + timedelta(minutes=pause)
    services.outbox_flush(now=message.next_attempt_at)
    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == len(services.OUTBOX_BACKOFF_MINUTES) + 1
    assert mail.outbox == []

    # SMTP is back: staff retry from the admin, the next run sends it once
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.outbox_retry(message_ids=[message.pk]) == 1
    assert tasks.outbox_flush() == 1
    assert tasks.outbox_flush() == 0
    message.refresh_from_db()
    assert message.status == "sent" and len(mail.outbox) == 1


def test_broker_down_the_periodic_job_sends_it(resident, monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise OSError("broker unreachable")

    monkeypatch.setattr(tasks.outbox_send_one, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_send(user=resident, title="受理通知")
    assert OutboxMessage.objects.get().status == "pending" and mail.outbox == []
    assert tasks.outbox_flush() == 1 and len(mail.outbox) == 1


def test_failed_messages_visible_to_center_admins_only(client, resident, department_groups, make_user):
    OutboxMessage.objects.create(to=resident.email, subject="s", status="failed", last_error="SMTP down")
    boss = make_user("boss_o", role="staff", department="admin", is_staff=True)
    client.force_login(boss)
    page = client.get("/admin/center/outboxmessage/", {"status__exact": "failed"})
    assert page.status_code == 200 and "SMTP down" not in page.text and page.context["cl"].result_count == 1
    clerk = make_user("clerk_o", role="staff", department="projects", is_staff=True)
    client.force_login(clerk)
    assert client.get("/admin/center/outboxmessage/").status_code == 403
