"""Shared cache for the hotline's lists: one data version for every ticket, changed whenever
a ticket or an extension request is written, and the cached queue counts and rendered rows
stored under it.

The version lives in the configured cache (Redis in production), so every gunicorn worker
and the Celery worker see the same one: a change made by any process makes every cached
list and count of every process stale at once. It is changed twice: at once (so a reader
in the same transaction, or a test, sees the change) and again after the commit (so a
reader in another process that recomputed from the not-yet-committed state stored its
result under a version nobody asks for any more).

Writes that bypass the model signals (queryset `.update()`) are covered by the short
lifetime of every entry (`TTL`): the periodic overdue flag, for instance, shows up within
that time. Queues that depend on the clock (due today, overdue, not signed for in time)
lag by at most the same time.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "hotline:data-version"
TTL = 60  # seconds; the safety net for writes without signals and for clock-driven queues


def data_version() -> str:
    """The current version of the hotline's data (created on first use)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, secrets.token_hex(6), None)
        version = cache.get(VERSION_KEY) or "0"
    return version


def _bump() -> None:
    cache.set(VERSION_KEY, secrets.token_hex(6), None)


def data_changed(**kwargs) -> None:
    """Every cached hotline list and count is stale (signal receiver and plain function)."""
    _bump()
    transaction.on_commit(_bump)


def key(*parts) -> str:
    """A cache key under the current data version; long parts (query strings) are hashed."""
    raw = "|".join(str(p) for p in parts)
    digest = hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()
    return f"hotline:{data_version()}:{digest}"


def cached(name: str, compute, *parts, ttl: int = TTL):
    """`compute()` once per data version (and per `parts`), shared by every process."""
    k = key(name, *parts)
    value = cache.get(k)
    if value is None:
        value = compute()
        cache.set(k, value, ttl)
    return value


def connect() -> None:
    """Called from HotlineConfig.ready: every saved or deleted ticket, extension request or
    category (a renamed category shows at once) changes the version."""
    from django.db.models.signals import post_delete, post_save

    for model in ("hotline.Ticket", "hotline.ExtensionRequest", "hotline.ServiceCategory"):
        post_save.connect(data_changed, sender=model, dispatch_uid=f"hotline-cache-save-{model}")
        post_delete.connect(data_changed, sender=model, dispatch_uid=f"hotline-cache-delete-{model}")
