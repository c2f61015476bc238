"""Tracking numbers under concurrent filing (PostgreSQL: real row locks across connections)."""

import pytest

from hotline import services
from tests.concurrency import requires_postgresql, run_concurrently


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_allocation_never_repeats_a_number():
    def worker():
        return [n for _ in range(10) for n in services.tracking_numbers_allocate(year=2026)]

    outcomes = run_concurrently(*[worker] * 8)
    assert [o.error for o in outcomes] == [None] * 8
    results = [n for o in outcomes for n in o.value]
    assert len(results) == 80 and len(set(results)) == 80
    assert sorted(results)[-1] == "HS2026000080"
