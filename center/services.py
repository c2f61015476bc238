"""Writes owned by `center`: accounts, notifications, reminders, queuing background work."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from center.errors import DomainError
from center.models import Notification, Reminder, User

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


def notification_send(
    *, user: User, title: str, body: str = "", url: str = "", email: bool = True
) -> Notification:
    """Put a message in the user's portal inbox and, after commit, e-mail it."""
    note = Notification.objects.create(user=user, title=title[:200], body=body, url=url)
    if email and user.email:

        def _mail():
            try:
                send_mail(title, f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, [user.email])
            except Exception:
                logger.exception("notification e-mail failed", extra={"user": user.pk})

        transaction.on_commit(_mail)
    return note


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

    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


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
