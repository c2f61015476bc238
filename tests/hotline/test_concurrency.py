"""Tracking numbers under concurrent filing (PostgreSQL: real row locks across connections)."""

import threading

import pytest
from django.db import connection

from hotline import services


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocation_never_repeats_a_number():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, select_for_update is a no-op there")
    from django.db import connections

    results, errors = [], []

    def worker():
        try:
            for _ in range(10):
                results.extend(services.tracking_numbers_allocate(year=2026))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 80 and len(set(results)) == 80
    assert sorted(results)[-1] == "HS2026000080"
