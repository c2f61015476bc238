"""Reads of incubation: every list is one query (plus pagination's count) whatever its
length — joins and annotations, never a query per row."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from incubation.models import (
    Agreement,
    Application,
    Base,
    Booking,
    EntryCall,
    FollowUp,
    Handover,
    Incubatee,
    QuarterlyReport,
    ServiceLogEntry,
    Space,
    Waiver,
)
from incubation.permissions import incubatee_filter, is_operations_staff, managed_base_filter

ENDING_SOON_DAYS = 60
ACTIVE = Agreement.Status.ACTIVE


# ------------------------------------------------------------------------- bases ----
def bases_managed_by(user):
    return Base.objects.filter(_base_q(user)).select_related("street")


def _base_q(user) -> Q:
    if is_operations_staff(user):
        return Q()
    if getattr(user, "is_authenticated", False) and user.is_handler:
        return Q(street__path__startswith=user.network_unit.path)
    return Q(pk__in=[])


def base_list():
    return Base.objects.select_related("street").annotate(
        n_spaces=Count("spaces", filter=Q(spaces__kind__in=Space.WORKSPACE_KINDS), distinct=True)
    )


def main_base() -> Base | None:
    return Base.objects.filter(street__isnull=True).order_by("pk").first()


# ------------------------------------------------------------------- spaces / plan ----
def _current_agreement(today: date):
    return Agreement.objects.filter(space=OuterRef("pk"), starts_on__lte=today, ends_on__gte=today)


def spaces_with_state(*, base=None, today: date, floor: int | None = None, kinds=None):
    """Spaces annotated with the agreement covering today (its end and incubatee)."""
    cur = _current_agreement(today)
    qs = Space.objects.select_related("base").annotate(
        agreement_ends=Subquery(cur.values("ends_on")[:1]),
        agreement_id=Subquery(cur.values("pk")[:1]),
        incubatee_name=Subquery(cur.values("incubatee__name")[:1]),
    )
    if base is not None:
        qs = qs.filter(base=base)
    if floor is not None:
        qs = qs.filter(floor=floor)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("base_id", "floor", "grid_y", "grid_x", "code")


def space_state(space, today: date) -> str:
    """free / occupied / ending (agreement ends within 60 days) / maintenance."""
    if space.status == Space.Status.MAINTENANCE:
        return "maintenance"
    if space.kind in Space.FACILITY_KINDS:
        return "facility"
    ends = getattr(space, "agreement_ends", None)
    if ends is None:
        return "free"
    if (ends - today).days <= ENDING_SOON_DAYS:
        return "ending"
    return "occupied"


@dataclass
class FloorPlan:
    floor: int
    spaces: list = field(default_factory=list)
    width: int = 0
    height: int = 0
    occupied: int = 0
    total: int = 0

    @property
    def rate(self) -> float:
        return round(100 * self.occupied / self.total, 1) if self.total else 0.0


CELL = 60


def floor_plans(*, base, today: date) -> tuple[list[FloorPlan], dict]:
    """Per floor: the spaces with their grid boxes and state, and occupancy by floor and
    overall (offices and desks; a space is occupied while an agreement covers today)."""
    floors: dict[int, FloorPlan] = {}
    for sp in spaces_with_state(base=base, today=today):
        plan = floors.setdefault(sp.floor, FloorPlan(floor=sp.floor))
        sp.state = space_state(sp, today)
        sp.box = {
            "x": sp.grid_x * CELL + 4,
            "y": sp.grid_y * CELL + 4,
            "w": sp.grid_w * CELL - 8,
            "h": sp.grid_h * CELL - 8,
        }
        plan.spaces.append(sp)
        plan.width = max(plan.width, (sp.grid_x + sp.grid_w) * CELL)
        plan.height = max(plan.height, (sp.grid_y + sp.grid_h) * CELL)
        if sp.kind in Space.WORKSPACE_KINDS:
            plan.total += 1
            plan.occupied += sp.state in ("occupied", "ending")
    plans = [floors[k] for k in sorted(floors)]
    total = sum(p.total for p in plans)
    occupied = sum(p.occupied for p in plans)
    return plans, {
        "total": total,
        "occupied": occupied,
        "rate": round(100 * occupied / total, 1) if total else 0.0,
    }


def occupancy(*, today: date, base=None) -> dict:
    qs = Space.objects.filter(kind__in=Space.WORKSPACE_KINDS)
    if base is not None:
        qs = qs.filter(base=base)
    row = qs.aggregate(
        total=Count("pk"),
        occupied=Count("pk", filter=Q(Exists(_current_agreement(today)))),
    )
    total, occupied = row["total"], row["occupied"]
    return {"total": total, "occupied": occupied, "rate": round(100 * occupied / total, 1) if total else 0.0}


def facilities(*, base=None):
    qs = Space.objects.filter(kind__in=Space.FACILITY_KINDS).select_related("base")
    if base is not None:
        qs = qs.filter(base=base)
    return qs.order_by("base_id", "floor", "code")


def availability(*, day: date, base=None, space_ids=None) -> list[Space]:
    """Every bookable room with its confirmed and pending bookings of `day` and its free
    slots within opening hours: two queries whatever the number of rooms and bookings."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    end = start + timedelta(days=1)
    rooms = list(facilities(base=base).filter(**({"pk__in": space_ids} if space_ids else {})))
    bookings = defaultdict(list)
    for b in (
        Booking.objects.filter(
            space__in=[r.pk for r in rooms],
            status__in=[Booking.Status.CONFIRMED, Booking.Status.PENDING],
            starts_at__lt=end,
            ends_at__gt=start,
        )
        .only("pk", "space_id", "starts_at", "ends_at", "status", "title")
        .order_by("starts_at")
    ):
        bookings[b.space_id].append(b)
    for room in rooms:
        room.day_bookings = bookings[room.pk]
        opens = timezone.make_aware(datetime.combine(day, room.opens_at), tz)
        closes = timezone.make_aware(datetime.combine(day, room.closes_at), tz)
        free, cursor = [], opens
        for b in room.day_bookings:
            if b.status != Booking.Status.CONFIRMED:
                continue
            if b.starts_at > cursor:
                free.append((cursor, min(b.starts_at, closes)))
            cursor = max(cursor, b.ends_at)
        if cursor < closes:
            free.append((cursor, closes))
        room.free_slots = [(a, b) for a, b in free if b > a]
    return rooms


