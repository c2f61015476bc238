"""Every write of incubation. Status changes go through one transition function per workflow
(`application_transition`, `agreement_transition`, `booking_transition`), each with its
pipeline as data and a history row per change (`center.workflow.transition`).

The two never-twice rules:

- a space is never assigned to two agreements whose periods overlap;
- a room's confirmed bookings never overlap.

Both are checked inside a transaction after locking the space row (SELECT … FOR UPDATE), so
concurrent requests queue up and the second sees the first; on PostgreSQL an exclusion
constraint (migration 0002) is the last word, and its violation is turned into the same
clear "taken" error naming the conflict.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil import rrule as du_rrule
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from center.calendar import add_working_days, is_working_day
from center.dates import add_months
from center.errors import DomainError, PermissionDeniedError
from center.models import User
from center.services import notification_send
from center.validators import validate_upload
from center.workflow import transition
from incubation.models import (
    Agreement,
    AgreementStatusChange,
    Application,
    ApplicationStatusChange,
    BlockedPeriod,
    Booking,
    BookingSeries,
    BookingStatusChange,
    EntryCall,
    FollowUp,
    GraduationEvaluation,
    Handover,
    Incubatee,
    Indicator,
    NoShow,
    PanelScore,
    QuarterlyReport,
    QuarterlyScore,
    ServiceLogEntry,
    Space,
    Waiver,
)
from incubation.permissions import is_operations_staff, may_manage_base, speaks_for
from organizations import selectors as org_selectors

ANSWER_WORKING_DAYS = 5
OFFER_WORKING_DAYS = 5
HANDOVER_WORKING_DAYS = 15
NO_SHOW_MINUTES = 15
FOLLOW_UP_MONTHS = (6, 12)
DEFAULT_TERM_MONTHS = 12
MAX_RENEWALS = 1

A = Application.Status
G = Agreement.Status
B = Booking.Status

APPLICATION_PIPELINE: dict[str, frozenset[str]] = {
    A.DRAFT: frozenset({A.SUBMITTED}),
    A.SUBMITTED: frozenset({A.RETURNED, A.SCREENED, A.REFUSED}),
    A.RETURNED: frozenset({A.SUBMITTED}),
    A.SCREENED: frozenset({A.ASSESSED, A.REFUSED}),
    A.ASSESSED: frozenset({A.ADMITTED, A.WAITLISTED, A.REFUSED}),
    A.WAITLISTED: frozenset({A.ADMITTED, A.REFUSED}),
}
# who moves an application where: the applicant submits, the base's managers decide
APPLICANT_MOVES = frozenset({A.SUBMITTED})
REASON_REQUIRED = frozenset({A.RETURNED, A.ADMITTED, A.WAITLISTED, A.REFUSED})

AGREEMENT_PIPELINE: dict[str, frozenset[str]] = {
    G.ACTIVE: frozenset({G.GRADUATED, G.EXITED, G.ENDED_EARLY, G.EXPIRED}),
}
BOOKING_PIPELINE: dict[str, frozenset[str]] = {
    B.PENDING: frozenset({B.CONFIRMED, B.REFUSED, B.CANCELLED}),
    B.CONFIRMED: frozenset({B.CANCELLED, B.NO_SHOW}),
}


def _fmt_date(d: date) -> str:
    return date_format(d, "DATE_FORMAT")


def _fmt_dt(dt: datetime) -> str:
    return date_format(timezone.localtime(dt), "DATETIME_FORMAT")


def _require_manager(user, base) -> None:
    if user is not None and not may_manage_base(user, base):
        raise PermissionDeniedError(_("Only the managers of this incubation base may do this."))


def _incubatee_people(incubatee: Incubatee) -> list[User]:
    people = {incubatee.contact_id: incubatee.contact}
    if incubatee.organization_id:
        for user in org_selectors.organization_owners(incubatee.organization_id):
            people[user.pk] = user
    return [u for u in people.values() if u.is_active]


def _notify_incubatee(incubatee: Incubatee, title: str, body: str = "", url: str = "") -> None:
    for user in _incubatee_people(incubatee):
        notification_send(user=user, title=title, body=body, url=url)


def operations_staff() -> list[User]:
    return list(
        User.objects.filter(is_active=True, role=User.Role.STAFF, department__in=["operations", "admin"])
    )


def base_managers(base) -> list[User]:
    """Who hears about a base's work: operations staff, plus the street's handlers for a sub-base."""
    people = operations_staff()
    if base.street_id:
        people += list(
            User.objects.filter(
                is_active=True,
                role=User.Role.HANDLER,
                network_unit__path__in=_ancestor_paths(base.street.path),
            )
        )
    return people


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


# ------------------------------------------------------------------------ incubatees ----
@transaction.atomic
def incubatee_link_organization(*, incubatee: Incubatee, organization_id: int, by) -> Incubatee:
    """A grassroots group has registered: its incubation record now points to the new
    organization. Refused for anyone but the base's managers; refused when already linked."""
    if not is_operations_staff(by):
        raise PermissionDeniedError(_("Only staff of the Project Operations Department may do this."))
    locked = Incubatee.objects.select_for_update().get(pk=incubatee.pk)
    if locked.organization_id and locked.organization_id != organization_id:
        raise DomainError(_("This record is already linked to a registered organization."), code="linked")
    locked.organization_id = organization_id
    locked.save(update_fields=["organization"])
    return locked


# ---------------------------------------------------------------------- applications ----
def _incubatee_for(*, user, organization_id: int | None, group_name: str, members: str, service_area: str):
    if organization_id:
        if not org_selectors.user_is_member(user, organization_id):
            raise PermissionDeniedError(_("You may apply only for an organization you belong to."))
        inc = Incubatee.objects.filter(organization_id=organization_id).order_by("pk").first()
        if inc is None:
            name = org_selectors.organization_private(organization_id).name
            inc = Incubatee.objects.create(
                name=name, organization_id=organization_id, contact=user, service_area=service_area
            )
        return inc
    if not group_name.strip():
        raise DomainError(_("Give the group's name."), details={"field": "group_name"})
    inc = Incubatee.objects.filter(contact=user, organization__isnull=True, name=group_name.strip()).first()
    if inc is None:
        inc = Incubatee.objects.create(
            name=group_name.strip(), contact=user, members=members, service_area=service_area
        )
    return inc


@transaction.atomic
def application_create(
    *,
    call: EntryCall,
    user,
    service_area: str,
    team: str,
    plan: str,
    space_need: str,
    desks_needed: int = 0,
    organization_id: int | None = None,
    group_name: str = "",
    members: str = "",
    attachment=None,
    now: datetime | None = None,
) -> Application:
    """A draft entry application, for a registered organization the user belongs to or for a
    grassroots group (the user is its contact person). Refused when the call is closed or
    the user is not a member of the organization."""
    now = now or timezone.now()
    if not call.is_open(now):
        raise DomainError(_("This call for entry is not open."), code="call_closed")
    if not getattr(user, "is_authenticated", False):
        raise PermissionDeniedError(_("Please log in to apply."))
    if attachment:
        validate_upload(attachment)
    if space_need == Application.SpaceNeed.DESKS and desks_needed < 1:
        raise DomainError(_("Say how many desks you need."), details={"field": "desks_needed"})
    incubatee = _incubatee_for(
        user=user,
        organization_id=organization_id,
        group_name=group_name,
        members=members,
        service_area=service_area,
    )
    if incubatee.applications.filter(call=call).exclude(status=A.REFUSED).exists():
        raise DomainError(_("There is already an application for this call."), code="duplicate")
    return Application.objects.create(
        call=call,
        incubatee=incubatee,
        created_by=user,
        service_area=service_area,
        team=team,
        plan=plan,
        space_need=space_need,
        desks_needed=desks_needed if space_need == Application.SpaceNeed.DESKS else 0,
        attachment=attachment or "",
    )


