"""Every list keeps its query count as it grows from 2 to 20 rows: the public pages, the
staff pages, the applicant's own page, the week grid (per room and per floor), the floor
plan and the API (availability, own bookings, applications, agreements)."""

from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.urls import reverse

from incubation import services
from incubation.models import (
    Application,
    FollowUp,
    Handover,
    Incubatee,
    ServiceLogEntry,
    Waiver,
)
from tests.incubation.factories import (
    TODAY,
    at,
    make_agreement,
    make_booking,
    make_incubatee,
    make_room,
    make_space,
)
from tests.queries import assert_constant_queries

pytestmark = pytest.mark.django_db
TOMORROW = TODAY + timedelta(days=1)
MONDAY = TODAY - timedelta(days=TODAY.weekday())


def check_2_to_20(client, url: str, add_one, shows=None) -> None:
    """Two rows, count the page's queries; eighteen more, count again: the same. `shows`:
    a function of the last row added giving a text the page must then contain."""
    for _ in range(2):
        add_one()
    assert_constant_queries(lambda: client.get(url), lambda: [add_one() for _ in range(18)])
    if shows is not None:
        assert shows(add_one.last) in client.get(url).content.decode()


@pytest.fixture
def grow(base, spaces, call, ops):
    """Each call adds one incubatee with everything the lists show: a submitted application
    with panel scores, an agreement over a new office (ending soon) with two waivers and its
    quarterly reports (one filed), an open handover of an earlier agreement, a service log
    entry, a confirmed booking and a pending one this week, and a new room on floor 1."""
    seq = count()

    def add():
        n = next(seq)
        user, inc = make_incubatee(f"grow_{n}")
        Incubatee.objects.filter(pk=inc.pk).update(listed_publicly=True)
        app = services.application_create(
            call=call,
            user=user,
            organization_id=inc.organization_id,
            service_area="助老",
            team="t",
            plan="p",
            space_need="office",
        )
        services.application_transition(app, to="submitted", by=user)
        office = make_space(base, f"G{n:03d}", x=n % 10, y=2 + n // 10)
        agreement = make_agreement(
            inc, office, starts_on=TODAY - timedelta(days=300), ends_on=TODAY + timedelta(days=20 + n)
        )
        for item in ("rent", "water"):
            Waiver.objects.create(
                agreement=agreement,
                item=item,
                percent=Decimal("50"),
                monthly_value=Decimal("1000"),
                starts_on=agreement.starts_on,
                ends_on=agreement.ends_on,
            )
        services.quarterly_reports_schedule(agreement=agreement)
        report = agreement.reports.order_by("year", "quarter").first()
        services.quarterly_report_submit(
            report=report, user=user, activities="a", people_served=1, volunteers=1, income=0, today=TODAY
        )
        desk = make_space(base, f"GD{n:03d}", kind="desk", x=n % 10, y=5 + n // 10)
        earlier = make_agreement(
            inc, desk, starts_on=TODAY - timedelta(days=400), ends_on=TODAY - timedelta(days=40)
        )
        Handover.objects.create(agreement=earlier, started_on=TODAY, due_on=TODAY + timedelta(days=21))
        FollowUp.objects.create(agreement=earlier, months=6, due_on=TODAY - timedelta(days=1))
        ServiceLogEntry.objects.create(
            incubatee=inc, kind="mentoring", date=TODAY, hours=2, given_by=ops, summary="辅导"
        )
        room = make_room(base, f"GR{n:03d}", x=n % 10, y=8)
        hour = 9 + n % 8
        # a slot of its own for every n below 40 (PostgreSQL refuses overlapping confirmed bookings)
        make_booking(
            spaces.room, user, at(TOMORROW + timedelta(days=n % 5), 9 + (n // 5) % 8), title=f"会{n}"
        )
        make_booking(spaces.room2, user, at(TOMORROW, hour), status="pending", title=f"待{n}")
        make_booking(room, ops, at(TOMORROW, 10), title=f"房{n}")
        add.last = {"name": inc.name, "office": office.code, "room": room.code, "number": agreement.number}

    return add


PUBLIC = [
    ("incubation:home", None),
    ("incubation:incubatee_list", "name"),
    ("incubation:room_list", "room"),
]
STAFF = [
    ("incubation:manage", "", "name"),
    ("incubation:application_list", "", "name"),
    ("incubation:application_list", "?status=submitted&q=测试", "name"),
    ("incubation:agreement_list", "", "number"),
    ("incubation:agreement_list", "?ending=60", "number"),
    ("incubation:report_list", "", "name"),
    ("incubation:handover_list", "", "name"),
    ("incubation:service_log", "", "name"),
    ("incubation:floor_plan", "", "office"),
]


def _shows(key):
    return (lambda last: last[key]) if key else None


@pytest.mark.parametrize(("name", "key"), PUBLIC, ids=[n for n, _k in PUBLIC])
def test_public_lists(client, grow, name, key):
    check_2_to_20(client, reverse(name) + f"?day={TOMORROW}", grow, _shows(key))


@pytest.mark.parametrize(("name", "query", "key"), STAFF, ids=[n + q for n, q, _k in STAFF])
def test_staff_lists(client, grow, ops, name, query, key):
    client.force_login(ops)
    check_2_to_20(client, reverse(name) + query, grow, _shows(key))


@pytest.mark.parametrize("viewer", ["visitor", "incubatee", "ops"])
def test_week_grid_per_room_and_per_floor(client, grow, spaces, base, incubatee, ops, viewer):
    if viewer != "visitor":
        client.force_login({"incubatee": incubatee[0], "ops": ops}[viewer])
    room = reverse("incubation:space_detail", args=[spaces.room.pk]) + f"?week={MONDAY}"
    floor = reverse("incubation:floor_week", args=[base.pk, 1]) + f"?week={MONDAY}"
    check_2_to_20(client, room, grow)
    assert_constant_queries(lambda: client.get(floor), lambda: [grow() for _ in range(5)])
    assert grow.last["room"] in client.get(floor).content.decode()


def test_street_handler_lists(client, sub_base, handler_nanmen):
    from tests.incubation.factories import make_call

    call = make_call(sub_base.base)
    seq = count()

    def add():
        n = next(seq)
        user, inc = make_incubatee(f"nanmen_{n}")
        app = services.application_create(
            call=call,
            user=user,
            organization_id=inc.organization_id,
            service_area="助老",
            team="t",
            plan="p",
            space_need="virtual",
        )
        services.application_transition(app, to="submitted", by=user)
        office = make_space(sub_base.base, f"NG{n:03d}", x=n)
        agreement = make_agreement(inc, office, ends_on=TODAY + timedelta(days=30))
        add.last = {"name": inc.name, "number": agreement.number, "office": office.code}

    client.force_login(handler_nanmen)
    check_2_to_20(client, reverse("incubation:manage"), add, _shows("name"))
    for name in ("application_list", "agreement_list"):  # 40 and 60 rows by now: paginated
        check_2_to_20(client, reverse(f"incubation:{name}"), add)
    check_2_to_20(client, reverse("incubation:floor_plan"), add, _shows("office"))


def test_applicants_own_page(client, spaces, base, call):
    user, first = make_incubatee("mine_many")
    seq = count()

    def add():
        n = next(seq)
        inc = Incubatee.objects.create(name=f"小组{n}", contact=user, status="incubating")
        Application.objects.create(
            call=call,
            incubatee=inc,
            created_by=user,
            service_area="s",
            team="t",
            plan="p",
            space_need="virtual",
        )
        agreement = make_agreement(inc, make_space(base, f"M{n:03d}"))
        services.quarterly_reports_schedule(agreement=agreement)
        FollowUp.objects.create(agreement=agreement, months=6, due_on=TODAY)
        make_booking(spaces.room, user, at(TOMORROW + timedelta(days=n % 5), 9 + n % 8), title=f"我的{n}")
        add.last = agreement.number

    client.force_login(user)
    check_2_to_20(client, reverse("incubation:mine"), add, lambda last: last)


def test_api_availability_and_own_lists(client, grow, spaces, incubatee):
    check_2_to_20(client, f"/api/v1/incubation/spaces/?day={TOMORROW}", grow)
    user, inc = incubatee
    seq = count()

    def add_own():
        n = next(seq)
        # days after those `grow` books, so the two never overlap
        make_booking(spaces.room, user, at(TOMORROW + timedelta(days=7 + n), 9 + n % 8), title=f"我的{n}")
        make_agreement(inc, make_space(spaces.room.base, f"API{n:03d}"))

    client.force_login(user)
    for path in ("bookings/", "agreements/", "applications/"):
        check_2_to_20(client, f"/api/v1/incubation/{path}", add_own)