@dataclass
class WeekGrid:
    monday: date
    days: list[date]
    hours: list[int]
    rows: list[dict]


def _title_shown_to(viewer):
    """Who may read a booking's title on the week grid: its booker, the people of the
    incubatee it is for, and the room's managers; everyone else sees only that the time is
    taken. Returns a test (booking, base id) -> bool; at most three queries, whatever the
    number of bookings."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return lambda booking, base_id: False
    if is_operations_staff(viewer):
        return lambda booking, base_id: True
    own = set(Incubatee.objects.filter(incubatee_filter(viewer, "")).values_list("pk", flat=True))
    managed = set(bases_managed_by(viewer).values_list("pk", flat=True)) if viewer.is_handler else set()
    return lambda booking, base_id: (
        booking.booked_by_id == viewer.pk or booking.incubatee_id in own or base_id in managed
    )


def week_grid(*, monday: date, spaces, viewer=None) -> WeekGrid:
    """A week × rooms grid: for each room and day, that day's bookings (confirmed and
    pending). One query for the rooms, one for the bookings (plus at most three for what
    `viewer` may read). A booking's title is in `shown_title` only for those who may read
    it (`_title_shown_to`); for others it is empty."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(monday, time.min), tz)
    end = start + timedelta(days=7)
    rooms = list(spaces)
    base_of = {r.pk: r.base_id for r in rooms}
    shown = _title_shown_to(viewer)
    by_room_day = defaultdict(list)
    for b in (
        Booking.objects.filter(
            space__in=[r.pk for r in rooms],
            status__in=[Booking.Status.CONFIRMED, Booking.Status.PENDING],
            starts_at__lt=end,
            ends_at__gt=start,
        )
        .only(
            "pk",
            "space_id",
            "starts_at",
            "ends_at",
            "status",
            "title",
            "series_id",
            "booked_by_id",
            "incubatee_id",
        )
        .order_by("starts_at")
    ):
        b.shown_title = b.title if shown(b, base_of[b.space_id]) else ""
        by_room_day[(b.space_id, timezone.localtime(b.starts_at).date())].append(b)
    days = [monday + timedelta(days=i) for i in range(7)]
    rows = [{"space": r, "cells": [by_room_day[(r.pk, d)] for d in days]} for r in rooms]
    return WeekGrid(monday=monday, days=days, hours=list(range(8, 19)), rows=rows)


