"""Figures from database aggregates: rates, handling time, breakdowns, export, home figures."""

import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from center import registry
from hotline import selectors, services
from hotline.models import Ticket
from tests.factories import WEDNESDAY
from tests.hotline.factories import aware, category, file_ticket
from tests.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def _close(people, ticket, result="satisfied", answer_at=None, clock=None):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    services.ticket_sign_for(ticket=ticket, actor=people.street)
    if answer_at:
        clock.set(answer_at)
    services.ticket_answer(ticket=ticket, actor=people.street, text="答复")
    services.callback_record(ticket=ticket, actor=people.dispatcher, result=result, objective_reason=True)


def test_rates_and_average_handling_time(people, clock):
    clock.set(aware(2026, 3, 2, 9))
    a = file_ticket(ticket_type="consultation")
    _close(people, a, "satisfied", aware(2026, 3, 4, 9), clock)  # 2 working days, on time
    clock.set(aware(2026, 3, 2, 9))
    b = file_ticket(ticket_type="consultation", category=category("children"))
    _close(people, b, "dissatisfied", aware(2026, 3, 9, 9), clock)  # 5 working days, late
    clock.set(aware(2026, 3, 2, 9))
    file_ticket(ticket_type="help")  # open, no deadline yet: not counted against the rate
    late = file_ticket(ticket_type="consultation")
    services.ticket_dispatch(ticket=late, unit=people.net.yuehu, actor=people.dispatcher)
    clock.set(aware(2026, 3, 20, 9))  # `late` is past its deadline and still open
    f = selectors.hotline_figures()
    assert f["total"] == 4 and f["closed"] == 2 and f["due"] == 3 and f["overdue_open"] == 1
    assert f["resolution_rate"] == pytest.approx(2 / 3)
    assert f["on_time_rate"] == pytest.approx(0.5)
    assert f["satisfaction_rate"] == pytest.approx(0.5)
    assert f["avg_days"] == pytest.approx(3.5)
    b = selectors.hotline_breakdowns()
    assert {r["label"]: r["count"] for r in b["category"]} == {"养老服务": 3, "儿童关爱": 1}
    assert [r["count"] for r in b["month"]] == [4] and b["month"][0]["label"] == "2026-03"
    assert {r["label"]: r["count"] for r in b["unit"]}["南门街道"] == 2


def test_headline_on_the_home_page(client, people):
    _close(people, file_ticket())
    file_ticket()  # received, within its time: not yet due
    assert selectors.hotline_headline() == {"total": 2, "resolved_rate": 1.0}
    late = file_ticket()
    services.ticket_dispatch(ticket=late, unit=people.net.nanmen, actor=people.dispatcher)
    Ticket.objects.filter(pk=late.pk).update(answer_due=WEDNESDAY - timedelta(days=1))
    assert selectors.hotline_headline() == {"total": 3, "resolved_rate": 0.5}
    figures = {f.key: f.compute() for f in registry.home_figures()}
    assert figures["hotline_requests"] == 3 and figures["hotline_resolved"] == "50%"
    page = client.get("/")
    assert "50%" in page.text


