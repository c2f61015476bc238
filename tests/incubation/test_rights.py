"""Refusals from the refused side, on the pages and the API: an incubatee sees only its own
applications, agreements, reports and bookings; a street handler manages only its own
sub-base; residents, visitors and other departments are kept off the staff pages and
exports; nobody without rights approves a pre-booking. Nothing is written on a refused POST."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse

from center.models import Notification
from incubation import services
from incubation.models import (
    Agreement,
    Application,
    Booking,
    GraduationEvaluation,
    Handover,
    QuarterlyReport,
    ServiceLogEntry,
    Waiver,
)
from tests.incubation.factories import TODAY, at, make_agreement, make_booking, make_call, make_incubatee

pytestmark = pytest.mark.django_db
TOMORROW = TODAY + timedelta(days=1)


def _application(call, user, inc, *, submit=True):
    app = services.application_create(
        call=call,
        user=user,
        organization_id=inc.organization_id,
        service_area="助老",
        team="三名社工",
        plan=f"{inc.name}的孵化计划",
        space_need="office",
    )
    return services.application_transition(app, to="submitted", by=user) if submit else app


def _agreement(inc, space):
    agreement = make_agreement(inc, space)
    services.quarterly_reports_schedule(agreement=agreement)
    return agreement


@pytest.fixture
def world(base, spaces, call, incubatee, other_incubatee, sub_base, ops):
    """Incubatee A and B at the district base, C at the Nanmen street sub-base; each with an
    application, an agreement with its quarterly reports, a confirmed booking and a pending
    pre-booking; an open handover at each base."""
    a_user, a_inc = incubatee
    b_user, b_inc = other_incubatee
    c_user, c_inc = make_incubatee("org_inc_nanmen")
    w = SimpleNamespace(a_user=a_user, a_inc=a_inc, b_user=b_user, b_inc=b_inc, c_user=c_user, c_inc=c_inc)
    w.app_a = _application(call, a_user, a_inc)
    w.app_b = _application(call, b_user, b_inc, submit=False)
    w.call_n = make_call(sub_base.base)
    w.app_c = _application(w.call_n, c_user, c_inc)
    w.agr_a = _agreement(a_inc, spaces.office1)
    w.agr_b = _agreement(b_inc, spaces.office2)
    w.agr_c = _agreement(c_inc, sub_base.office)
    w.rep_a = w.agr_a.reports.order_by("year", "quarter").first()
    w.rep_c = w.agr_c.reports.order_by("year", "quarter").first()
    w.book_a = make_booking(spaces.room, a_user, at(TOMORROW, 10), title="A的理事会密谈")
    w.book_a.incubatee = a_inc
    w.book_a.save()
    w.pending_a = make_booking(spaces.room2, a_user, at(TOMORROW, 14), status="pending", title="A的预约")
    w.pending_c = make_booking(sub_base.room, c_user, at(TOMORROW, 14), status="pending", title="C的预约")
    gone_d = make_agreement(make_incubatee("org_inc_gone")[1], spaces.desk1)
    w.handover = Handover.objects.create(
        agreement=gone_d, started_on=TODAY, due_on=TODAY + timedelta(days=21)
    )
    return w


def _object_pages(w, which: str) -> list[str]:
    app, agr, rep, book = {
        "a": (w.app_a, w.agr_a, w.rep_a, w.book_a),
        "c": (w.app_c, w.agr_c, w.rep_c, w.pending_c),
    }[which]
    return [
        reverse("incubation:application_detail", args=[app.pk]),
        reverse("incubation:application_edit", args=[app.pk]),
        reverse("incubation:agreement_detail", args=[agr.pk]),
        reverse("incubation:report_detail", args=[rep.pk]),
        reverse("incubation:booking_detail", args=[book.pk]),
    ]


# --- one incubatee and another's records ---------------------------------------------------


def test_incubatee_gets_404_on_anothers_pages_and_nothing_leaks(client, world):
    client.force_login(world.b_user)
    for url in _object_pages(world, "a"):
        assert client.get(url).status_code == 404, url
    mine = client.get(reverse("incubation:mine")).content.decode()
    assert world.a_inc.name not in mine and "A的理事会密谈" not in mine and world.agr_a.number not in mine
    assert world.b_inc.name in mine


def test_incubatee_refused_posts_on_anothers_records_write_nothing(client, world):
    client.force_login(world.b_user)
    posts = [
        (reverse("incubation:application_move", args=[world.app_a.pk]), {"to": "returned", "reason": "x"}),
        (reverse("incubation:application_edit", args=[world.app_a.pk]), {"plan": "改写"}),
        (reverse("incubation:agreement_renewal", args=[world.agr_a.pk]), {"note": "续约"}),
        (reverse("incubation:agreement_move", args=[world.agr_a.pk]), {"to": "ended_early", "reason": "x"}),
        (
            reverse("incubation:report_detail", args=[world.rep_a.pk]),
            {"activities": "冒名", "people_served": 1, "volunteers": 1, "income": 0},
        ),
        (reverse("incubation:booking_move", args=[world.book_a.pk]), {"to": "cancelled"}),
        (reverse("incubation:booking_check_in", args=[world.book_a.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert Application.objects.get(pk=world.app_a.pk).status == "submitted"
    assert "冒名" not in QuarterlyReport.objects.get(pk=world.rep_a.pk).activities
    agreement = Agreement.objects.get(pk=world.agr_a.pk)
    assert agreement.renewal == "" and agreement.status == "active"
    booking = Booking.objects.get(pk=world.book_a.pk)
    assert booking.status == "confirmed" and booking.checked_in_at is None


def test_incubatee_api_lists_only_its_own_and_404_on_anothers(client, world):
    client.force_login(world.b_user)
    apps = client.get("/api/v1/incubation/applications/").json()["results"]
    assert [a["id"] for a in apps] == [world.app_b.pk]
    agreements = client.get("/api/v1/incubation/agreements/").json()["results"]
    assert [a["id"] for a in agreements] == [world.agr_b.pk]
    assert client.get("/api/v1/incubation/bookings/").json()["results"] == []
    assert client.get(f"/api/v1/incubation/agreements/{world.agr_a.pk}/").status_code == 404
    assert client.post(f"/api/v1/incubation/bookings/{world.book_a.pk}/cancel/").status_code == 404
    assert Booking.objects.get(pk=world.book_a.pk).status == "confirmed"
    body = client.get("/api/v1/incubation/spaces/", {"day": TOMORROW.isoformat()}).content.decode()
    assert "A的理事会密谈" not in body  # availability shows busy times, never another's title


def test_public_week_grid_hides_other_bookers_titles(client, world, spaces, ops):
    url = reverse("incubation:space_detail", args=[spaces.room.pk]) + f"?week={TOMORROW}"
    assert "A的理事会密谈" not in client.get(url).content.decode()  # a visitor
    client.force_login(world.b_user)
    page = client.get(url).content.decode()
    assert "A的理事会密谈" not in page and "10:00" in page
    floor = reverse("incubation:floor_week", args=[spaces.room.base_id, 1]) + f"?week={TOMORROW}"
    assert "A的理事会密谈" not in client.get(floor).content.decode()
    client.force_login(world.a_user)
    assert "A的理事会密谈" in client.get(url).content.decode()
    client.force_login(ops)
    assert "A的理事会密谈" in client.get(floor).content.decode()
    # The floor grid is cached per audience: what the staff saw is not what a visitor gets.
    client.logout()
    assert "A的理事会密谈" not in client.get(floor).content.decode()
    client.force_login(world.b_user)
    assert "A的理事会密谈" not in client.get(floor).content.decode()


def test_incubatee_cannot_act_as_staff_on_its_own_agreement(client, world, spaces):
    client.force_login(world.a_user)
    agreement_url = reverse("incubation:agreement_detail", args=[world.agr_a.pk])
    r = client.post(
        reverse("incubation:waiver_add", args=[world.agr_a.pk]),
        {
            "item": "rent",
            "percent": "100",
            "monthly_value": "2000",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + timedelta(days=30)).isoformat(),
        },
        follow=True,
    )
    assert r.redirect_chain[-1][0] == agreement_url
    r = client.post(
        reverse("incubation:graduation_evaluate", args=[world.agr_a.pk]),
        {"outcome": "graduate", "registered": "on"},
        follow=True,
    )
    assert r.redirect_chain[-1][0] == agreement_url
    client.post(
        reverse("incubation:agreement_move", args=[world.agr_a.pk]), {"to": "ended_early", "reason": "x"}
    )
    client.post(
        reverse("incubation:application_move", args=[world.app_a.pk]), {"to": "screened", "reason": ""}
    )
    r = client.post(reverse("incubation:report_detail", args=[world.rep_a.pk]), {"action": "assess"})
    assert r.status_code == 403
    assert not Waiver.objects.exists() and not GraduationEvaluation.objects.exists()
    assert Agreement.objects.get(pk=world.agr_a.pk).status == "active"
    assert Application.objects.get(pk=world.app_a.pk).status == "submitted"
    assert Handover.objects.filter(agreement=world.agr_a).count() == 0


# --- street handlers -----------------------------------------------------------------------


def test_street_handler_manages_its_sub_base(client, world, handler_nanmen):
    client.force_login(handler_nanmen)
    for url in _object_pages(world, "c")[:1] + _object_pages(world, "c")[2:]:
        assert client.get(url).status_code == 200, url
    listing = client.get(reverse("incubation:application_list")).content.decode()
    assert world.c_inc.name in listing and world.a_inc.name not in listing
    agreements = client.get(reverse("incubation:agreement_list")).content.decode()
    assert world.agr_c.number in agreements and world.agr_a.number not in agreements
    client.post(reverse("incubation:application_move", args=[world.app_c.pk]), {"to": "screened"})
    assert Application.objects.get(pk=world.app_c.pk).status == "screened"
    client.post(reverse("incubation:booking_move", args=[world.pending_c.pk]), {"to": "confirmed"})
    assert Booking.objects.get(pk=world.pending_c.pk).status == "confirmed"


def test_street_handler_refused_on_the_district_base(client, world, handler_nanmen):
    client.force_login(handler_nanmen)
    for url in _object_pages(world, "a"):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("incubation:handover_detail", args=[world.handover.pk])).status_code == 404
    handovers = client.get(reverse("incubation:handover_list")).content.decode()
    assert world.handover.agreement.incubatee.name not in handovers
    reports = client.get(reverse("incubation:report_list")).content.decode()
    assert world.a_inc.name not in reports
    assert (
        client.post(
            reverse("incubation:application_move", args=[world.app_a.pk]), {"to": "screened"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("incubation:booking_move", args=[world.pending_a.pk]), {"to": "confirmed"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("incubation:handover_detail", args=[world.handover.pk]),
            {"keys_returned": "on", "desks_cleared": "on", "deposit_refunded": "on"},
        ).status_code
        == 404
    )
    assert Application.objects.get(pk=world.app_a.pk).status == "submitted"
    assert Booking.objects.get(pk=world.pending_a.pk).status == "pending"
    assert Handover.objects.get(pk=world.handover.pk).status == "open"
    for name in ("export_agreements", "export_waivers", "export_service_log", "service_log"):
        assert client.get(reverse(f"incubation:{name}")).status_code == 403, name


def test_street_handler_refused_on_another_streets_sub_base(client, world, handler_yuehu):
    client.force_login(handler_yuehu)
    for url in _object_pages(world, "c"):
        assert client.get(url).status_code == 404, url
    assert world.c_inc.name not in client.get(reverse("incubation:application_list")).content.decode()
    assert (
        client.post(
            reverse("incubation:booking_move", args=[world.pending_c.pk]), {"to": "confirmed"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("incubation:application_move", args=[world.app_c.pk]), {"to": "screened"}
        ).status_code
        == 404
    )
    assert Booking.objects.get(pk=world.pending_c.pk).status == "pending"
    assert Application.objects.get(pk=world.app_c.pk).status == "submitted"
    assert client.get(reverse("incubation:floor_plan")).status_code == 403  # no sub-base of its own


# --- residents, visitors, other departments ---------------------------------------------------

STAFF_PAGES = [
    "manage",
    "application_list",
    "agreement_list",
    "report_list",
    "handover_list",
    "service_log",
    "floor_plan",
    "blocked_period_add",
]
EXPORTS = ["export_agreements", "export_waivers", "export_service_log"]


def test_visitor_is_sent_to_log_in_and_refused_exports(client, world):
    for name in STAFF_PAGES:
        r = client.get(reverse(f"incubation:{name}"))
        assert r.status_code == 302 and "/login" in r["Location"], name
    for name in EXPORTS:
        r = client.get(reverse(f"incubation:{name}"))
        assert r.status_code in (302, 403), name
        assert not r.get("Content-Type", "").startswith("application/vnd")
    assert client.get(reverse("incubation:mine")).status_code == 302


@pytest.mark.parametrize("who", ["resident", "incubatee", "other_staff"])
def test_resident_incubatee_and_other_departments_refused_staff_pages(
    client, world, resident, other_staff, who
):
    user = {"resident": resident, "incubatee": world.a_user, "other_staff": other_staff}[who]
    client.force_login(user)
    for name in STAFF_PAGES + EXPORTS:
        assert client.get(reverse(f"incubation:{name}")).status_code == 403, name
    r = client.post(
        reverse("incubation:service_log"),
        {"incubatee": world.a_inc.pk, "kind": "mentoring", "date": TODAY, "hours": 2, "summary": "x"},
    )
    assert r.status_code == 403
    r = client.post(
        reverse("incubation:blocked_period_add"),
        {"starts_at": f"{TOMORROW}T08:00", "ends_at": f"{TOMORROW}T12:00", "reason": "x"},
    )
    assert r.status_code == 403
    assert not ServiceLogEntry.objects.exists()
    assert client.get(reverse("incubation:handover_detail", args=[world.handover.pk])).status_code == 403


def test_other_department_staff_see_no_incubatee_records(client, world, other_staff):
    client.force_login(other_staff)
    for url in _object_pages(world, "a"):
        assert client.get(url).status_code == 404, url


def test_api_refuses_visitors_and_those_the_room_is_not_open_to(client, world, spaces, resident):
    for path in ("bookings/", "applications/", "agreements/", f"agreements/{world.agr_a.pk}/"):
        assert client.get(f"/api/v1/incubation/{path}").status_code in (401, 403), path
    payload = {
        "space": spaces.room.pk,
        "title": "占位",
        "starts_at": at(TOMORROW, 15).isoformat(),
        "ends_at": at(TOMORROW, 16).isoformat(),
    }
    assert client.post("/api/v1/incubation/bookings/create/", payload).status_code in (401, 403)
    client.force_login(resident)
    assert client.post("/api/v1/incubation/bookings/create/", payload).status_code == 403
    assert client.post(f"/api/v1/incubation/bookings/{world.book_a.pk}/cancel/").status_code == 404
    assert client.get(f"/api/v1/incubation/agreements/{world.agr_a.pk}/").status_code == 404
    assert client.get("/api/v1/incubation/applications/").json()["results"] == []
    assert not Booking.objects.filter(title="占位").exists()


# --- pre-booking approval ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "other_incubatee", "resident", "other_staff", "handler_nanmen"])
def test_nobody_without_rights_approves_a_prebooking(
    client, world, resident, other_staff, handler_nanmen, who
):
    user = {
        "owner": world.a_user,
        "other_incubatee": world.b_user,
        "resident": resident,
        "other_staff": other_staff,
        "handler_nanmen": handler_nanmen,
    }[who]
    client.force_login(user)
    url = reverse("incubation:booking_move", args=[world.pending_a.pk])
    r = client.post(url, {"to": "confirmed"})
    assert r.status_code in (302, 404)
    if r.status_code == 302:  # the owner sees its booking and an error message
        page = client.get(r["Location"]).content.decode()
        assert "只有本孵化基地的管理人员" in page
    assert Booking.objects.get(pk=world.pending_a.pk).status == "pending"
    assert not Notification.objects.filter(title__contains="确认").exists()
    assert not world.pending_a.status_changes.exclude(to_status="").filter(to_status="confirmed").exists()


def test_operations_staff_approve_a_prebooking(client, world, ops):
    client.force_login(ops)
    client.post(reverse("incubation:booking_move", args=[world.pending_a.pk]), {"to": "confirmed"})
    assert Booking.objects.get(pk=world.pending_a.pk).status == "confirmed"
