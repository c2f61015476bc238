"""Paginators for the public directory: the total count of a filtered list is cached briefly.

COUNT(*) over ~100,000 verified organizations is the most expensive query of a directory page
and its exact value one minute ago is good enough for "N organizations" and the page links.
The key is the SQL of the list, so every filter combination has its own count.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from center.api.pagination import PortalPagination


def _ttl() -> int:
    return getattr(settings, "ORGANIZATIONS_COUNT_CACHE_SECONDS", 60)


class CachedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        ttl = _ttl()
        if ttl <= 0 or not hasattr(self.object_list, "query"):
            return super().count
        sql, params = self.object_list.query.sql_with_params()
        key = "organizations:count:" + hashlib.sha256(f"{sql}|{params}".encode()).hexdigest()
        value = cache.get(key)
        if value is None:
            value = self.object_list.count()
            cache.set(key, value, ttl)
        return value


class DirectoryApiPagination(PortalPagination):
    django_paginator_class = CachedCountPaginator
