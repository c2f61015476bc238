"""The bench seeder and pages (a small count here; `make bench` seeds 500,000)."""

import pytest

from center import registry
from center.demo import load_center_demo
from hotline import bench
from hotline.models import Ticket

pytestmark = pytest.mark.django_db


def test_seeder_is_fast_idempotent_and_pages_answer(client):
    from center.models import User

    load_center_demo()
    assert bench.seed_count(400) == 400
    assert bench.seed_count(400) == 0
    assert Ticket.objects.count() == 400
    assert len(set(Ticket.objects.values_list("tracking_number", flat=True))) == 400
    pages = [p for p in registry.bench_pages() if p.name.startswith("hotline")]
    assert len(pages) == 5
    for page in pages:
        login = page.login()
        if login:
            client.force_login(User.objects.get(username=login))
        else:
            client.logout()
        assert client.get(page.path()).status_code == 200, page.name
