"""Center's own background work."""

from celery import shared_task


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
