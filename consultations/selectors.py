"""Reads of the consultations app, each with the joins that keep the query count flat."""

from __future__ import annotations

import calendar as pycalendar
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from consultations.models import (
    AgendaItem,
    Attachment,
    Attendance,
    Certificate,
    CheckIn,
    Consultation,
    Event,
    EventKind,
    Forward,
    GovernmentDepartment,
    Milestone,
    Opinion,
    Paragraph,
    Registration,
    ReportSubmission,
    ResearchTopic,
    SpeakerApplication,
)
from consultations.permissions import department_contact_of, may_manage

PUBLIC_CONSULTATION_STATUSES = [
    Consultation.Status.PUBLISHED,
    Consultation.Status.OPEN,
    Consultation.Status.CLOSED,
    Consultation.Status.ANSWERED,
]


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    last_day = pycalendar.monthrange(first.year, first.month)[1]
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(first.replace(day=last_day), time.max))
    return start, end


def parse_month(value: str | None) -> date | None:
    try:
        year, month = (int(x) for x in (value or "").split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------------- events ----


def event_kinds():
    return EventKind.objects.filter(active=True)


def public_events(
    *,
    now: datetime,
    past: bool = False,
    kind: str = "",
    month: date | None = None,
    audience: str = "",
    area: str = "",
):
    """Published events for the public list, upcoming (soonest first) or past (latest first)."""
    qs = (
        Event.objects.filter(status=Event.Status.PUBLISHED)
        .select_related("kind")
        .prefetch_related("service_areas")
    )
    qs = qs.filter(ends_at__lt=now).order_by("-starts_at", "-pk") if past else qs.filter(ends_at__gte=now)
    if kind:
        qs = qs.filter(kind__code=kind)
    if month:
        start, end = _month_bounds(month)
        qs = qs.filter(starts_at__range=(start, end))
    if audience:
        qs = qs.filter(audience__in=[audience, Event.Audience.EVERYONE]) if audience != "everyone" else qs
    if area:
        qs = qs.filter(service_areas__code=area)
    return qs


def calendar_weeks(*, month: date) -> list[list[dict]]:
    """The month as weeks (Monday first), each day with its published events; one query."""
    start, end = _month_bounds(month)
    events = list(
        Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__range=(start, end))
        .select_related("kind")
        .order_by("starts_at", "pk")
    )
    by_day: dict[date, list[Event]] = {}
    for event in events:
        by_day.setdefault(timezone.localtime(event.starts_at).date(), []).append(event)
    weeks = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        weeks.append(
            [{"date": d, "in_month": d.month == month.month, "events": by_day.get(d, [])} for d in week]
        )
    return weeks


