"""Query-count assertions: a list must not issue more queries as its rows grow."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(fn: Callable[[], object]) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
        status = getattr(result, "status_code", 200)
        assert status < 400, f"request failed with {status}"
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def assert_constant_queries(request: Callable[[], object], grow: Callable[[], None]) -> int:
    """Run `request`, add rows with `grow`, run it again, each time on an empty cache: the
    two counts must be equal.

    On failure the message lists the SQL of the second run, Zulip-style.
    """
    # Both runs start from an empty shared cache: the count is that of the path that computes
    # the page (center.caching keeps counts, rows and the session between requests).
    before, _ = count_queries(cold(request))
    grow()
    after, sql = count_queries(cold(request))
    assert after == before, f"query count grew from {before} to {after} as rows grew:\n" + "\n".join(sql)
    return after


def cold(fn: Callable[[], object]) -> Callable[[], object]:
    """`fn` with the shared cache emptied first: the query count of the path that computes the
    cached lists and fragments (center.caching), not of a cache hit."""

    def run():
        from django.core.cache import cache

        cache.clear()
        return fn()

    return run