@transaction.atomic
def application_update(*, application: Application, user, **fields) -> Application:
    """Edit a draft or returned application. Refused for others and once it is with staff."""
    locked = (
        Application.objects.select_for_update(of=("self",)).select_related("incubatee").get(pk=application.pk)
    )
    if not speaks_for(user, locked.incubatee):
        raise PermissionDeniedError(_("This is not your application."))
    if locked.status not in (A.DRAFT, A.RETURNED):
        raise DomainError(_("A submitted application can no longer be edited."), code="not_editable")
    allowed = {"service_area", "team", "plan", "space_need", "desks_needed", "attachment"}
    if fields.get("attachment"):
        validate_upload(fields["attachment"])
    for name, value in fields.items():
        if name in allowed and value is not None:
            setattr(locked, name, value)
    locked.save()
    return locked


def application_transition(
    application: Application,
    *,
    to: str,
    by,
    reason: str = "",
    now: datetime | None = None,
    extra: dict | None = None,
) -> Application:
    """The one way an application changes status.

    The applicant submits (from draft or returned); the base's managers return, screen,
    record the assessment, admit, waitlist or refuse — returning, admitting, waitlisting and
    refusing need a reason, which is sent to the applicant. Submitting sets the answer
    deadline (5 working days). Raises TransitionError for a move the pipeline does not allow,
    PermissionDeniedError for the wrong person, DomainError for a missing reason.
    """
    now = now or timezone.now()
    app = Application.objects.select_related("incubatee", "call__base").get(pk=application.pk)
    if to in APPLICANT_MOVES:
        if not speaks_for(by, app.incubatee):
            raise PermissionDeniedError(_("This is not your application."))
    else:
        _require_manager(by, app.call.base)
    if to in REASON_REQUIRED and not reason.strip():
        raise DomainError(_("Give a reason; the applicant will read it."), details={"field": "reason"})
    updates = dict(extra or {})
    if to == A.SUBMITTED:
        updates.update(submitted_at=now, answer_due=add_working_days(now, ANSWER_WORKING_DAYS))
    if to in REASON_REQUIRED:
        updates["reason"] = reason
    if to == A.ASSESSED and not app.panel_scores.exists():
        raise DomainError(_("The panel has not scored this application yet."), code="no_scores")

    def _notify(obj, old, new):
        if new == A.SUBMITTED:
            return
        _notify_incubatee(
            app.incubatee,
            _("Your incubation application is now: %(status)s") % {"status": A(new).label},
            reason,
            reverse("incubation:application_detail", args=[obj.pk]),
        )

    result = transition(
        app,
        to=to,
        pipeline=APPLICATION_PIPELINE,
        by=by,
        reason=reason,
        history_model=ApplicationStatusChange,
        extra_updates=updates,
        history=_notify,
    )
    return result.obj


def application_allowed_next(application: Application, user) -> list[str]:
    from center.workflow import allowed_next

    def applicant(obj, u):
        return speaks_for(u, obj.incubatee)

    def manager(obj, u):
        return may_manage_base(u, obj.call.base)

    guards = {s: (applicant if s in APPLICANT_MOVES else manager) for s in A.values}
    guards[A.ASSESSED] = lambda obj, u: manager(obj, u) and obj.score is not None
    return allowed_next(application, pipeline=APPLICATION_PIPELINE, user=user, guards=guards)


@transaction.atomic
def panel_scores_save(*, application: Application, scorer, scores: dict[int, int]) -> Decimal | None:
    """One panel member scores every indicator of the call's sheet (0–100 each). Refused
    outside the screened state, for non-managers, and for incomplete or out-of-range scores.
    Returns the application's new weighted score (average over panel members)."""
    app = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call__base", "call__sheet")
        .get(pk=application.pk)
    )
    _require_manager(scorer, app.call.base)
    if app.status != A.SCREENED:
        raise DomainError(_("Only a screened application is scored by the panel."), code="not_screened")
    indicators = list(Indicator.objects.filter(sheet_id=app.call.sheet_id))
    if not indicators:
        raise DomainError(_("This call has no indicator sheet."), code="no_sheet")
    for ind in indicators:
        value = scores.get(ind.pk)
        if value is None or not 0 <= int(value) <= 100:
            raise DomainError(
                _("Score every indicator from 0 to 100 (%(name)s).") % {"name": ind.name}, code="bad_score"
            )
    PanelScore.objects.filter(application=app, scorer=scorer).delete()
    PanelScore.objects.bulk_create(
        [
            PanelScore(application=app, scorer=scorer, indicator=ind, score=int(scores[ind.pk]))
            for ind in indicators
        ]
    )
    app.score = _weighted(app.panel_scores.select_related("indicator"))
    app.save(update_fields=["score", "updated_at"])
    return app.score