def event_public(pk: int) -> Event:
    return (
        Event.objects.filter(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
        .select_related("kind")
        .prefetch_related(
            "service_areas",
            Prefetch("agenda", queryset=AgendaItem.objects.order_by("sort_order", "starts_at", "pk")),
            Prefetch("attachments", queryset=Attachment.objects.filter(public=True)),
        )
        .get(pk=pk)
    )


def upcoming_for_feed(*, now: datetime, limit: int = 200):
    return (
        Event.objects.filter(status=Event.Status.PUBLISHED, ends_at__gte=now)
        .select_related("kind")
        .order_by("starts_at", "pk")[:limit]
    )


def events_of_user(user):
    """Events the user holds a seat or a waitlist place for (their personal feed)."""
    return (
        Event.objects.filter(
            Exists(
                Registration.objects.filter(event=OuterRef("pk"), user=user, status__in=Registration.ACTIVE)
            )
        )
        .select_related("kind")
        .order_by("starts_at", "pk")
    )


def registrations_of_user(user):
    return (
        Registration.objects.filter(user=user)
        .select_related("event", "event__kind", "organization", "certificate")
        .order_by("-event__starts_at", "-pk")
    )


def registration_for(user, code: str) -> Registration:
    """A registration by its code, only for its own account or the staff (else DoesNotExist)."""
    qs = Registration.objects.select_related("event", "event__kind", "organization").filter(code=code)
    if not may_manage(user):
        if not (user and user.is_authenticated):
            return qs.none().get()
        qs = qs.filter(user=user)
    return qs.get()


def certificates_for(user):
    qs = Certificate.objects.select_related("registration", "registration__event")
    if may_manage(user):
        return qs
    if not (user and user.is_authenticated):
        return qs.none()
    return qs.filter(registration__user=user)


def certificate_by_number(number: str) -> Certificate | None:
    return (
        Certificate.objects.select_related("registration__event", "registration__event__kind")
        .filter(number=number)
        .first()
    )


def organization_capacity_building(organization_id: int, *, now: datetime | None = None) -> dict:
    """Events an organization attended (checked in, or marked present) and its valid
    certificates, latest first: for its page and for grading. One query."""
    regs = list(
        Registration.objects.filter(
            organization_id=organization_id,
            status=Registration.Status.CONFIRMED,
            event__ends_at__lt=now or timezone.now(),
        )
        .annotate(
            checked=Exists(CheckIn.objects.filter(registration=OuterRef("pk")))
            | Exists(Attendance.objects.filter(registration=OuterRef("pk"), status=Attendance.Status.PRESENT))
        )
        .select_related("event", "event__kind", "certificate")
        .order_by("-event__starts_at", "-pk")[:50]
    )
    attended = [r for r in regs if r.checked]
    return {
        "attended": attended,
        "certificates": [
            r.certificate for r in attended if hasattr(r, "certificate") and r.certificate.revoked_at is None
        ],
    }


# ---------------------------------------------------------------------- staff pages ----


def events_by_month(*, month: date, q: str = "", kind: str = ""):
    """Staff list: each event of the month with its registrations, waitlist and attendance."""
    start, end = _month_bounds(month)
    qs = (
        Event.objects.filter(starts_at__range=(start, end))
        .select_related("kind")
        .annotate(
            registered=Coalesce(
                Sum(
                    "registrations__attendees",
                    filter=Q(registrations__status=Registration.Status.CONFIRMED),
                ),
                0,
            ),
            waiting=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
            pending=Count("registrations", filter=Q(registrations__status=Registration.Status.PENDING)),
            present=Count(
                "registrations",
                filter=Q(registrations__checkins__session=1),
            ),
        )
        .order_by("starts_at", "pk")
    )
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(venue__icontains=q))
    if kind:
        qs = qs.filter(kind__code=kind)
    return qs


def event_registrations(*, event: Event, status: str = "", q: str = ""):
    qs = (
        Registration.objects.filter(event=event)
        .select_related("organization", "certificate")
        .prefetch_related(Prefetch("checkins", queryset=CheckIn.objects.order_by("session")))
        .order_by("status", "queued_at", "created_at", "pk")
    )
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code=q) | Q(organization__name__icontains=q))
    return qs


def registration_search(*, event: Event, q: str, limit: int = 20):
    if not q.strip():
        return Registration.objects.none()
    return (
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)
        .filter(Q(name__icontains=q.strip()) | Q(organization__name__icontains=q.strip()))
        .select_related("organization")
        .prefetch_related("checkins")[:limit]
    )


def waitlist(event: Event):
    return Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED).order_by(
        "queued_at", "pk"
    )


def manage_counts(*, now: datetime) -> dict:
    """The workbench figures of the consultations desk."""
    forwards = Forward.objects.filter(status=Forward.Status.OPEN).aggregate(
        due=Count("pk", filter=Q(due_at__gte=now)), overdue=Count("pk", filter=Q(due_at__lt=now))
    )
    return {
        "waitlisted": Registration.objects.filter(
            status=Registration.Status.WAITLISTED, event__starts_at__gte=now
        ).count(),
        "pending": Registration.objects.filter(
            status=Registration.Status.PENDING, event__starts_at__gte=now
        ).count(),
        "to_forward": Opinion.objects.filter(
            hidden=False,
            status=Opinion.Status.RECEIVED,
            source__in=[Opinion.Source.ONLINE, Opinion.Source.HEARING],
        )
        .exclude(consultation__status=Consultation.Status.ANSWERED)
        .count(),
        "replies_due": forwards["due"],
        "replies_overdue": forwards["overdue"],
        "milestones_due": Milestone.objects.filter(
            done_at__isnull=True, due_date__lte=timezone.localtime(now).date() + timedelta(days=14)
        ).count(),
    }


