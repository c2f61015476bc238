"""Writes owned by `center`: accounts, notifications, reminders, queuing background work."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from center.errors import DomainError
from center.models import Notification, OutboxMessage, Reminder, User

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> None:
    """Queue a Celery task once the surrounding transaction commits.

    A broker outage must not fail the web request that queued the work: the error is logged
    and the periodic job that scans for due work picks it up on its next run.
    """

    def _send():
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:  # broker down: kombu raises OperationalError and friends
            logger.exception("could not queue task", extra={"task": task.name})

    transaction.on_commit(_send)


_inbox_only = contextvars.ContextVar("notifications_inbox_only", default=False)


@contextmanager
def notifications_inbox_only() -> Iterator[None]:
    """Within the block, notifications go to the portal inbox only, with no e-mail (the demo
    loader replays months of workflow; nobody should get those e-mails)."""
    token = _inbox_only.set(True)
    try:
        yield
    finally:
        _inbox_only.reset(token)


def notification_send(
    *, user: User, title: str, body: str = "", url: str = "", email: bool = True
) -> Notification:
    """Put a message in the user's portal inbox and, when the user has an address, an e-mail
    in the outbox (same transaction: both are kept or neither). A worker sends the e-mail
    after commit and retries it while SMTP or the broker is down (`outbox_send`)."""
    note = Notification.objects.create(user=user, title=title[:200], body=body, url=url)
    if email and user.email and not _inbox_only.get():
        message = OutboxMessage.objects.create(
            to=user.email, subject=title[:200], body=f"{body}\n\n{url}".strip()
        )
        from center import tasks  # tasks imports this module

        enqueue(tasks.outbox_send_one, message.pk)
    return note


# Pauses between attempts (minutes); after the last one the message is marked failed.
OUTBOX_BACKOFF_MINUTES = [1, 5, 15, 60, 180, 720]


def outbox_send(*, message_id: int, now=None) -> bool:
    """Try to send one outbox message now. Returns True when it left. A failure is recorded
    (attempts, error, next attempt after a growing pause); after the last pause the message
    is marked failed and stays visible to staff in the admin. Never raises for SMTP errors."""
    from django.core.mail import EmailMessage
    from django.utils import timezone

    now = now or timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if message is None:  # sent meanwhile by another worker, or given up
            return False
        try:
            EmailMessage(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to]).send()
        except Exception as exc:  # SMTP down, refused, timed out ...
            logger.warning("outbox e-mail failed", extra={"outbox": message.pk, "error": str(exc)[:200]})
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts > len(OUTBOX_BACKOFF_MINUTES):
                message.status = OutboxMessage.Status.FAILED
            else:
                pause = OUTBOX_BACKOFF_MINUTES[message.attempts - 1]
                message.next_attempt_at = now + timedelta(minutes=pause)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return False
        message.status = OutboxMessage.Status.SENT
        message.sent_at = now
        message.attempts += 1
        message.save(update_fields=["status", "sent_at", "attempts"])
        return True


def outbox_flush(*, now=None, limit: int = 200) -> int:
    """Send the pending messages whose next attempt is due (the periodic job). Returns how
    many left."""
    from django.utils import timezone

    now = now or timezone.now()
    due = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return sum(outbox_send(message_id=pk, now=now) for pk in ids)


def outbox_retry(*, message_ids: Iterable[int]) -> int:
    """Staff put failed messages back in the queue (admin action)."""
    from django.utils import timezone

    return (
        OutboxMessage.objects.filter(pk__in=list(message_ids))
        .exclude(status=OutboxMessage.Status.SENT)
        .update(status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now())
    )


def reminder_send_once(*, key: str, users: Iterable[User], title: str, body: str = "", url: str = "") -> bool:
    """Send a reminder identified by `key` (subject + occasion) at most once, ever.

    Returns False when it was already sent. The unique key is claimed inside the same
    transaction as the notifications, so concurrent workers send exactly one.
    """
    users = [u for u in users if u is not None]
    try:
        with transaction.atomic():
            Reminder.objects.create(key=key[:200], recipients=len(users))
            for user in users:
                notification_send(user=user, title=title, body=body, url=url)
    except IntegrityError:
        return False
    return True


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    from django.utils import timezone

    from center.selectors import unread_changed

    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    n = qs.update(read_at=timezone.now())
    unread_changed(user.pk)
    return n


@transaction.atomic
def user_signup(
    *, username: str, password: str, email: str, role: str, display_name: str = "", phone: str = ""
) -> User:
    """Create a self-registered account. Only organization accounts and residents sign up
    themselves; staff, handlers and reviewers are created by center staff."""
    if role not in (User.Role.ORGANIZATION, User.Role.RESIDENT):
        raise DomainError(_("This kind of account is created by the center."), code="role_not_allowed")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("This username is already taken."), code="username_taken")
    user = User(username=username, email=email, role=role, display_name=display_name, phone=phone)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user