def test_statistics_page_staff_only_and_export(client, people):
    _close(people, file_ticket())
    client.force_login(people.street)
    assert client.get(reverse("hotline:statistics")).status_code == 403
    client.force_login(people.other_staff)
    page = client.get(reverse("hotline:statistics"))
    assert page.status_code == 200 and "bar-chart" in page.text and "100.0%" in page.text
    x = client.get(reverse("hotline:statistics"), {"format": "xlsx"})
    assert x["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True))
    assert ("养老服务", 1) in [(r[1], r[2]) for r in rows]
    assert ("办结率（%）", 100.0) in [(r[1], r[2]) for r in rows]
    assert ("平均办理用时（工作日）", 0.0) in [(r[1], r[2]) for r in rows]


def test_statistics_page_query_count_is_constant(client, people):
    _close(people, file_ticket())
    client.force_login(people.dispatcher)

    def grow():
        cache.clear()  # the page caches its figures for a few minutes; count a fresh computation
        for code in ("children", "disability"):
            _close(people, file_ticket(category=category(code), ticket_type="complaint"))
        services.ticket_dispatch(ticket=file_ticket(), unit=people.net.yuehu, actor=people.dispatcher)

    assert_constant_queries(lambda: client.get(reverse("hotline:statistics")), grow)


def test_workbench_panels(client, people):
    file_ticket()
    client.force_login(people.dispatcher)
    page = client.get(reverse("center:workbench"))
    assert reverse("hotline:desk") + "?queue=to_dispatch" in page.text
    client.force_login(people.street)
    page = client.get(reverse("center:workbench"))
    assert (
        reverse("hotline:unit") + "?queue=to_sign" in page.text and reverse("hotline:desk") not in page.text
    )


def test_community_tickets_count_under_their_street(people):
    services.ticket_dispatch(ticket=file_ticket(), unit=people.net.nanmen_c1, actor=people.dispatcher)
    services.ticket_dispatch(ticket=file_ticket(), unit=people.net.nanmen, actor=people.dispatcher)
    services.ticket_dispatch(ticket=file_ticket(), unit=people.net.yuehu_c1, actor=people.dispatcher)
    rows = {r["label"]: r["count"] for r in selectors.hotline_breakdowns()["unit"]}
    assert rows == {"南门街道": 2, "月湖街道": 1}


def test_on_time_rate_and_handling_days_exact_across_a_holiday_and_an_extension(
    people, clock, django_assert_num_queries
):
    """Computed by the database from the tickets' columns, in working days of the calendar:
    Fri Feb 13 2026 -> Wed Feb 25 spans the Spring Festival (Sat Feb 14 is a make-up working
    day, Feb 15-23 off): 3 working days."""

    def signed(start, ticket_type):
        clock.set(start)
        t = file_ticket(ticket_type=ticket_type)
        services.ticket_dispatch(ticket=t, unit=people.net.nanmen, actor=people.dispatcher)
        services.ticket_sign_for(ticket=t, actor=people.street)
        return t

    def answer(t, when):
        clock.set(when)
        services.ticket_answer(ticket=t, actor=people.street, text="答复")

    a = signed(aware(2026, 2, 13, 9), "consultation")  # due Feb 25
    answer(a, aware(2026, 2, 25, 9))  # 3 working days, on time
    b = signed(aware(2026, 3, 2, 9), "help")
    answer(b, aware(2026, 3, 3, 9))  # 1 working day, on time
    c = signed(aware(2026, 3, 2, 9), "consultation")  # due Thu Mar 5
    ext = services.extension_request(ticket=c, actor=people.street, reason="需协调", working_days=3)
    services.extension_decide(extension=ext, actor=people.dispatcher, approve=True)  # due Tue Mar 10
    answer(c, aware(2026, 3, 9, 9))  # 5 working days, on time thanks to the extension
    d = signed(aware(2026, 3, 2, 9), "consultation")
    answer(d, aware(2026, 3, 6, 9))  # 4 working days, late
    e = signed(aware(2026, 3, 2, 9), "consultation")
    answer(e, aware(2026, 3, 9, 9))  # late, then reopened: its first answer no longer counts
    services.callback_record(ticket=e, actor=people.dispatcher, result="dissatisfied")
    clock.set(aware(2026, 3, 9, 12))
    with django_assert_num_queries(1):
        f = selectors.hotline_figures()
    assert (f["answered"], f["on_time"]) == (4, 3)
    assert f["on_time_rate"] == pytest.approx(0.75)
    assert f["avg_days"] == pytest.approx((3 + 1 + 5 + 4) / 4)
    assert a.handling_working_days == 3


def test_statistics_page_in_english_names_undispatched_requests(client, people):
    file_ticket()
    cache.clear()
    client.force_login(people.dispatcher)
    page = client.get(reverse("hotline:statistics"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Not dispatched" in page and "resolution rate" in page
    page = client.get(reverse("hotline:statistics"), HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "未派单" in page


def test_statistics_period_filter_and_swapped_dates(client, people, clock):
    clock.set(aware(2026, 1, 10, 9))
    file_ticket()
    clock.set(aware(2026, 3, 10, 9))
    file_ticket()
    file_ticket()
    cache.clear()
    client.force_login(people.dispatcher)
    url = reverse("hotline:statistics")
    page = client.get(url, {"start": "2026-03-01", "end": "2026-03-31"}, HTTP_ACCEPT_LANGUAGE="en").text
    assert '<span class="figure-value">2</span><span class="figure-label">requests' in page
    page = client.get(url, {"start": "2026-03-31", "end": "2026-01-01"}, HTTP_ACCEPT_LANGUAGE="en").text
    assert "the dates were swapped" in page
    assert '<span class="figure-value">3</span><span class="figure-label">requests' in page
    page = client.get(url, {"start": "", "end": ""}, HTTP_ACCEPT_LANGUAGE="en").text  # all time
    assert '<span class="figure-value">3</span>' in page


@pytest.fixture(autouse=True)
def _pinned_now(pinned_wednesday):
    """These tests read "now": an ordinary working Wednesday (tests/factories.WEDNESDAY)."""