# -------------------------------------------------------------------- consultations ----


def public_consultations():
    return (
        Consultation.objects.filter(status__in=PUBLIC_CONSULTATION_STATUSES)
        .annotate(opinion_count=Count("opinions", filter=Q(opinions__hidden=False)))
        .order_by("-published_at", "-pk")
    )


def consultation_public(pk: int) -> Consultation:
    return (
        Consultation.objects.filter(status__in=PUBLIC_CONSULTATION_STATUSES)
        .select_related("event")
        .prefetch_related(Prefetch("paragraphs", queryset=Paragraph.objects.order_by("number")))
        .get(pk=pk)
    )


def consultation_summary(consultation: Consultation) -> dict:
    """Live summary while the consultation is open: opinions by paragraph and by answer."""
    visible = Opinion.objects.filter(consultation=consultation, hidden=False)
    by_paragraph = {
        row["paragraph_id"]: row["n"]
        for row in visible.values("paragraph_id").annotate(n=Count("pk")).order_by()
    }
    by_result = {
        row["result"]: row["n"]
        for row in visible.filter(status=Opinion.Status.PUBLISHED)
        .values("result")
        .annotate(n=Count("pk"))
        .order_by()
    }
    total = sum(by_paragraph.values())
    return {
        "total": total,
        "whole": by_paragraph.get(None, 0),
        "by_paragraph": by_paragraph,
        # labels as text (callers cache the summary per language)
        "by_result": [(str(label), by_result.get(value, 0)) for value, label in Opinion.Result.choices],
        "awaiting": total - sum(by_result.values()),
    }


def public_opinions(consultation: Consultation, *, paragraph: int | None = None):
    qs = (
        Opinion.objects.filter(consultation=consultation, hidden=False)
        .select_related("paragraph", "forward__department")
        .only(
            "pk",
            "body",
            "name",
            "name_public",
            "source",
            "status",
            "result",
            "answer",
            "answered_at",
            "created_at",
            "consultation_id",
            "paragraph__number",
            "paragraph__heading",
            "forward__department__name",
        )
        .order_by("created_at", "pk")
    )
    if paragraph:
        qs = qs.filter(paragraph__number=paragraph)
    return qs


def opinions_of_author(user):
    if not (user and user.is_authenticated):
        return Opinion.objects.none()
    return (
        Opinion.objects.filter(author=user)
        .select_related("consultation", "paragraph")
        .order_by("-created_at")
    )


def consultations_manage():
    return (
        Consultation.objects.select_related("event")
        .annotate(
            opinion_count=Count("opinions", distinct=True),
            to_forward=Count(
                "opinions",
                filter=Q(opinions__status=Opinion.Status.RECEIVED, opinions__hidden=False),
                distinct=True,
            ),
            answered=Count(
                "opinions",
                filter=Q(opinions__status__in=[Opinion.Status.ANSWERED, Opinion.Status.PUBLISHED]),
                distinct=True,
            ),
        )
        .order_by("-created_at", "-pk")
    )


def consultation_opinions_manage(
    consultation: Consultation, *, status: str = "", q: str = "", hidden: str = ""
):
    qs = (
        Opinion.objects.filter(consultation=consultation)
        .select_related("paragraph", "group", "forward__department", "organization")
        .order_by("created_at", "pk")
    )
    if status:
        qs = qs.filter(status=status)
    if hidden in ("1", "0"):
        qs = qs.filter(hidden=hidden == "1")
    if q:
        qs = qs.filter(Q(body__icontains=q) | Q(name__icontains=q))
    return qs


def speaker_applications(consultation: Consultation):
    return SpeakerApplication.objects.filter(consultation=consultation).order_by("created_at", "pk")


