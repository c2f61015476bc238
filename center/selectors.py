"""Reads owned by `center`."""

from __future__ import annotations

from center.models import Announcement, NetworkUnit, Notification, User


def announcement_list(*, limit: int | None = None):
    qs = Announcement.objects.filter(is_published=True).only("id", "title", "published_at")
    return qs[:limit] if limit else qs


def street_list():
    return NetworkUnit.objects.filter(level=NetworkUnit.Level.STREET).order_by("sort_order", "id")


def unit_tree():
    """Streets with their communities, two queries whatever the size."""
    return street_list().prefetch_related("children")


def notification_list(*, user: User):
    return Notification.objects.filter(user=user)