# ------------------------------------------------------------------- applications ----
def applications_for_manager(user, *, status: str = "", q: str = ""):
    qs = Application.objects.filter(managed_base_filter(user, "call__")).select_related(
        "incubatee", "incubatee__organization", "call", "call__base"
    )
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=Application.Status.DRAFT)
    if q:
        qs = qs.filter(
            Q(incubatee__name__icontains=q) | Q(service_area__icontains=q) | Q(call__title__icontains=q)
        )
    return qs.order_by("answer_due", "-created_at")


def application_counts_by_status(user) -> dict[str, int]:
    rows = (
        Application.objects.filter(managed_base_filter(user, "call__"))
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["status"]: r["n"] for r in rows}


def applications_of_user(user):
    return (
        Application.objects.filter(incubatee_filter(user, "incubatee__"))
        .select_related("incubatee", "call", "call__base", "offer_space")
        .order_by("-created_at")
    )


def application_visible(user, pk: int) -> Application:
    """The application if this user may see it (its applicant or its base's managers), else
    Application.DoesNotExist (the page answers 404)."""
    qs = Application.objects.select_related(
        "incubatee", "call__base", "call__sheet", "created_by", "offer_space"
    )
    return qs.filter(Q(incubatee_filter(user, "incubatee__")) | managed_base_filter(user, "call__")).get(
        pk=pk
    )


# ---------------------------------------------------------------------- agreements ----
def _agreement_scope(user) -> Q:
    own = incubatee_filter(user, "incubatee__")
    managed = managed_base_filter(user, "space__")
    if is_operations_staff(user):
        return Q()
    return own | (managed & Q(space__isnull=False))


def agreements_for(
    user, *, status: str = "", q: str = "", ending_within: int | None = None, today: date | None = None
):
    qs = (
        Agreement.objects.filter(_agreement_scope(user))
        .select_related("incubatee", "incubatee__organization", "space", "space__base")
        .annotate(n_waivers=Count("waivers"))
    )
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(incubatee__name__icontains=q) | Q(number__icontains=q) | Q(space__code__icontains=q))
    if ending_within is not None:
        today = today or timezone.localdate()
        qs = qs.filter(status=ACTIVE, ends_on__gte=today, ends_on__lte=today + timedelta(days=ending_within))
        return qs.order_by("ends_on")
    return qs.order_by("-starts_on", "pk")


def agreement_visible(user, pk: int) -> Agreement:
    return (
        Agreement.objects.filter(_agreement_scope(user))
        .select_related("incubatee", "incubatee__organization", "space", "space__base", "application")
        .get(pk=pk)
    )


def agreements_of_user(user):
    return (
        Agreement.objects.filter(incubatee_filter(user, "incubatee__"))
        .select_related("incubatee", "space", "space__base")
        .order_by("-starts_on")
    )


def reports_due_for(user, *, today: date, within_days: int = 30):
    return (
        QuarterlyReport.objects.filter(_report_scope(user))
        .filter(
            status__in=[QuarterlyReport.Status.DUE, QuarterlyReport.Status.RETURNED],
            agreement__status=ACTIVE,
            due_on__lte=today + timedelta(days=within_days),
        )
        .select_related("agreement", "agreement__incubatee", "agreement__space")
        .order_by("due_on")
    )


def reports_to_assess(user):
    return (
        QuarterlyReport.objects.filter(_report_scope(user))
        .filter(status=QuarterlyReport.Status.SUBMITTED)
        .select_related("agreement", "agreement__incubatee", "agreement__space")
        .order_by("submitted_at")
    )


def _report_scope(user) -> Q:
    if is_operations_staff(user):
        return Q()
    return Q(incubatee_filter(user, "agreement__incubatee__")) | (
        managed_base_filter(user, "agreement__space__") & Q(agreement__space__isnull=False)
    )


def report_visible(user, pk: int) -> QuarterlyReport:
    return (
        QuarterlyReport.objects.filter(_report_scope(user))
        .select_related("agreement__incubatee", "agreement__space__base")
        .get(pk=pk)
    )


def reports_of_agreement(agreement_id: int):
    return QuarterlyReport.objects.filter(agreement_id=agreement_id).order_by("year", "quarter")


def handovers_open(user):
    scope = Q() if is_operations_staff(user) else managed_base_filter(user, "agreement__space__")
    return (
        Handover.objects.filter(scope, status=Handover.Status.OPEN)
        .select_related("agreement", "agreement__incubatee", "agreement__space")
        .order_by("due_on")
    )