def forwards_for(user, *, now: datetime, state: str = ""):
    """Forwards the user may see: staff all, a department contact only its department's."""
    qs = Forward.objects.select_related("consultation", "department").annotate(
        opinion_count=Count("opinions", distinct=True),
        unanswered=Count("opinions", filter=Q(opinions__status=Opinion.Status.FORWARDED), distinct=True),
    )
    if not may_manage(user):
        contact = department_contact_of(user)
        if contact is None:
            return qs.none()
        qs = qs.filter(department_id=contact.department_id)
    if state == "overdue":
        qs = qs.filter(status=Forward.Status.OPEN, due_at__lt=now)
    elif state == "due":
        qs = qs.filter(status=Forward.Status.OPEN, due_at__gte=now)
    elif state == "replied":
        qs = qs.filter(status=Forward.Status.REPLIED)
    return qs.order_by("status", "due_at", "pk")


def forward_opinions(forward: Forward):
    return forward.opinions.select_related("paragraph").order_by("created_at", "pk")


def departments():
    return GovernmentDepartment.objects.filter(active=True)


def opinions_export_rows(consultation: Consultation):
    for o in (
        Opinion.objects.filter(consultation=consultation)
        .select_related("paragraph", "forward__department", "group")
        .order_by("created_at", "pk")
        .iterator(chunk_size=2000)
    ):
        yield [
            o.pk,
            o.created_at,
            f"§{o.paragraph.number}" if o.paragraph_id else "",
            o.name,
            o.get_source_display(),
            o.body,
            o.group.title if o.group_id else "",
            "✓" if o.hidden else "",
            o.hidden_reason,
            o.forward.department.name if o.forward_id else "",
            o.get_status_display(),
            o.get_result_display() if o.result else "",
            o.answer,
            o.answered_at,
            {True: "✓", False: "✗"}.get(o.answered_on_time, ""),
        ]


# ------------------------------------------------------------------------- research ----


def research_public():
    return ResearchTopic.objects.filter(status=ResearchTopic.Status.PUBLISHED).order_by("-year", "title")


def research_manage(*, year: int | None = None, status: str = ""):
    qs = ResearchTopic.objects.select_related("lead").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_date")),
        Prefetch("submissions", queryset=ReportSubmission.objects.select_related("department")),
    )
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-year", "title")


def research_detail(user, pk: int) -> ResearchTopic:
    qs = ResearchTopic.objects.select_related("lead").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_date")),
        Prefetch("submissions", queryset=ReportSubmission.objects.select_related("department")),
        "status_changes",
    )
    if not may_manage(user):
        contact = department_contact_of(user)
        visible = Q(status=ResearchTopic.Status.PUBLISHED)
        if user and user.is_authenticated:
            visible |= Q(lead=user)
        if contact is not None:
            visible |= Q(submissions__department_id=contact.department_id)
        qs = qs.filter(visible).distinct()
    return qs.get(pk=pk)


# --------------------------------------------------------------------------- figures ----


def headline(*, year: int) -> dict:
    """Home/workbench figures: trainings held this year, people trained, opinions collected
    and answered on time, research reports submitted."""
    now = timezone.now()
    trainings = Event.objects.filter(
        status=Event.Status.PUBLISHED, kind__counts_as_training=True, starts_at__year=year, ends_at__lt=now
    )
    people = CheckIn.objects.filter(session=1, registration__event__in=trainings).aggregate(
        n=Coalesce(Sum("registration__attendees"), 0)
    )["n"]
    opinions = Opinion.objects.filter(created_at__year=year).aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        on_time=Count("pk", filter=Q(answered_on_time=True)),
    )
    return {
        "trainings": trainings.count(),
        "people_trained": people,
        "opinions": opinions["total"],
        "answered_on_time": opinions["on_time"],
        "answered": opinions["answered"],
        "reports": ReportSubmission.objects.filter(submitted_at__year=year)
        .values("topic")
        .distinct()
        .count(),
    }
