"""center.caching: the shared, versioned caches behind the workbench counts and the big lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from center.caching import Namespace
from tests.factories import make_org


@pytest.mark.django_db
def test_a_value_is_computed_once_per_data_version():
    ns = Namespace("test-ns", models=("organizations.Organization",))
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert ns.cached("n", compute) == 1
    assert ns.cached("n", compute) == 1  # from the cache
    assert ns.cached("n", compute, "other part") == 2  # another key
    ns.data_changed()
    assert ns.cached("n", compute) == 3


@pytest.mark.django_db
def test_none_is_cached_like_any_value():
    ns = Namespace("test-none")
    calls = []
    assert ns.cached("x", lambda: calls.append(1)) is None
    assert ns.cached("x", lambda: calls.append(1)) is None
    assert calls == [1]


@pytest.mark.django_db
def test_saving_deleting_or_relinking_a_model_of_the_app_changes_the_version():
    from organizations.caching import DATA
    from organizations.models import ServiceArea

    before = DATA.data_version()
    org = make_org("缓存测试协会")
    after_create = DATA.data_version()
    assert after_create != before
    area = ServiceArea.objects.first() or ServiceArea.objects.create(name="养老服务")
    org.service_areas.add(area)  # many-to-many change
    after_m2m = DATA.data_version()
    assert after_m2m != after_create
    org.delete()
    assert DATA.data_version() != after_m2m


@pytest.mark.django_db
def test_the_workbench_counts_come_from_the_cache_and_follow_a_write(client, staff):
    client.force_login(staff)
    with CaptureQueriesContext(connection) as cold:
        assert client.get("/workbench/").status_code == 200
    with CaptureQueriesContext(connection) as cold_again:
        client.get("/workbench/")
    # Read again: the session, the user, the holiday calendar's years, the nav's membership
    # check and the unread count; none of the panels' counts.
    assert len(cold) > 10
    assert len(cold_again) <= 5, "\n".join(q["sql"][:160] for q in cold_again)

    def pending_count(response):
        for panel in response.context["panels"]:
            for item in panel["items"]:
                if str(item.label) in ("Organizations to verify", "待核验的社会组织"):
                    return item.count
        raise AssertionError("no 'organizations to verify' item")

    before = pending_count(client.get("/workbench/"))
    make_org("新申请协会", status="pending")
    assert pending_count(client.get("/workbench/")) == before + 1


@pytest.mark.django_db
def test_within_a_request_each_version_is_read_once_and_a_write_is_seen():
    from unittest import mock

    from django.core.cache import cache
    from django.test import RequestFactory

    from center.caching import VersionMemoMiddleware

    ns = Namespace("test-memo")
    ns.data_version()  # created beforehand (creating it reads twice)
    seen = {}

    def view(request):
        with mock.patch.object(cache, "get", wraps=cache.get) as spy:
            first = ns.data_version()
            assert ns.data_version() == first
            seen["reads"] = sum(1 for c in spy.call_args_list if c.args[0] == ns.version_key)
        ns.data_changed()  # a write in the same request
        seen["after_write"] = ns.data_version()
        seen["first"] = first
        return "ok"

    assert VersionMemoMiddleware(view)(RequestFactory().get("/")) == "ok"
    assert seen["reads"] == 1
    assert seen["after_write"] != seen["first"]
    assert ns.data_version() == seen["after_write"]  # outside a request: read from the cache


@pytest.mark.django_db
def test_the_unread_badge_is_cached_and_follows_new_read_and_deleted_messages(client, staff):
    from center import services
    from tests.queries import count_queries

    client.force_login(staff)

    def badge():
        return client.get("/workbench/").context["unread_notifications"]

    assert badge() == 0
    _n, sql = count_queries(lambda: client.get("/workbench/"))
    assert not any("center_notification" in q for q in sql)  # from the cache
    assert not any("django_session" in q for q in sql)  # the session too (cached_db)
    note = services.notification_send(user=staff, title="新的评审任务", email=False)
    services.notification_send(user=staff, title="年检提醒", email=False)
    assert badge() == 2
    services.notification_mark_read(user=staff, notification_id=note.pk)  # an update(): no signal
    assert badge() == 1
    staff.notifications.filter(read_at__isnull=True).get().delete()
    assert badge() == 0


@pytest.mark.django_db
def test_cached_many_answers_several_entries_with_one_read_and_computes_only_the_missing():
    from unittest import mock

    from django.core.cache import cache

    from center.caching import cached_many

    a, b = Namespace("test-many-a"), Namespace("test-many-b")
    calls = []

    def compute(value):
        def run():
            calls.append(value)
            return value

        return run

    entries = [(a, "x", compute(1), ("p",)), (b, "y", compute(None), ("q",)), (a, "z", compute(3), ())]
    assert cached_many(entries) == [1, None, 3]
    with mock.patch.object(cache, "get_many", wraps=cache.get_many) as spy:
        assert cached_many(entries) == [1, None, 3]
    assert calls == [1, None, 3]  # nothing computed twice, None included
    assert spy.call_count == 1  # one read for the values (no request: versions read directly)
    b.data_changed()
    assert cached_many(entries) == [1, None, 3]
    assert calls == [1, None, 3, None]  # only b's entry again


@pytest.mark.django_db
def test_a_shared_list_api_is_served_from_the_cache_and_follows_a_change(client, network):
    from tests.queries import count_queries

    def names():
        return [
            u["name"] for u in client.get("/api/v1/network-units/", {"level": "street"}).json()["results"]
        ]

    assert "南门街道" in names()
    _n, sql = count_queries(lambda: client.get("/api/v1/network-units/", {"level": "street"}))
    assert not any("center_networkunit" in q for q in sql)
    network.nanmen.name = "南门街道（更名）"
    network.nanmen.save()
    assert "南门街道（更名）" in names()
    assert client.get("/api/v1/network-units/", {"level": "nowhere"}).status_code == 400  # still checked