def _weighted(score_rows) -> Decimal | None:
    per_scorer: dict[int, Decimal] = {}
    for row in score_rows:
        key = getattr(row, "scorer_id", 0)
        per_scorer[key] = per_scorer.get(key, Decimal(0)) + Decimal(row.score) * row.indicator.weight / 100
    if not per_scorer:
        return None
    return (sum(per_scorer.values()) / len(per_scorer)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@transaction.atomic
def application_admit(
    *,
    application: Application,
    by,
    reason: str,
    space: Space | None,
    starts_on: date,
    months: int = DEFAULT_TERM_MONTHS,
    deposit: Decimal = Decimal("0"),
    conditions: str = "",
    waivers: Iterable[dict] = (),
    now: datetime | None = None,
) -> Agreement:
    """Admit the applicant and create its agreement over `space` (None: virtual incubation).
    Refused when the space is taken in that period (nothing is written)."""
    app = application_transition(application, to=A.ADMITTED, by=by, reason=reason, now=now)
    return agreement_create(
        incubatee=app.incubatee,
        application=app,
        space=space,
        starts_on=starts_on,
        ends_on=add_months(starts_on, months) - timedelta(days=1),
        deposit=deposit,
        conditions=conditions,
        waivers=waivers,
        by=by,
    )


# ------------------------------------------------------------------------ waitlist ----
def waitlist_queue(base) -> list[Application]:
    return list(
        Application.objects.filter(status=A.WAITLISTED, call__base=base)
        .select_related("incubatee")
        .order_by("-score", "submitted_at", "pk")
    )


@transaction.atomic
def waitlist_offer_next(*, space: Space, today: date) -> Application | None:
    """Offer a freed space to the first waitlisted applicant (highest score, then earliest)
    that holds no open offer, with a deadline to accept. Returns the application offered."""
    space = Space.objects.select_for_update(of=("self",)).select_related("base").get(pk=space.pk)
    if Application.objects.filter(offer_space=space, status=A.WAITLISTED, offer_deadline__gte=today).exists():
        return None
    if _space_conflict(space, today, add_months(today, DEFAULT_TERM_MONTHS)) is not None:
        return None
    for app in waitlist_queue(space.base):
        if app.offer_space_id is None and app.offer_deadline is None:
            app.offer_space = space
            app.offer_deadline = add_working_days(today, OFFER_WORKING_DAYS)
            app.save(update_fields=["offer_space", "offer_deadline", "updated_at"])
            _notify_incubatee(
                app.incubatee,
                _("A place is free for you: %(space)s") % {"space": space},
                _("Accept it by %(d)s on your application's page.") % {"d": _fmt_date(app.offer_deadline)},
                reverse("incubation:application_detail", args=[app.pk]),
            )
            return app
    return None


@transaction.atomic
def waitlist_accept(*, application: Application, user, today: date) -> Agreement:
    """The waitlisted applicant accepts the space offered before the deadline."""
    app = (
        Application.objects.select_for_update(of=("self",)).select_related("incubatee").get(pk=application.pk)
    )
    if not speaks_for(user, app.incubatee):
        raise PermissionDeniedError(_("This is not your application."))
    if app.status != A.WAITLISTED or app.offer_space_id is None:
        raise DomainError(_("There is no offer to accept."), code="no_offer")
    if app.offer_deadline and today > app.offer_deadline:
        raise DomainError(
            _("The offer expired on %(d)s.") % {"d": _fmt_date(app.offer_deadline)}, code="expired"
        )
    space = app.offer_space
    app = application_transition(app, to=A.ADMITTED, by=None, reason=_("Offer accepted"))
    return agreement_create(
        incubatee=app.incubatee,
        application=app,
        space=space,
        starts_on=today,
        ends_on=add_months(today, DEFAULT_TERM_MONTHS) - timedelta(days=1),
        by=None,
    )


def waitlist_expire_offers(*, today: date) -> int:
    """Withdraw offers past their deadline and offer the space to the next in line."""
    n = 0
    expired = Application.objects.filter(
        status=A.WAITLISTED, offer_deadline__lt=today, offer_space__isnull=False
    )
    for app in expired.select_related("offer_space"):
        space = app.offer_space
        # the lapsed offer keeps its deadline: that applicant is not offered a place again
        Application.objects.filter(pk=app.pk).update(offer_space=None)
        n += 1
        waitlist_offer_next(space=space, today=today)
    return n


# ------------------------------------------------------------------------ agreements ----
def _space_conflict(space: Space, starts_on: date, ends_on: date, exclude_pk: int | None = None):
    qs = Agreement.objects.filter(space=space, starts_on__lte=ends_on, ends_on__gte=starts_on).select_related(
        "incubatee"
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def _space_taken(conflict: Agreement) -> DomainError:
    return DomainError(
        _("This space is taken: agreement %(no)s (%(who)s) runs from %(a)s to %(b)s.")
        % {
            "no": conflict.number,
            "who": conflict.incubatee.name,
            "a": _fmt_date(conflict.starts_on),
            "b": _fmt_date(conflict.ends_on),
        },
        code="space_taken",
        status=409,
        details={"field": "space", "conflict": conflict.pk},
    )


def _next_number(starts_on: date) -> str:
    prefix = f"FH{starts_on.year}-"
    last = (
        Agreement.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    n = int(last.split("-")[1]) + 1 if last else 1
    return f"{prefix}{n:04d}"


def _validate_waiver(line: dict) -> None:
    try:
        pct = Decimal(str(line.get("percent")))
    except Exception:
        pct = Decimal("-1")
    if not Decimal("0") <= pct <= Decimal("100"):
        raise DomainError(_("A waiver percentage must be between 0 and 100."), details={"field": "percent"})
    value = Decimal(str(line.get("monthly_value") or 0))
    if value < 0:
        raise DomainError(_("An amount cannot be negative."), details={"field": "monthly_value"})
    if line["ends_on"] < line["starts_on"]:
        raise DomainError(_("A waiver cannot end before it starts."), details={"field": "ends_on"})
    if line.get("item") not in Waiver.Item.values:
        raise DomainError(_("Unknown waiver item."), details={"field": "item"})


@transaction.atomic
def agreement_create(
    *,
    incubatee: Incubatee,
    space: Space | None,
    starts_on: date,
    ends_on: date,
    by,
    application: Application | None = None,
    deposit: Decimal = Decimal("0"),
    conditions: str = "",
    waivers: Iterable[dict] = (),
) -> Agreement:
    """Create an incubation agreement. Refused (nothing written) when the space is assigned
    to another agreement in an overlapping period, the term ends before it starts, the
    deposit is negative or a waiver percentage is outside 0–100."""
    if ends_on < starts_on:
        raise DomainError(_("The agreement cannot end before it starts."), details={"field": "ends_on"})
    if Decimal(str(deposit)) < 0:
        raise DomainError(_("An amount cannot be negative."), details={"field": "deposit"})
    waivers = list(waivers)
    for line in waivers:
        _validate_waiver(line)
    if space is not None:
        _require_manager(by, space.base)
        space = Space.objects.select_for_update().get(pk=space.pk)
        if space.kind not in Space.WORKSPACE_KINDS:
            raise DomainError(
                _("Only offices and desks are assigned by agreement."), details={"field": "space"}
            )
        conflict = _space_conflict(space, starts_on, ends_on)
        if conflict is not None:
            raise _space_taken(conflict)
    elif (
        by is not None
        and not is_operations_staff(by)
        and not (application and may_manage_base(by, application.call.base))
    ):
        raise PermissionDeniedError(_("Only the managers of this incubation base may do this."))
    try:
        with transaction.atomic():
            agreement = Agreement.objects.create(
                number=_next_number(starts_on),
                incubatee=incubatee,
                application=application,
                space=space,
                starts_on=starts_on,
                ends_on=ends_on,
                deposit=deposit,
                conditions=conditions,
            )
    except IntegrityError as exc:
        conflict = _space_conflict(space, starts_on, ends_on) if space else None
        if conflict is not None:
            raise _space_taken(conflict) from exc
        raise
    Waiver.objects.bulk_create(
        [
            Waiver(
                agreement=agreement,
                item=w["item"],
                percent=Decimal(str(w["percent"])),
                monthly_value=Decimal(str(w.get("monthly_value") or 0)),
                starts_on=w["starts_on"],
                ends_on=w["ends_on"],
            )
            for w in waivers
        ]
    )
    quarterly_reports_schedule(agreement=agreement)
    if incubatee.status != Incubatee.Status.INCUBATING:
        Incubatee.objects.filter(pk=incubatee.pk).update(status=Incubatee.Status.INCUBATING)
    if space is not None and starts_on <= timezone.localdate() <= ends_on:
        Space.objects.filter(pk=space.pk).update(status=Space.Status.OCCUPIED)
    elif space is not None:
        Space.objects.filter(pk=space.pk, status=Space.Status.AVAILABLE).update(status=Space.Status.RESERVED)
    _notify_incubatee(
        incubatee,
        _("Your incubation agreement %(no)s") % {"no": agreement.number},
        _("From %(a)s to %(b)s.") % {"a": _fmt_date(starts_on), "b": _fmt_date(ends_on)},
        reverse("incubation:agreement_detail", args=[agreement.pk]),
    )
    return agreement


@transaction.atomic
def waiver_add(
    *, agreement: Agreement, by, item: str, percent, monthly_value, starts_on: date, ends_on: date
) -> Waiver:
    """Add a waiver line. Refused for a percentage outside 0–100 or a period outside the term."""
    agreement = Agreement.objects.select_related("space__base").get(pk=agreement.pk)
    if agreement.space_id:
        _require_manager(by, agreement.space.base)
    elif not is_operations_staff(by):
        raise PermissionDeniedError(_("Only staff of the Project Operations Department may do this."))
    line = {
        "item": item,
        "percent": percent,
        "monthly_value": monthly_value,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    _validate_waiver(line)
    if starts_on < agreement.starts_on or ends_on > agreement.ends_on:
        raise DomainError(_("A waiver must lie within the agreement's term."), details={"field": "starts_on"})
    return Waiver.objects.create(agreement=agreement, **{**line, "percent": Decimal(str(percent))})


def waiver_value_by_year(waiver: Waiver) -> dict[int, Decimal]:
    """Money value of a waiver line per calendar year: months (pro rata by day) × monthly
    cost × percentage."""
    out: dict[int, Decimal] = {}
    day = waiver.starts_on
    while day <= waiver.ends_on:
        month_end = add_months(day.replace(day=1), 1) - timedelta(days=1)
        last = min(month_end, waiver.ends_on)
        fraction = Decimal((last - day).days + 1) / Decimal(month_end.day)
        value = waiver.monthly_value * fraction * waiver.percent / 100
        out[day.year] = out.get(day.year, Decimal(0)) + value
        day = last + timedelta(days=1)
    return {y: v.quantize(Decimal("0.01"), ROUND_HALF_UP) for y, v in out.items()}


def agreement_transition(
    agreement: Agreement, *, to: str, by, reason: str = "", today: date | None = None
) -> Agreement:
    """The one way an agreement ends: graduated, exited, ended early (only after two
    failing quarters, with a reason), expired (nightly job). The space frees the next day
    and the waitlist is offered it."""
    today = today or timezone.localdate()
    agreement = Agreement.objects.select_related("space__base", "incubatee").get(pk=agreement.pk)
    if by is not None:
        if agreement.space_id:
            _require_manager(by, agreement.space.base)
        elif not is_operations_staff(by):
            raise PermissionDeniedError(_("Only staff of the Project Operations Department may do this."))
    if to == G.ENDED_EARLY:
        if not agreement.failing_warning:
            raise DomainError(
                _("An agreement ends early only after two failing quarters in a row."), code="not_failing"
            )
        if not reason.strip():
            raise DomainError(_("Give a reason; the incubatee will read it."), details={"field": "reason"})

    def _updates(locked, old):
        return {"ends_on": min(locked.ends_on, max(today, locked.starts_on))}

    def _after(obj, old, new):
        _notify_incubatee(
            obj.incubatee,
            _("Your incubation agreement %(no)s: %(status)s") % {"no": obj.number, "status": G(new).label},
            reason,
            reverse("incubation:agreement_detail", args=[obj.pk]),
        )

    result = transition(
        agreement,
        to=to,
        pipeline=AGREEMENT_PIPELINE,
        by=by,
        reason=reason,
        history_model=AgreementStatusChange,
        extra_updates=_updates,
        history=_after,
    )
    obj = result.obj
    if result.changed and to in (G.GRADUATED, G.EXITED, G.ENDED_EARLY):
        handover_start(agreement=obj, today=today)
        if to == G.GRADUATED:
            Incubatee.objects.filter(pk=obj.incubatee_id).update(
                status=Incubatee.Status.GRADUATED, graduated_on=today
            )
        else:
            Incubatee.objects.filter(pk=obj.incubatee_id).update(status=Incubatee.Status.EXITED)
        FollowUp.objects.bulk_create(
            [FollowUp(agreement=obj, months=m, due_on=add_months(today, m)) for m in FOLLOW_UP_MONTHS],
            ignore_conflicts=True,
        )
    if result.changed and to == G.EXPIRED and obj.space_id:
        Space.objects.filter(pk=obj.space_id).update(status=Space.Status.AVAILABLE)
    return obj


def agreement_allowed_next(agreement: Agreement, user) -> list[str]:
    from center.workflow import allowed_next

    def manager(obj, u):
        return may_manage_base(u, obj.space.base) if obj.space_id else is_operations_staff(u)

    guards = {
        G.GRADUATED: lambda o, u: False,  # through the graduation evaluation
        G.EXITED: lambda o, u: False,
        G.EXPIRED: lambda o, u: False,
        G.ENDED_EARLY: lambda o, u: manager(o, u) and o.failing_warning,
    }
    return allowed_next(agreement, pipeline=AGREEMENT_PIPELINE, user=user, guards=guards)


@transaction.atomic
def agreement_request_renewal(*, agreement: Agreement, user, note: str = "") -> Agreement:
    """The incubatee asks to renew (once). Refused for others, after a renewal, or when ended."""
    locked = (
        Agreement.objects.select_for_update(of=("self",)).select_related("incubatee").get(pk=agreement.pk)
    )
    if not speaks_for(user, locked.incubatee):
        raise PermissionDeniedError(_("This is not your agreement."))
    if locked.status != G.ACTIVE:
        raise DomainError(_("This agreement has ended."), code="ended")
    if locked.renewals >= MAX_RENEWALS:
        raise DomainError(_("An agreement is renewed once only."), code="renewed")
    if locked.renewal == Agreement.Renewal.REQUESTED:
        raise DomainError(_("A renewal request is already waiting for a decision."), code="pending")
    locked.renewal = Agreement.Renewal.REQUESTED
    locked.renewal_note = note[:300]
    locked.save(update_fields=["renewal", "renewal_note", "updated_at"])
    return locked


@transaction.atomic
def agreement_decide_renewal(
    *, agreement: Agreement, by, grant: bool, months: int = DEFAULT_TERM_MONTHS
) -> Agreement:
    """Staff grant (term extended by `months`, space still free) or decline a renewal."""
    locked = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("space__base", "incubatee")
        .get(pk=agreement.pk)
    )
    if locked.space_id:
        _require_manager(by, locked.space.base)
    elif not is_operations_staff(by):
        raise PermissionDeniedError(_("Only staff of the Project Operations Department may do this."))
    if locked.renewal != Agreement.Renewal.REQUESTED:
        raise DomainError(_("There is no renewal request to decide."), code="no_request")
    if grant:
        new_end = add_months(locked.ends_on, months)
        if locked.space_id:
            Space.objects.select_for_update().get(pk=locked.space_id)
            conflict = _space_conflict(
                locked.space, locked.ends_on + timedelta(days=1), new_end, exclude_pk=locked.pk
            )
            if conflict is not None:
                raise _space_taken(conflict)
        locked.ends_on = new_end
        locked.renewals += 1
        locked.renewal = Agreement.Renewal.GRANTED
    else:
        locked.renewal = Agreement.Renewal.DECLINED
    locked.save(update_fields=["ends_on", "renewals", "renewal", "updated_at"])
    if grant:
        quarterly_reports_schedule(agreement=locked)
    _notify_incubatee(
        locked.incubatee,
        _("Renewal of %(no)s: %(d)s") % {"no": locked.number, "d": locked.get_renewal_display()},
        "",
        reverse("incubation:agreement_detail", args=[locked.pk]),
    )
    return locked


# ------------------------------------------------------------------ quarterly reports ----
def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * quarter - 2, 1)
    return first, add_months(first, 3) - timedelta(days=1)


def report_due_on(year: int, quarter: int) -> date:
    """Due 10 working days after the quarter ends."""
    return add_working_days(quarter_bounds(year, quarter)[1], 10)


def quarterly_reports_schedule(*, agreement: Agreement) -> int:
    """One report per quarter the agreement covers (idempotent)."""
    year, q = quarter_of(agreement.starts_on)
    rows = []
    while True:
        first, last = quarter_bounds(year, q)
        if first > agreement.ends_on:
            break
        rows.append(QuarterlyReport(agreement=agreement, year=year, quarter=q, due_on=report_due_on(year, q)))
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    QuarterlyReport.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


R = QuarterlyReport.Status
REPORT_PIPELINE: dict[str, frozenset[str]] = {
    R.DUE: frozenset({R.SUBMITTED}),
    R.RETURNED: frozenset({R.SUBMITTED}),
    R.SUBMITTED: frozenset({R.RETURNED, R.ASSESSED}),
}


def _require_agreement_manager(by, agreement: Agreement) -> None:
    if agreement.space_id:
        _require_manager(by, agreement.space.base)
    elif not is_operations_staff(by):
        raise PermissionDeniedError(_("Only staff of the Project Operations Department may do this."))


@transaction.atomic
def quarterly_report_submit(
    *,
    report: QuarterlyReport,
    user,
    activities: str,
    people_served: int,
    volunteers: int,
    income,
    problems: str = "",
    today: date | None = None,
) -> QuarterlyReport:
    """The incubatee files its quarterly report (due, or returned for more information).
    Refused for others, for a report already filed, for negative figures and once the
    agreement has ended (nothing written)."""
    today = today or timezone.localdate()
    locked = (
        QuarterlyReport.objects.select_for_update(of=("self",))
        .select_related("agreement__incubatee")
        .get(pk=report.pk)
    )
    agreement = locked.agreement
    if not speaks_for(user, agreement.incubatee):
        raise PermissionDeniedError(_("This is not your report."))
    first, _last = quarter_bounds(locked.year, locked.quarter)
    if agreement.status != G.ACTIVE or first > agreement.ends_on:
        raise DomainError(
            _("The agreement ended on %(d)s: no quarterly report can be filed after that.")
            % {"d": _fmt_date(agreement.ends_on)},
            code="agreement_ended",
        )
    if locked.status not in (R.DUE, R.RETURNED):
        raise DomainError(_("This report has already been filed."), code="filed")
    if not (activities or "").strip():
        raise DomainError(_("Describe the quarter's activities."), details={"field": "activities"})
    try:
        income = Decimal(str(income or 0))
        people_served, volunteers = int(people_served), int(volunteers)
    except (ArithmeticError, TypeError, ValueError):
        raise DomainError(_("Figures must be numbers."), code="invalid") from None
    if income < 0 or people_served < 0 or volunteers < 0:
        raise DomainError(_("Figures cannot be negative."))
    result = transition(
        locked,
        to=R.SUBMITTED,
        pipeline=REPORT_PIPELINE,
        by=user,
        extra_updates={
            "activities": activities,
            "people_served": people_served,
            "volunteers": volunteers,
            "income": income,
            "problems": problems,
            "submitted_at": timezone.now(),
            "submitted_by": user,
        },
    )
    return result.obj


@transaction.atomic
def quarterly_report_return(*, report: QuarterlyReport, by, reason: str) -> QuarterlyReport:
    """Staff return a filed report for more information; the incubatee reads the reason,
    completes the report and files it again. Refused for non-managers, without a reason,
    and for a report that is not waiting for assessment."""
    report = QuarterlyReport.objects.select_related("agreement__space__base", "agreement__incubatee").get(
        pk=report.pk
    )
    agreement = report.agreement
    _require_agreement_manager(by, agreement)
    if not (reason or "").strip():
        raise DomainError(_("Give a reason; the incubatee will read it."), details={"field": "reason"})

    def _after(obj, old, new):
        _notify_incubatee(
            agreement.incubatee,
            _("Quarterly report %(y)d Q%(q)d returned for more information")
            % {"y": obj.year, "q": obj.quarter},
            reason,
            reverse("incubation:report_detail", args=[obj.pk]),
        )

    result = transition(
        report,
        to=R.RETURNED,
        pipeline=REPORT_PIPELINE,
        by=by,
        reason=reason,
        extra_updates={"return_reason": reason.strip()},
        history=_after,
    )
    return result.obj


@transaction.atomic
def quarterly_report_assess(*, report: QuarterlyReport, by, scores: dict[int, int], sheet) -> QuarterlyReport:
    """Staff score a filed report on the quarterly sheet. Two failing quarters in a row warn
    the incubatee and let staff end the agreement early. Refused (nothing written) for
    non-managers, a report that is not filed, a missing sheet and incomplete or
    out-of-range scores."""
    report = QuarterlyReport.objects.select_related("agreement__space__base", "agreement__incubatee").get(
        pk=report.pk
    )
    agreement = report.agreement
    _require_agreement_manager(by, agreement)
    if report.status != R.SUBMITTED:
        raise DomainError(_("Only a filed report can be assessed."), code="not_filed")
    indicators = list(sheet.indicators.all()) if sheet is not None else []
    if not indicators:
        raise DomainError(_("There is no quarterly assessment sheet."), code="no_sheet")
    for ind in indicators:
        v = scores.get(ind.pk)
        if v is None or not 0 <= int(v) <= 100:
            raise DomainError(_("Score every indicator from 0 to 100 (%(name)s).") % {"name": ind.name})
    total = sum((Decimal(int(scores[i.pk])) * i.weight / 100 for i in indicators), Decimal(0))
    result = transition(
        report,
        to=R.ASSESSED,
        pipeline=REPORT_PIPELINE,
        by=by,
        extra_updates={
            "score": total.quantize(Decimal("0.01")),
            "passed": total >= sheet.pass_mark,
            "assessed_by": by,
            "assessed_at": timezone.now(),
        },
    )
    locked = result.obj
    if not result.changed:
        return locked
    QuarterlyScore.objects.bulk_create(
        [QuarterlyScore(report=locked, indicator=i, score=int(scores[i.pk])) for i in indicators]
    )
    previous = (
        QuarterlyReport.objects.filter(agreement=agreement, status=R.ASSESSED)
        .exclude(pk=locked.pk)
        .filter(Q(year__lt=locked.year) | Q(year=locked.year, quarter__lt=locked.quarter))
        .order_by("-year", "-quarter")
        .first()
    )
    if not locked.passed and previous is not None and previous.passed is False:
        Agreement.objects.filter(pk=agreement.pk).update(failing_warning=True)
        _notify_incubatee(
            agreement.incubatee,
            _("Warning: two failing quarters in a row"),
            _("Your agreement %(no)s may be ended early.") % {"no": agreement.number},
            reverse("incubation:agreement_detail", args=[agreement.pk]),
        )
    return locked


def report_allowed_next(report: QuarterlyReport, user) -> list[str]:
    """What `user` may do with a report now: file it (its incubatee), return or assess it
    (the base's managers)."""
    from center.workflow import allowed_next

    agreement = report.agreement

    def owner(obj, u):
        return agreement.status == G.ACTIVE and speaks_for(u, agreement.incubatee)

    def manager(obj, u):
        return may_manage_base(u, agreement.space.base) if agreement.space_id else is_operations_staff(u)

    guards = {R.SUBMITTED: owner, R.RETURNED: manager, R.ASSESSED: manager}
    return allowed_next(report, pipeline=REPORT_PIPELINE, user=user, guards=guards)


# ---------------------------------------------------------- graduation and handover ----
@transaction.atomic
def graduation_evaluate(
    *,
    agreement: Agreement,
    by,
    outcome: str,
    registered: bool,
    governance: bool,
    running_project: bool,
    funding_secured: bool,
    panel: str = "",
    notes: str = "",
    extend_months: int = 0,
    today: date | None = None,
) -> GraduationEvaluation:
    """The panel's verdict: graduate (needs registration as a legal entity), extend the
    term, or exit. Graduation and exit start the handover (15 working days)."""
    today = today or timezone.localdate()
    agreement = Agreement.objects.select_related("space__base", "incubatee").get(pk=agreement.pk)
    if agreement.space_id:
        _require_manager(by, agreement.space.base)
    elif not is_operations_staff(by):
        raise PermissionDeniedError(_("Only staff of the Project Operations Department may do this."))
    if agreement.status != G.ACTIVE:
        raise DomainError(_("This agreement has ended."), code="ended")
    if outcome not in GraduationEvaluation.Outcome.values:
        raise DomainError(_("Choose an outcome."), details={"field": "outcome"})
    if outcome == GraduationEvaluation.Outcome.GRADUATE and not registered:
        raise DomainError(
            _("Graduation needs registration as a legal entity; link the registered organization first."),
            details={"field": "registered"},
        )
    if outcome == GraduationEvaluation.Outcome.EXTEND and not 1 <= extend_months <= 12:
        raise DomainError(_("An extension is 1 to 12 months."), details={"field": "extend_months"})
    evaluation = GraduationEvaluation.objects.create(
        agreement=agreement,
        registered=registered,
        governance=governance,
        running_project=running_project,
        funding_secured=funding_secured,
        panel=panel,
        notes=notes,
        outcome=outcome,
        extend_months=extend_months if outcome == GraduationEvaluation.Outcome.EXTEND else 0,
        decided_by=by,
        decided_on=today,
    )
    if outcome == GraduationEvaluation.Outcome.EXTEND:
        new_end = add_months(agreement.ends_on, extend_months)
        if agreement.space_id:
            Space.objects.select_for_update().get(pk=agreement.space_id)
            conflict = _space_conflict(
                agreement.space, agreement.ends_on + timedelta(days=1), new_end, agreement.pk
            )
            if conflict is not None:
                raise _space_taken(conflict)
        Agreement.objects.filter(pk=agreement.pk).update(ends_on=new_end, updated_at=timezone.now())
        agreement.ends_on = new_end
        quarterly_reports_schedule(agreement=agreement)
    else:
        to = G.GRADUATED if outcome == GraduationEvaluation.Outcome.GRADUATE else G.EXITED
        agreement_transition(
            agreement, to=to, by=by, reason=notes or evaluation.get_outcome_display(), today=today
        )
    return evaluation


def handover_start(*, agreement: Agreement, today: date) -> Handover:
    handover, _created = Handover.objects.get_or_create(
        agreement=agreement,
        defaults={"started_on": today, "due_on": add_working_days(today, HANDOVER_WORKING_DAYS)},
    )
    return handover


@transaction.atomic
def handover_update(
    *,
    handover: Handover,
    by,
    keys_returned: bool,
    desks_cleared: bool,
    deposit_refunded: bool,
    notes: str = "",
    today: date | None = None,
) -> Handover:
    """Tick the checklist; when everything is ticked the handover is done, the space is
    free again and the waitlist is offered it."""
    today = today or timezone.localdate()
    locked = (
        Handover.objects.select_for_update(of=("self",))
        .select_related("agreement__space__base")
        .get(pk=handover.pk)
    )
    agreement = locked.agreement
    if agreement.space_id:
        _require_manager(by, agreement.space.base)
    elif not is_operations_staff(by):
        raise PermissionDeniedError(_("Only staff of the Project Operations Department may do this."))
    if locked.status == Handover.Status.DONE:
        raise DomainError(_("This handover is already done."), code="done")
    locked.keys_returned = keys_returned
    locked.desks_cleared = desks_cleared
    locked.deposit_refunded = deposit_refunded
    locked.notes = notes
    if keys_returned and desks_cleared and (deposit_refunded or not agreement.deposit):
        locked.status = Handover.Status.DONE
        locked.done_at = timezone.now()
    locked.save()
    if deposit_refunded:
        Agreement.objects.filter(pk=agreement.pk).update(deposit_refunded=True)
    if locked.status == Handover.Status.DONE and agreement.space_id:
        Space.objects.filter(pk=agreement.space_id).update(status=Space.Status.AVAILABLE)
        transaction.on_commit(
            lambda: waitlist_offer_next(space=agreement.space, today=today + timedelta(days=1))
        )
    return locked


@transaction.atomic
def follow_up_answer(
    *,
    follow_up: FollowUp,
    user,
    still_active: bool,
    staff_count: int,
    projects_running: int,
    how_are_you: str,
) -> FollowUp:
    locked = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("agreement__incubatee")
        .get(pk=follow_up.pk)
    )
    if not speaks_for(user, locked.agreement.incubatee):
        raise PermissionDeniedError(_("This is not your follow-up."))
    if locked.status == FollowUp.Status.ANSWERED:
        raise DomainError(_("You have already answered this follow-up."), code="answered")
    locked.still_active = still_active
    locked.staff_count = staff_count
    locked.projects_running = projects_running
    locked.how_are_you = how_are_you
    locked.status = FollowUp.Status.ANSWERED
    locked.answered_at = timezone.now()
    locked.save()
    return locked


@transaction.atomic
def service_log_add(
    *,
    incubatee: Incubatee,
    by,
    kind: str,
    day: date,
    hours,
    summary: str,
    expert: str = "",
    outcome: str = "",
) -> ServiceLogEntry:
    """Record a service given to an incubatee (staff only)."""
    if not is_operations_staff(by) and not (getattr(by, "is_handler", False)):
        raise PermissionDeniedError(_("Only staff of the Project Operations Department may do this."))
    hours = Decimal(str(hours))
    if hours <= 0:
        raise DomainError(_("Hours must be more than zero."), details={"field": "hours"})
    return ServiceLogEntry.objects.create(
        incubatee=incubatee,
        kind=kind,
        date=day,
        hours=hours,
        given_by=None if expert else by,
        expert=expert,
        summary=summary,
        outcome=outcome,
    )


# --------------------------------------------------------------------------- bookings ----
def may_book(user, space: Space) -> bool:
    if not getattr(user, "is_authenticated", False) or not space.is_facility:
        return False
    if may_manage_base(user, space.base):
        return True
    if space.bookable_by == Space.BookableBy.STAFF:
        return False
    if space.bookable_by == Space.BookableBy.INCUBATEES:
        from incubation.permissions import incubatee_filter

        return Incubatee.objects.filter(
            incubatee_filter(user, ""), status=Incubatee.Status.INCUBATING
        ).exists()
    return user.is_organization_account or Incubatee.objects.filter(contact=user).exists()


def booking_problem(
    space: Space, starts_at: datetime, ends_at: datetime, *, now: datetime, blocked=None
) -> str | None:
    """What is wrong with booking `space` from `starts_at` to `ends_at` (the room's rules,
    not collisions), or None."""
    if ends_at <= starts_at:
        return _("A booking must end after it starts.")
    if starts_at < now:
        return _("A booking cannot start in the past.")
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if local_start.date() > timezone.localtime(now + timedelta(days=space.max_days_ahead)).date():
        return _("This room can be booked at most %(n)d days ahead.") % {"n": space.max_days_ahead}
    if (ends_at - starts_at) > timedelta(minutes=space.max_booking_minutes):
        return _("A booking of this room lasts at most %(n)d minutes.") % {"n": space.max_booking_minutes}
    if (
        local_start.date() != local_end.date()
        or local_start.time() < space.opens_at
        or local_end.time() > space.closes_at
    ):
        return _("Outside opening hours (%(a)s–%(b)s).") % {
            "a": space.opens_at.strftime("%H:%M"),
            "b": space.closes_at.strftime("%H:%M"),
        }
    if not space.open_on_non_working_days and not is_working_day(local_start.date()):
        return _("The base is closed on %(d)s (not a working day).") % {"d": _fmt_date(local_start.date())}
    if blocked is None:
        blocked = BlockedPeriod.objects.filter(
            Q(space=space) | Q(space__isnull=True, base_id=space.base_id),
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        ).first()
    else:
        blocked = next((b for b in blocked if b.starts_at < ends_at and b.ends_at > starts_at), None)
    if blocked is not None:
        return _("The room is blocked then: %(r)s.") % {"r": blocked.reason}
    return None


def _booking_conflict(space: Space, starts_at: datetime, ends_at: datetime, exclude_pk=None):
    qs = Booking.objects.filter(space=space, status=B.CONFIRMED, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def _taken(space: Space, conflict: Booking) -> DomainError:
    start, end = timezone.localtime(conflict.starts_at), timezone.localtime(conflict.ends_at)
    return DomainError(
        _("Taken: %(room)s is already booked on %(d)s from %(a)s to %(b)s (“%(title)s”).")
        % {
            "room": space,
            "d": _fmt_date(start.date()),
            "a": start.strftime("%H:%M"),
            "b": end.strftime("%H:%M"),
            "title": conflict.title,
        },
        code="taken",
        status=409,
        details={"conflict": {"id": conflict.pk, "starts_at": start.isoformat(), "ends_at": end.isoformat()}},
    )


def _insert_confirmed(booking: Booking) -> Booking:
    """Save a confirmed booking; the exclusion constraint (PostgreSQL) is the last word."""
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        conflict = _booking_conflict(booking.space, booking.starts_at, booking.ends_at, exclude_pk=booking.pk)
        if conflict is not None:
            raise _taken(booking.space, conflict) from exc
        raise
    return booking


def _resolve_owner(user, incubatee_id, organization_id):
    incubatee = None
    if incubatee_id:
        incubatee = Incubatee.objects.filter(pk=incubatee_id).first()
        if incubatee is None or not (speaks_for(user, incubatee) or is_operations_staff(user)):
            raise PermissionDeniedError(_("You may book only for your own organization or group."))
    if organization_id and not (
        org_selectors.user_is_member(user, organization_id) or is_operations_staff(user)
    ):
        raise PermissionDeniedError(_("You may book only for your own organization or group."))
    if incubatee is None and organization_id is None and not is_operations_staff(user):
        from incubation.permissions import incubatee_filter

        incubatee = Incubatee.objects.filter(
            incubatee_filter(user, ""), status=Incubatee.Status.INCUBATING
        ).first()
        if incubatee is None:
            ids = sorted(org_selectors.organization_ids_for_user(user))
            organization_id = ids[0] if ids else None
    if incubatee is not None and organization_id is None:
        organization_id = incubatee.organization_id
    return incubatee, organization_id


@transaction.atomic
def booking_create(
    *,
    space: Space,
    user,
    starts_at: datetime,
    ends_at: datetime,
    title: str,
    incubatee_id: int | None = None,
    organization_id: int | None = None,
    now: datetime | None = None,
    series: BookingSeries | None = None,
) -> Booking:
    """Book a room. Refused (nothing written) for someone the room is not open to, a booking
    in the past, ending before it starts, too long, too far ahead, outside opening hours,
    on a non-working or blocked day, or over a confirmed booking ("taken", naming it).
    Rooms that need approval get a pending booking (staff's own bookings are confirmed)."""
    now = now or timezone.now()
    if not may_book(user, space):
        raise PermissionDeniedError(_("You may not book this room."))
    if not title.strip():
        raise DomainError(_("Give the booking a title."), details={"field": "title"})
    problem = booking_problem(space, starts_at, ends_at, now=now)
    if problem:
        raise DomainError(problem, code="invalid_time", details={"field": "starts_at"})
    incubatee, organization_id = _resolve_owner(user, incubatee_id, organization_id)
    locked_space = Space.objects.select_for_update().get(pk=space.pk)
    conflict = _booking_conflict(locked_space, starts_at, ends_at)
    if conflict is not None:
        raise _taken(locked_space, conflict)
    status = B.PENDING if space.needs_approval and not may_manage_base(user, space.base) else B.CONFIRMED
    booking = Booking(
        space=locked_space,
        booked_by=user,
        incubatee=incubatee,
        organization_id=organization_id,
        series=series,
        title=title.strip()[:120],
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
    )
    if status == B.CONFIRMED:
        _insert_confirmed(booking)
    else:
        booking.save()
    BookingStatusChange.objects.create(booking=booking, by=user, from_status="", to_status=status)
    return booking


def booking_transition(
    booking: Booking, *, to: str, by, reason: str = "", now: datetime | None = None
) -> Booking:
    """The one way a booking changes status.

    - confirm / refuse a pending booking: the room's managers; confirming refuses the pending
      bookings that collide and tells their owners; refused when it collides with a
      confirmed booking ("taken");
    - cancel: the owner until the room's cut-off before the start, the managers any time;
    - no-show: the managers, or the nightly job (by=None), once 15 minutes passed without
      check-in; it releases the slot and counts against the booker.
    """
    now = now or timezone.now()
    booking = Booking.objects.select_related("space__base", "booked_by").get(pk=booking.pk)
    space = booking.space
    manager = by is not None and may_manage_base(by, space.base)
    if to in (B.CONFIRMED, B.REFUSED) and not manager:
        raise PermissionDeniedError(_("Only the managers of this incubation base may do this."))
    if to == B.CANCELLED and not manager:
        if by is None or booking.booked_by_id != by.pk:
            raise PermissionDeniedError(_("This is not your booking."))
        cutoff = booking.starts_at - timedelta(hours=space.cancel_cutoff_hours)
        if now > cutoff:
            raise DomainError(
                _("Bookings of this room can be cancelled until %(n)d hour(s) before the start.")
                % {"n": space.cancel_cutoff_hours},
                code="too_late",
            )
    if to == B.NO_SHOW:
        if by is not None and not manager:
            raise PermissionDeniedError(_("Only the managers of this incubation base may do this."))
        if booking.checked_in_at is not None:
            raise DomainError(_("The booker has checked in."), code="checked_in")
        if now < booking.starts_at + timedelta(minutes=NO_SHOW_MINUTES):
            raise DomainError(
                _("A no-show can be marked %(n)d minutes after the start.") % {"n": NO_SHOW_MINUTES},
                code="too_early",
            )
    with transaction.atomic():
        if to == B.CONFIRMED:
            Space.objects.select_for_update().get(pk=space.pk)
            conflict = _booking_conflict(space, booking.starts_at, booking.ends_at, exclude_pk=booking.pk)
            if conflict is not None:
                raise _taken(space, conflict)
        try:
            with transaction.atomic():
                result = transition(
                    booking,
                    to=to,
                    pipeline=BOOKING_PIPELINE,
                    by=by,
                    reason=reason,
                    history_model=BookingStatusChange,
                    extra_updates={"reason": reason[:300]} if reason else None,
                )
        except IntegrityError as exc:
            conflict = _booking_conflict(space, booking.starts_at, booking.ends_at, exclude_pk=booking.pk)
            if conflict is not None:
                raise _taken(space, conflict) from exc
            raise
        obj = result.obj
        if not result.changed:
            return obj
        url = reverse("incubation:booking_detail", args=[obj.pk])
        if to == B.CONFIRMED:
            colliding = Booking.objects.filter(
                space=space, status=B.PENDING, starts_at__lt=obj.ends_at, ends_at__gt=obj.starts_at
            ).exclude(pk=obj.pk)
            for other in colliding.select_related("booked_by"):
                transition(
                    other,
                    to=B.REFUSED,
                    pipeline=BOOKING_PIPELINE,
                    by=by,
                    reason=_("Another booking of the same time was accepted."),
                    history_model=BookingStatusChange,
                    extra_updates={"reason": _("Another booking of the same time was accepted.")},
                )
                notification_send(
                    user=other.booked_by,
                    title=_("Booking refused: %(room)s %(when)s")
                    % {"room": space, "when": _fmt_dt(other.starts_at)},
                    body=_("Another booking of the same time was accepted."),
                    url=reverse("incubation:booking_detail", args=[other.pk]),
                )
            notification_send(
                user=obj.booked_by,
                title=_("Booking confirmed: %(room)s %(when)s")
                % {"room": space, "when": _fmt_dt(obj.starts_at)},
                url=url,
            )
        elif to == B.REFUSED:
            notification_send(
                user=obj.booked_by,
                title=_("Booking refused: %(room)s %(when)s")
                % {"room": space, "when": _fmt_dt(obj.starts_at)},
                body=reason,
                url=url,
            )
        elif to == B.NO_SHOW:
            _no_show, created = NoShow.objects.get_or_create(
                booking=obj, defaults={"user": obj.booked_by, "marked_by": by, "marked_at": now}
            )
            if created:
                notification_send(
                    user=obj.booked_by,
                    title=_("No-show: %(room)s %(when)s was released")
                    % {"room": space, "when": _fmt_dt(obj.starts_at)},
                    body=_(
                        "Nobody checked in within %(n)d minutes of the start; the room is free for "
                        "others and the no-show counts against the booker."
                    )
                    % {"n": NO_SHOW_MINUTES},
                    url=url,
                )
        return obj


@transaction.atomic
def booking_check_in(*, booking: Booking, user, now: datetime | None = None) -> Booking:
    """The booker (or a manager) checks in, from 15 minutes before to 15 minutes after the start."""
    now = now or timezone.now()
    locked = Booking.objects.select_for_update(of=("self",)).select_related("space__base").get(pk=booking.pk)
    if locked.booked_by_id != user.pk and not may_manage_base(user, locked.space.base):
        raise PermissionDeniedError(_("This is not your booking."))
    if locked.status != B.CONFIRMED:
        raise DomainError(_("Only a confirmed booking can be checked in."), code="not_confirmed")
    window = timedelta(minutes=NO_SHOW_MINUTES)
    if not locked.starts_at - window <= now <= locked.starts_at + window:
        raise DomainError(
            _("Check-in is open from %(n)d minutes before to %(n)d minutes after the start.")
            % {"n": NO_SHOW_MINUTES},
            code="check_in_closed",
        )
    if locked.checked_in_at is None:
        locked.checked_in_at = now
        locked.save(update_fields=["checked_in_at", "updated_at"])
    return locked


def bookings_release_no_shows(*, now: datetime) -> int:
    """Nightly/every-few-minutes job: confirmed bookings not checked in 15 minutes after
    the start become no-shows (the slot is released). Idempotent."""
    due = Booking.objects.filter(
        status=B.CONFIRMED,
        checked_in_at__isnull=True,
        starts_at__lte=now - timedelta(minutes=NO_SHOW_MINUTES),
        starts_at__gte=now - timedelta(days=2),
        ends_at__gt=now,
    ).values_list("pk", flat=True)
    n = 0
    for pk in list(due):
        booking = Booking.objects.get(pk=pk)
        try:
            booking_transition(booking, to=B.NO_SHOW, by=None, reason=_("Not checked in"), now=now)
            n += 1
        except DomainError:
            continue
    return n


# ----------------------------------------------------------------- recurring bookings ----
WEEKDAYS = [du_rrule.MO, du_rrule.TU, du_rrule.WE, du_rrule.TH, du_rrule.FR, du_rrule.SA, du_rrule.SU]
MAX_OCCURRENCES = 60


def series_rule(*, first_start: datetime, weekdays: list[int], interval: int, until: date) -> du_rrule.rrule:
    local = timezone.localtime(first_start).replace(tzinfo=None)
    return du_rrule.rrule(
        du_rrule.WEEKLY,
        dtstart=local,
        interval=max(1, int(interval)),
        byweekday=[WEEKDAYS[d] for d in sorted(set(weekdays))] or None,
        until=datetime.combine(until, time.max),
        count=None,
    )


def series_preview(
    *,
    space: Space,
    first_start: datetime,
    first_end: datetime,
    weekdays: list[int],
    interval: int,
    until: date,
    now: datetime | None = None,
) -> list[dict]:
    """Every occurrence with what stops it, if anything: the room's rules, a blocked day or a
    confirmed booking ("taken"). Two queries whatever the number of dates."""
    now = now or timezone.now()
    if first_end <= first_start:
        raise DomainError(_("A booking must end after it starts."), details={"field": "ends_at"})
    if until < timezone.localtime(first_start).date():
        raise DomainError(_("The last date is before the first booking."), details={"field": "until"})
    duration = first_end - first_start
    tz = timezone.get_current_timezone()
    starts = [
        timezone.make_aware(d, tz)
        for d in list(
            series_rule(first_start=first_start, weekdays=weekdays, interval=interval, until=until)
        )[:MAX_OCCURRENCES]
    ]
    if not starts:
        return []
    span_a, span_b = starts[0], starts[-1] + duration
    blocked = list(
        BlockedPeriod.objects.filter(
            Q(space=space) | Q(space__isnull=True, base_id=space.base_id),
            starts_at__lt=span_b,
            ends_at__gt=span_a,
        )
    )
    confirmed = list(
        Booking.objects.filter(
            space=space, status=B.CONFIRMED, starts_at__lt=span_b, ends_at__gt=span_a
        ).only("starts_at", "ends_at", "title")
    )
    out = []
    for s in starts:
        e = s + duration
        problem = booking_problem(space, s, e, now=now, blocked=blocked)
        if problem is None:
            hit = next((b for b in confirmed if b.starts_at < e and b.ends_at > s), None)
            if hit is not None:
                problem = _taken(space, hit).message
        out.append({"starts_at": s, "ends_at": e, "problem": problem})
    return out


@transaction.atomic
def series_create(
    *,
    space: Space,
    user,
    title: str,
    first_start: datetime,
    first_end: datetime,
    weekdays: list[int],
    interval: int,
    until: date,
    now: datetime | None = None,
) -> tuple[BookingSeries, list[Booking], list[dict]]:
    """Book every free occurrence; returns (series, booked, skipped with their reasons)."""
    now = now or timezone.now()
    if not may_book(user, space):
        raise PermissionDeniedError(_("You may not book this room."))
    preview = series_preview(
        space=space,
        first_start=first_start,
        first_end=first_end,
        weekdays=weekdays,
        interval=interval,
        until=until,
        now=now,
    )
    rule = series_rule(first_start=first_start, weekdays=weekdays, interval=interval, until=until)
    text = str(rule).split("\n")[-1].replace("RRULE:", "")
    series = BookingSeries.objects.create(
        space=space, booked_by=user, title=title.strip()[:120] or "-", rrule=text[:200]
    )
    booked, skipped = [], []
    for occ in preview:
        if occ["problem"]:
            skipped.append(occ)
            continue
        try:
            with transaction.atomic():
                booked.append(
                    booking_create(
                        space=space,
                        user=user,
                        starts_at=occ["starts_at"],
                        ends_at=occ["ends_at"],
                        title=title,
                        now=now,
                        series=series,
                    )
                )
        except DomainError as exc:
            skipped.append({**occ, "problem": str(exc.message)})
    if not booked:
        raise DomainError(_("None of the dates can be booked."), code="nothing_booked")
    return series, booked, skipped


# --------------------------------------------------------------------- blocked periods ----
@transaction.atomic
def blocked_period_add(
    *, base, by, starts_at: datetime, ends_at: datetime, reason: str, space: Space | None = None
):
    _require_manager(by, base)
    if ends_at <= starts_at:
        raise DomainError(_("A blocked period must end after it starts."), details={"field": "ends_at"})
    return BlockedPeriod.objects.create(
        base=base, space=space, starts_at=starts_at, ends_at=ends_at, reason=reason
    )
