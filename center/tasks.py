"""Center's own background work."""

from celery import shared_task

from center.models import User
from center.services import notification_send


@shared_task(
    name="center.tasks.notify_users", autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5
)
def notify_users(user_ids: list[int], title: str, body: str = "", url: str = "") -> int:
    """Fan a message out to many inboxes off the request path (e.g. an announcement to all staff)."""
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        notification_send(user=user, title=title, body=body, url=url)
        sent += 1
    return sent


@shared_task(name="center.tasks.outbox_send_one")
def outbox_send_one(message_id: int) -> bool:
    """Send one outbox e-mail right after the transaction that wrote it commits."""
    from center.services import outbox_send

    return outbox_send(message_id=message_id)


@shared_task(name="center.tasks.outbox_flush")
def outbox_flush() -> int:
    """Every minute: send what is due (first tries whose task never reached the broker, and
    retries after their pause)."""
    from center.services import outbox_flush as flush

    return flush()
