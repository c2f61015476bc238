"""Every read of the hotline, with the joins that keep page query counts flat."""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.cache import cache
from django.db.models import Avg, Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language, gettext

from center.calendar import end_of_day
from center.models import NetworkUnit
from center.permissions import units_visible_to
from center.translated import pick_name
from center.validators import scrub_phones
from hotline.models import ExtensionRequest, ServiceCategory, Ticket, TicketEvent
from hotline.services import WITH_UNIT

S = Ticket.Status
OPEN_STATUSES = [s for s in S.values if s != S.CLOSED]

# Columns a list page shows; the long description stays in the database.
LIST_COLUMNS = (
    "tracking_number",
    "access_key",
    "title",
    "ticket_type",
    "urgency",
    "status",
    "phone",
    "channel",
    "created_at",
    "answer_due",
    "sign_due",
    "is_overdue",
    "sign_overdue",
    "return_reason",
    "assigned_handler_id",
    "category__name",
    "category__name_en",
    "assigned_unit__name",
    "assigned_unit__path",
    "area__name",
)  # assigned_unit__path: the phone-masking rule compares unit paths per row


def overdue_q(now: datetime) -> Q:
    """THE definition of overdue (超期): the unit holds the ticket and its answer deadline (the
    one in force, extensions included) has passed. The sweep's flag, the queues, the counts
    and the statistics all use it."""
    return Q(status__in=WITH_UNIT, answer_due__lt=now)


def ticket_table(qs: QuerySet | None = None) -> QuerySet:
    qs = Ticket.objects.all() if qs is None else qs
    return qs.select_related("category", "assigned_unit", "area").only(*LIST_COLUMNS)


def _queues(now: datetime) -> dict[str, Q]:
    today_end = end_of_day(timezone.localtime(now).date())
    return {
        "to_dispatch": Q(status=S.RECEIVED),
        "returned": Q(status=S.RETURNED),
        "due_today": Q(status__in=WITH_UNIT, answer_due__gte=now, answer_due__lte=today_end),
        "overdue": overdue_q(now),
        "unsigned": Q(status=S.DISPATCHED, sign_due__lt=now),
        "awaiting_callback": Q(status=S.ANSWERED),
        "extensions": Q(extensions__status=ExtensionRequest.Status.PENDING),
        "open": Q(status__in=OPEN_STATUSES),  # IN (...) matches the partial indexes; NOT = cannot
        "all": Q(),
    }


DISPATCHER_QUEUES = [
    "to_dispatch",
    "due_today",
    "overdue",
    "awaiting_callback",
    "returned",
    "extensions",
    "unsigned",
    "open",
    "all",
]
HANDLER_QUEUES = ["open", "to_sign", "working", "overdue", "answered", "all"]


def dispatcher_queue(*, queue: str, now: datetime | None = None) -> QuerySet:
    cond = _queues(now or timezone.now()).get(queue, Q(status=S.RECEIVED))
    qs = Ticket.objects.filter(cond)
    order = "answer_due" if queue in ("due_today", "overdue") else "-created_at"
    return ticket_table(qs).order_by(order, "-pk")


def dispatcher_queue_counts(*, now: datetime | None = None) -> dict[str, int]:
    """All queue counts in one aggregate over the tickets that are not closed."""
    now = now or timezone.now()
    q = _queues(now)
    open_qs = Ticket.objects.filter(status__in=OPEN_STATUSES)  # IN (...) uses the status index
    counts = open_qs.aggregate(
        **{
            name: Count("pk", filter=q[name])
            for name in ("to_dispatch", "returned", "due_today", "overdue", "unsigned", "awaiting_callback")
        }
    )
    counts["extensions"] = ExtensionRequest.objects.filter(status=ExtensionRequest.Status.PENDING).count()
    return counts


# --- cached counts and keyset pages (hotline.caching: shared by every process) ---------------

# Queues paginated by keyset (newest first, "older" links) instead of page numbers: they hold
# (nearly) every ticket, so a page count would need a count of the whole table and a deep
# page an OFFSET over it.
KEYSET_QUEUES = ("open", "all")


def dispatcher_queue_counts_cached() -> dict[str, int]:
    """dispatcher_queue_counts, computed once per data version (see hotline.caching)."""
    from hotline import caching

    return caching.cached("desk-counts", dispatcher_queue_counts)


def handler_counts_cached(*, user) -> dict[str, int]:
    """handler_counts, once per data version and unit (the counts depend only on the unit)."""
    from hotline import caching

    return caching.cached("unit-counts", lambda: handler_counts(user=user), user.network_unit_id)


def dispatch_unit_choices() -> list[tuple[int, str, str]]:
    """(pk, level, name) of dispatch_units, once per data version (a new unit shows up in the
    bulk-dispatch list with the next ticket change, or within a minute)."""
    from hotline import caching

    return caching.cached("dispatch-units", lambda: list(dispatch_units().values_list("pk", "level", "name")))


