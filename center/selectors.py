"""Reads owned by `center`."""

from __future__ import annotations

import dataclasses

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


def workbench_panels(*, user) -> list[dict]:
    """The workbench panels this user sees, each {"title", "items"}. A panel with a cache
    namespace is computed once per user and data version (see center.caching)."""
    from django.utils.translation import get_language

    from center import registry
    from center.caching import cached_many

    def computed(panel):
        # Labels as plain text (the key holds the language): a lazy translation costs a
        # class construction each time it is unpickled.
        items = panel.items(user)
        if items is None:
            return None
        return [dataclasses.replace(item, label=str(item.label)) for item in items]

    lang = get_language()
    all_panels = registry.workbench_panels()
    cached = [p for p in all_panels if p.cache is not None]
    values = dict(
        zip(
            [p.key for p in cached],
            cached_many(
                [(p.cache, "workbench", lambda p=p: computed(p), (p.key, user.pk, lang)) for p in cached]
            ),
            strict=True,
        )
    )
    panels = []
    for panel in all_panels:
        items = values[panel.key] if panel.cache is not None else panel.items(user)
        if items is not None:
            panels.append({"title": panel.title, "items": items})
    return panels


UNREAD_TTL = 300  # seconds; a safety net: every write through the model or the services clears it


def _unread_key(user_id: int) -> str:
    return f"center:unread:{user_id}"


def unread_count(*, user: User) -> int:
    """The user's unread portal messages (the header badge on every page), kept in the
    shared cache until a message is added, read or deleted."""
    from django.core.cache import cache

    key = _unread_key(user.pk)
    n = cache.get(key)
    if n is None:
        n = Notification.objects.filter(user=user, read_at__isnull=True).count()
        cache.set(key, n, UNREAD_TTL)
    return n


def unread_changed(user_id: int, **kwargs) -> None:
    from django.core.cache import cache
    from django.db import transaction

    cache.delete(_unread_key(user_id))
    transaction.on_commit(lambda: cache.delete(_unread_key(user_id)))


def notification_written(sender, instance, **kwargs) -> None:
    """post_save / post_delete receiver for Notification."""
    unread_changed(instance.user_id)
