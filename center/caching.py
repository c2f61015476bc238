"""Versioned shared caches: one data version per namespace (an app's data), changed whenever
one of the namespace's models is written, and cached counts, query results and rendered rows
stored under it.

The version lives in the configured cache (Redis in production), so every gunicorn worker
and the Celery worker see the same one: a change made by any process makes every cached
entry of the namespace stale at once, in every process. It is changed twice: at once (so a
reader in the same transaction, or a test, sees the change) and again after the commit (so a
reader in another process that recomputed from the not-yet-committed state stored its
result under a version nobody asks for any more).

Writes that bypass the model signals (queryset `.update()`) are covered by the short
lifetime of every entry (`ttl`): a periodic flag set by `.update()` shows up within that
time, and so do lists that depend on the clock ("due today").

    EVENTS = Namespace("consultations", models=("consultations.Event", ...))
    EVENTS.cached("calendar", compute, year, month)      # compute() once per version
    EVENTS.connect()                                      # from AppConfig.ready
"""

from __future__ import annotations

import contextvars
import hashlib
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction

_MISSING = object()
# Within a request (VersionMemoMiddleware), each namespace's version is read from the cache
# once: a page that shows several cached parts asks Redis one round trip per namespace, not
# one per part. A write in the same request updates the memo with the new version.
_versions: contextvars.ContextVar[dict | None] = contextvars.ContextVar("cache_versions", default=None)


class VersionMemoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _versions.set({})
        try:
            return self.get_response(request)
        finally:
            _versions.reset(token)


class Namespace:
    def __init__(self, name: str, *, models: Iterable[str] = (), apps: Iterable[str] = (), ttl: int = 60):
        self.name = name
        self.models = tuple(models)
        self.apps = tuple(apps)  # every model of these apps (their history tables excepted)
        self.ttl = ttl
        self.version_key = f"{name}:data-version"

    def data_version(self) -> str:
        """The current version of the namespace's data (created on first use)."""
        memo = _versions.get()
        if memo is not None and self.name in memo:
            return memo[self.name]
        version = cache.get(self.version_key)
        if version is None:
            cache.add(self.version_key, secrets.token_hex(6), None)
            version = cache.get(self.version_key) or "0"
        if memo is not None:
            memo[self.name] = version
        return version

    def _bump(self) -> None:
        version = secrets.token_hex(6)
        cache.set(self.version_key, version, None)
        memo = _versions.get()
        if memo is not None:
            memo[self.name] = version

    def data_changed(self, **kwargs) -> None:
        """Every cached entry of the namespace is stale (signal receiver and plain function)."""
        self._bump()
        transaction.on_commit(self._bump)

    def key(self, *parts) -> str:
        """A cache key under the current data version; long parts (query strings) are hashed."""
        raw = "|".join(str(p) for p in parts)
        digest = hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()
        return f"{self.name}:{self.data_version()}:{digest}"

    def cached(self, name: str, compute: Callable[[], Any], *parts, ttl: int | None = None) -> Any:
        """`compute()` once per data version (and per `parts`), shared by every process.
        `None` is a value like any other (it is cached too)."""
        k = self.key(name, *parts)
        value = cache.get(k, _MISSING)
        if value is _MISSING:
            value = compute()
            cache.set(k, value, self.ttl if ttl is None else ttl)
        return value

    def connect(self) -> None:
        """Called from the app's AppConfig.ready: every saved or deleted instance of the
        namespace's models (and every change of their many-to-many sets) changes the version."""
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_save

        models = [apps.get_model(label) for label in self.models]
        for app_label in self.apps:
            models += [
                m
                for m in apps.get_app_config(app_label).get_models()
                if not m.__name__.startswith("Historical")
            ]
        receiver = self.data_changed
        for model in models:
            uid = f"{self.name}-cache-{model._meta.label}"
            post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}-save")
            post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}-delete")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    receiver,
                    sender=field.remote_field.through,
                    weak=False,
                    dispatch_uid=f"{uid}-{field.name}",
                )


def prefetch_versions(namespaces: Iterable[Namespace]) -> None:
    """Within a request, read the versions of several namespaces in one round trip."""
    memo = _versions.get()
    if memo is None:
        return
    wanted = [ns for ns in namespaces if ns.name not in memo]
    found = cache.get_many([ns.version_key for ns in wanted]) if wanted else {}
    for ns in wanted:
        if ns.version_key in found:
            memo[ns.name] = found[ns.version_key]


def cached_many(entries: list[tuple[Namespace, str, Callable[[], Any], tuple]]) -> list[Any]:
    """Several `Namespace.cached` calls answered with one read of the cache (and one write
    of what had to be computed): entries are (namespace, name, compute, parts)."""
    prefetch_versions({ns.name: ns for ns, *_rest in entries}.values())
    keys = [ns.key(name, *parts) for ns, name, _compute, parts in entries]
    found = cache.get_many(keys)
    values, missing = [], {}
    for (ns, _name, compute, _parts), k in zip(entries, keys, strict=True):
        if k in found:
            values.append(found[k])
        else:
            value = compute()
            missing.setdefault(ns.ttl, {})[k] = value
            values.append(value)
    for ttl, items in missing.items():
        cache.set_many(items, ttl)
    return values


# Cached HTML with forms holds this placeholder where the CSRF token goes; `with_csrf` puts
# in the token of the request that is served (render the fragment with
# {"csrf_token": CSRF_PLACEHOLDER} in its context).
CSRF_PLACEHOLDER = "@@csrf-token@@"


def with_csrf(html: str, request):
    from django.middleware.csrf import get_token
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    return mark_safe(html.replace(CSRF_PLACEHOLDER, escape(get_token(request))))  # noqa: S308 - our own template


# The network (streets and communities) as shown in filters and lists, and the announcements;
# not the user table, which changes at every login and must not make every list stale.
CENTER = Namespace("center", models=("center.NetworkUnit", "center.Announcement"))