def keyset_page(qs: QuerySet, *, cursor: str | None, size: int) -> tuple[list[Ticket], str | None]:
    """One page of `qs` ordered newest first (created_at, pk descending) starting after
    `cursor` ("<created_at ISO>~<pk>", as returned for the previous page), and the cursor of
    the next page (None on the last one). Reads `size + 1` rows through the created_at index
    however deep the page: no COUNT, no OFFSET."""
    if cursor:
        try:
            at_raw, pk_raw = cursor.rsplit("~", 1)
            at, pk = datetime.fromisoformat(at_raw), int(pk_raw)
        except ValueError:
            at = None
        if at is not None:
            qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    rows = list(qs.order_by("-created_at", "-pk")[: size + 1])
    if len(rows) <= size:
        return rows, None
    last = rows[size - 1]
    return rows[:size], f"{last.created_at.isoformat()}~{last.pk}"


def _unit_ids(user):
    """Ids of the handler's unit and the units below it, as a subquery: the ticket side is
    then read through its (assigned_unit, status) index instead of a join on the path."""
    return units_visible_to(user).values("pk")


def handler_tickets(*, user, queue: str = "all", now: datetime | None = None) -> QuerySet:
    """The tickets of a handler's unit and the units below it (a street sees its communities')."""
    now = now or timezone.now()
    qs = Ticket.objects.filter(assigned_unit__in=_unit_ids(user))
    conds = {
        "open": Q(status__in=OPEN_STATUSES),
        "to_sign": Q(status=S.DISPATCHED),
        "working": Q(status__in=(S.SIGNED_FOR, S.IN_PROGRESS, S.REOPENED)),
        "overdue": overdue_q(now),
        "answered": Q(status__in=(S.ANSWERED, S.CLOSED)),
    }
    if queue in conds:
        qs = qs.filter(conds[queue])
    return ticket_table(qs).order_by(
        "answer_due" if queue in ("overdue", "working") else "-created_at", "-pk"
    )


def handler_counts(*, user, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    qs = Ticket.objects.filter(assigned_unit__in=_unit_ids(user), status__in=OPEN_STATUSES)
    return qs.aggregate(
        to_sign=Count("pk", filter=Q(status=S.DISPATCHED)),
        working=Count("pk", filter=Q(status__in=(S.SIGNED_FOR, S.IN_PROGRESS, S.REOPENED))),
        overdue=Count("pk", filter=overdue_q(now)),
    )


def resident_tickets(*, user) -> QuerySet:
    return ticket_table(Ticket.objects.filter(resident=user)).order_by("-created_at")


def ticket_for_staff(*, number: str) -> Ticket | None:
    return (
        Ticket.objects.select_related(
            "category", "assigned_unit__parent", "assigned_handler", "area", "resident"
        )
        .prefetch_related(
            Prefetch("events", queryset=TicketEvent.objects.select_related("actor", "unit")),
            "images",
            Prefetch(
                "extensions", queryset=ExtensionRequest.objects.select_related("requested_by", "decided_by")
            ),
            "callbacks__recorded_by",
        )
        .filter(tracking_number=number)
        .first()
    )


def ticket_for_resident(*, access_key: str) -> Ticket | None:
    """The resident's view: the ticket, its public timeline (acting units only, no people)."""
    public = (
        TicketEvent.objects.filter(public=True)
        .select_related("unit")
        .only("ticket_id", "kind", "text", "created_at", "unit__name", "from_status", "to_status")
    )
    ticket = (
        Ticket.objects.select_related("category", "assigned_unit", "area")
        .prefetch_related(Prefetch("events", queryset=public, to_attr="public_events"), "images")
        .filter(access_key=access_key)
        .first()
    )
    if ticket is not None:  # the public timeline never shows a phone number
        for event in ticket.public_events:
            event.text = scrub_phones(event.text)
    return ticket


def ticket_find_for_tracking(*, number: str, last4: str) -> Ticket | None:
    number = (number or "").strip().upper()
    last4 = (last4 or "").strip()
    if len(last4) != 4 or not last4.isdigit():
        return None
    return Ticket.objects.filter(tracking_number=number, phone__endswith=last4).only("access_key").first()


def dispatch_units() -> QuerySet:
    """Streets in the network's order, each followed by its communities."""
    street_order = Case(
        When(level=NetworkUnit.Level.STREET, then=F("sort_order")), default=F("parent__sort_order")
    )
    is_community = Case(When(level=NetworkUnit.Level.COMMUNITY, then=Value(1)), default=Value(0))
    return (
        NetworkUnit.objects.filter(level__in=(NetworkUnit.Level.STREET, NetworkUnit.Level.COMMUNITY))
        .annotate(street_order=street_order, is_community=is_community)
        .order_by("street_order", "parent_id", "is_community", "sort_order", "pk")
    )


def categories_active() -> QuerySet:
    return ServiceCategory.objects.filter(active=True)


# --- figures ------------------------------------------------------------------------------


def _period(qs: QuerySet, start: date | None, end: date | None) -> QuerySet:
    if start:
        qs = qs.filter(created_at__gte=timezone.make_aware(datetime.combine(start, time.min)))
    if end:
        qs = qs.filter(created_at__lte=end_of_day(end))
    return qs


def _due_q(now: datetime) -> Q:
    """Tickets that should be finished by now (应办结): closed ones, and open ones past their
    answer deadline. Open tickets still within their deadline do not count against the rate."""
    return Q(status=S.CLOSED) | Q(answer_due__lt=now)


def _answered_q() -> Q:
    """Tickets whose answer stands: answered or closed (a reopened ticket's first answer no
    longer counts until it is answered again)."""
    return Q(status__in=(S.ANSWERED, S.CLOSED), answered_at__isnull=False)


def hotline_figures(
    *, start: date | None = None, end: date | None = None, now: datetime | None = None
) -> dict:
    """Rates and averages in one aggregate query: resolution (办结率 = closed / due), on-time
    (按期办结率 = answered by the deadline in force, extensions included / answered: the
    answered_on_time flag stored by ticket_answer from the locked row), satisfaction (满意率 = satisfied + basically
    satisfied / rated), average handling time in working days (AVG over the working days
    from the first dispatch to the answer, counted on the center's holiday calendar when
    the answer is given and stored on the ticket, since the calendar lives in Python)."""
    now = now or timezone.now()
    qs = _period(Ticket.objects.all(), start, end)
    agg = qs.aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(status=S.CLOSED)),
        due=Count("pk", filter=_due_q(now)),
        answered=Count("pk", filter=_answered_q()),
        on_time=Count("pk", filter=_answered_q() & Q(answered_on_time=True)),  # stored at answer time
        rated=Count("pk", filter=~Q(satisfaction="")),
        satisfied=Count("pk", filter=Q(satisfaction__in=("satisfied", "basic"))),
        overdue_open=Count("pk", filter=overdue_q(now)),
        avg_days=Avg("handling_working_days", filter=_answered_q()),
    )

    def rate(a, b):
        return (agg[a] / agg[b]) if agg[b] else None

    agg["resolution_rate"] = rate("closed", "due")
    agg["on_time_rate"] = rate("on_time", "answered")
    agg["satisfaction_rate"] = rate("satisfied", "rated")
    return agg