def follow_ups_of_user(user):
    return (
        FollowUp.objects.filter(incubatee_filter(user, "agreement__incubatee__"), status=FollowUp.Status.DUE)
        .select_related("agreement__incubatee")
        .order_by("due_on")
    )


def service_log(*, incubatee_id: int | None = None, q: str = ""):
    qs = ServiceLogEntry.objects.select_related("incubatee", "given_by")
    if incubatee_id:
        qs = qs.filter(incubatee_id=incubatee_id)
    if q:
        qs = qs.filter(Q(incubatee__name__icontains=q) | Q(summary__icontains=q) | Q(expert__icontains=q))
    return qs.order_by("-date", "-pk")


def waivers_all():
    return Waiver.objects.select_related("agreement", "agreement__incubatee").order_by(
        "agreement__number", "item"
    )


# ---------------------------------------------------------------------- bookings ----
def bookings_of_user(user, *, upcoming_from: datetime | None = None):
    qs = Booking.objects.filter(booked_by=user).select_related("space", "space__base")
    if upcoming_from is not None:
        qs = qs.filter(ends_at__gte=upcoming_from)
    return qs.order_by("starts_at")


def booking_visible(user, pk: int) -> Booking:
    """Own bookings, bookings of an incubatee the user speaks for, and the base's managers'."""
    scope = (
        Q(booked_by=user)
        | Q(incubatee_filter(user, "incubatee__"))
        | (managed_base_filter(user, "space__") if getattr(user, "is_authenticated", False) else Q(pk__in=[]))
    )
    if not getattr(user, "is_authenticated", False):
        raise Booking.DoesNotExist
    return (
        Booking.objects.filter(scope)
        .select_related("space__base", "booked_by", "incubatee", "series")
        .get(pk=pk)
    )


def bookings_pending(user):
    return (
        Booking.objects.filter(managed_base_filter(user, "space__"), status=Booking.Status.PENDING)
        .select_related("space", "booked_by")
        .order_by("starts_at")
    )


def bookings_in_month(*, today: date) -> int:
    first = today.replace(day=1)
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, time.min), tz)
    nxt = (first + timedelta(days=32)).replace(day=1)
    end = timezone.make_aware(datetime.combine(nxt, time.min), tz)
    return Booking.objects.filter(
        status=Booking.Status.CONFIRMED, starts_at__gte=start, starts_at__lt=end
    ).count()


def feed_bookings_for_space(space, *, since: datetime):
    return (
        Booking.objects.filter(
            space=space, status__in=[Booking.Status.CONFIRMED, Booking.Status.PENDING], ends_at__gte=since
        )
        .select_related("space")
        .order_by("starts_at")[:2000]
    )


def feed_bookings_for_incubatee(incubatee, *, since: datetime):
    q = Q(incubatee=incubatee)
    if incubatee.organization_id:
        q |= Q(organization_id=incubatee.organization_id)
    return (
        Booking.objects.filter(
            q, status__in=[Booking.Status.CONFIRMED, Booking.Status.PENDING], ends_at__gte=since
        )
        .select_related("space")
        .order_by("starts_at")[:2000]
    )


# ------------------------------------------------------------------------ public ----
def open_calls(*, now: datetime):
    return (
        EntryCall.objects.filter(is_published=True, closes_at__gt=now)
        .select_related("base")
        .annotate(n_applications=Count("applications", filter=~Q(applications__status="draft")))
        .order_by("closes_at")
    )


def public_incubatees():
    return (
        Incubatee.objects.filter(
            listed_publicly=True, status__in=[Incubatee.Status.INCUBATING, Incubatee.Status.GRADUATED]
        )
        .select_related("organization")
        .order_by("status", "name")
    )


def incubatees_now() -> int:
    return Incubatee.objects.filter(status=Incubatee.Status.INCUBATING).count()


def graduated_total() -> int:
    return Incubatee.objects.filter(status=Incubatee.Status.GRADUATED).count()


def my_incubatees(user):
    return (
        Incubatee.objects.filter(incubatee_filter(user, "")).select_related("organization").order_by("name")
    )


def income_total(agreement_id: int):
    return QuarterlyReport.objects.filter(agreement_id=agreement_id).aggregate(s=Sum("income"))["s"] or 0
