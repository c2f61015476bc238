"""center.cache_backend.RedisCache against a real Redis (skipped where none answers; .ci/run
starts one)."""

from __future__ import annotations

import socket

import pytest

from center.cache_backend import RedisCache

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
        return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")


def test_one_client_per_pool_and_the_cache_behaves_like_djangos():
    cache = RedisCache("redis://127.0.0.1:6379/14", {"KEY_PREFIX": "test-backend"})
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is client  # not a new redis.Redis per operation
    assert cache._cache.get_client("c", write=True) is client  # one server: one pool

    cache.set("a", {"n": 1}, 30)
    cache.set("none", None, 30)
    assert cache.get("a") == {"n": 1}
    assert cache.get_many(["a", "none", "missing"]) == {"a": {"n": 1}, "none": None}
    assert cache.add("a", 2, 30) is False
    cache.delete("a")
    assert cache.get("a", "gone") == "gone"
    cache.delete("none")


def test_a_redis_cache_url_selects_it():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **os.environ,
        "CACHE_URL": "redis://127.0.0.1:6379/1",
        "DJANGO_SETTINGS_MODULE": "center.settings.local",
    }
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "center.cache_backend.RedisCache"