def hotline_breakdowns(*, start: date | None = None, end: date | None = None) -> dict[str, list[dict]]:
    """Counts by type, category, unit and month (one GROUP BY each)."""
    qs = _period(Ticket.objects.all(), start, end).order_by()
    type_labels = dict(Ticket.Type.choices)
    by_type = [
        {"label": type_labels.get(r["ticket_type"], r["ticket_type"]), "count": r["n"]}
        for r in qs.values("ticket_type").annotate(n=Count("pk")).order_by("-n")
    ]
    by_category = [
        {"label": pick_name(r["category__name"], r["category__name_en"]), "count": r["n"]}
        for r in qs.values("category__name", "category__name_en").annotate(n=Count("pk")).order_by("-n")
    ]
    # A community's tickets count under its street, so the chart has one bar per street.
    street = Case(
        When(assigned_unit__level=NetworkUnit.Level.COMMUNITY, then=F("assigned_unit__parent__name")),
        default=F("assigned_unit__name"),
    )
    by_unit = [
        {"label": r["street"] or gettext("Not dispatched"), "count": r["n"], "closed": r["closed"]}
        for r in qs.annotate(street=street)
        .values("street")
        .annotate(n=Count("pk"), closed=Count("pk", filter=Q(status=S.CLOSED)))
        .order_by("-n")
    ]
    by_month = [
        {"label": timezone.localtime(r["month"]).strftime("%Y-%m") if r["month"] else "—", "count": r["n"]}
        for r in qs.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    ]
    out = {"type": by_type, "category": by_category, "unit": by_unit, "month": by_month}
    for rows in out.values():
        top = max((r["count"] for r in rows), default=0) or 1
        for r in rows:
            r["width"] = round(100 * r["count"] / top, 1)
    return out


STATS_CACHE_SECONDS = 300


def hotline_statistics_cached(*, start: date | None, end: date | None) -> tuple[dict, dict]:
    """Figures and breakdowns for the statistics page, cached for a few minutes: each is a
    scan of the period's tickets, and a dashboard may lag that much."""
    key = f"hotline:stats:{get_language()}:{start}:{end}"  # labels are in the reader's language
    value = cache.get(key)
    if value is None:
        value = (hotline_figures(start=start, end=end), hotline_breakdowns(start=start, end=end))
        cache.set(key, value, STATS_CACHE_SECONDS)
    return value


def hotline_headline_cached() -> dict:
    value = cache.get("hotline:headline")
    if value is None:
        value = hotline_headline()
        cache.set("hotline:headline", value, STATS_CACHE_SECONDS)
    return value


def hotline_headline() -> dict:
    """The home page's "N requests, X% resolved"."""
    agg = Ticket.objects.aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(status=S.CLOSED)),
        due=Count("pk", filter=_due_q(timezone.now())),
    )
    rate = agg["closed"] / agg["due"] if agg["due"] else None
    return {"total": agg["total"], "resolved_rate": rate}
