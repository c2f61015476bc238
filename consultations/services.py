"""Writes of the consultations app. Every function takes keyword arguments, runs in a
transaction and raises `DomainError` (nothing written) when it refuses.

Seats: `Event.seats_taken` counts the attendees of pending, confirmed and offered
registrations. Every service that changes it locks the event row first (then the
registration), so two cancellations at the same moment promote two different people and
never hand one seat out twice.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from center import calendar
from center.errors import DomainError, PermissionDeniedError
from center.services import notification_send, reminder_send_once
from center.validators import normalize_phone, validate_upload
from center.workflow import transition
from consultations.models import (
    AgendaItem,
    Attachment,
    Attendance,
    Audience,
    Certificate,
    CheckIn,
    Consultation,
    ConsultationStatusChange,
    Event,
    EventStatusChange,
    FeedToken,
    Forward,
    Milestone,
    Minutes,
    MinutesRevision,
    Opinion,
    OpinionGroup,
    OpinionStatusChange,
    Paragraph,
    Registration,
    RegistrationStatusChange,
    ReportSubmission,
    ResearchTopic,
    ResearchTopicStatusChange,
    SpeakerApplication,
)
from consultations.permissions import may_answer_forward, may_manage
from consultations.qrcodes import qr_png

logger = logging.getLogger(__name__)

S = Registration.Status

REGISTRATION_PIPELINE = {
    S.PENDING: {S.CONFIRMED, S.REJECTED, S.CANCELLED},
    S.CONFIRMED: {S.CANCELLED},
    S.WAITLISTED: {S.OFFERED, S.CONFIRMED, S.PENDING, S.CANCELLED},
    S.OFFERED: {S.CONFIRMED, S.EXPIRED, S.CANCELLED},
    S.REJECTED: set(),
    S.CANCELLED: set(),
    S.EXPIRED: set(),
}

C = Consultation.Status
CONSULTATION_PIPELINE = {
    C.DRAFT: {C.PUBLISHED},
    C.PUBLISHED: {C.OPEN},
    C.OPEN: {C.CLOSED},
    C.CLOSED: {C.ANSWERED},
    C.ANSWERED: set(),
}

OS = Opinion.Status
OPINION_PIPELINE = {
    OS.RECEIVED: {OS.FORWARDED, OS.ANSWERED},
    OS.FORWARDED: {OS.ANSWERED},
    OS.ANSWERED: {OS.PUBLISHED},
    OS.PUBLISHED: set(),
}

R = ResearchTopic.Status
RESEARCH_PIPELINE = {
    R.PROPOSED: {R.APPROVED, R.REJECTED},
    R.APPROVED: {R.ASSIGNED},
    R.ASSIGNED: {R.SUBMITTED},
    R.SUBMITTED: {R.FEEDBACK, R.PUBLISHED},
    R.FEEDBACK: {R.PUBLISHED},
    R.PUBLISHED: set(),
    R.REJECTED: set(),
}


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _require_manager(user) -> None:
    if not may_manage(user):
        raise PermissionDeniedError(_("Only the center's staff in charge may do this."))


# ------------------------------------------------------------------- registration ----


def _registration_move(registration, *, to, by, reason="", extra=None):
    return transition(
        registration,
        to=to,
        pipeline=REGISTRATION_PIPELINE,
        by=by,
        reason=reason,
        history_model=RegistrationStatusChange,
        extra_updates=extra,
    )


def _lock_event(event_id: int) -> Event:
    return Event.objects.select_for_update().get(pk=event_id)


def _check_window(event: Event, now: datetime) -> None:
    if event.status != Event.Status.PUBLISHED:
        raise DomainError(_("This event is not open for registration."), code="event_not_published")
    if event.starts_at <= now:
        raise DomainError(_("This event has already started or is over."), code="event_past")
    if event.registration_opens_at and now < event.registration_opens_at:
        raise DomainError(_("Registration has not opened yet."), code="registration_not_open")
    if event.registration_closes_at and now > event.registration_closes_at:
        raise DomainError(_("Registration for this event has closed."), code="registration_closed")


def registration_create(
    *,
    event: Event,
    by,
    kind: str,
    name: str,
    phone: str = "",
    email: str = "",
    attendees: int = 1,
    organization=None,
    now: datetime | None = None,
    base_url: str = "",
) -> Registration:
    """Register for an event: a seat when one is free, else a place on the waitlist.

    Refuses (DomainError): event not published, started or past; outside the registration
    window; audience mismatch; already registered (same account, organization or phone);
    more attendees than the per-organization cap; a registration by phone by someone who is
    not staff; an invalid phone number.
    """
    now = _now(now)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Please give a name."), code="name_required", details={"field": "name"})
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], code="invalid_phone", details={"field": "phone"}) from exc
    attendees = int(attendees or 1)
    if kind == Registration.Kind.PHONE:
        _require_manager(by)
        if not phone:
            raise DomainError(
                _("A phone number is needed."), code="phone_required", details={"field": "phone"}
            )
    elif kind == Registration.Kind.ORGANIZATION:
        if organization is None:
            raise DomainError(_("Choose the organization you register for."), code="organization_required")
    elif kind == Registration.Kind.RESIDENT:
        if not (by and by.is_authenticated):
            raise PermissionDeniedError(_("Please log in to register."))
        attendees = 1
    else:
        raise DomainError(_("Unknown kind of registration."), code="invalid_kind")
    if attendees < 1:
        raise DomainError(_("At least one attendee."), code="attendees", details={"field": "attendees"})

    with transaction.atomic():
        event = _lock_event(event.pk)
        _check_window(event, now)
        if kind == Registration.Kind.ORGANIZATION and event.audience == Audience.RESIDENTS:
            raise DomainError(_("This event is for residents."), code="audience")
        if kind == Registration.Kind.RESIDENT and event.audience == Audience.ORGANIZATIONS:
            raise DomainError(_("This event is for organizations."), code="audience")
        if kind == Registration.Kind.ORGANIZATION and attendees > event.max_per_organization:
            raise DomainError(
                _("At most %(n)d attendees per organization.") % {"n": event.max_per_organization},
                code="over_cap",
                details={"field": "attendees"},
            )
        if attendees > event.capacity:
            raise DomainError(_("More attendees than the event has seats."), code="over_capacity")
        active = Registration.objects.filter(event=event, status__in=Registration.ACTIVE)
        if kind == Registration.Kind.ORGANIZATION:
            duplicate = active.filter(organization=organization).exists()
        elif kind == Registration.Kind.RESIDENT:
            duplicate = active.filter(user=by, organization__isnull=True).exists()
        else:
            duplicate = active.filter(phone=phone).exists()
        if duplicate:
            raise DomainError(_("Already registered for this event."), code="duplicate")
        waiting = Registration.objects.filter(event=event, status=S.WAITLISTED).exists()
        if not waiting and event.seats_left >= attendees:
            status = S.PENDING if event.requires_approval else S.CONFIRMED
            Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") + attendees)
            queued_at = None
        else:
            status = S.WAITLISTED
            queued_at = now
        registration = Registration.objects.create(
            event=event,
            kind=kind,
            user=by if kind != Registration.Kind.PHONE else None,
            organization=organization,
            name=name,
            phone=phone,
            email=email or (getattr(by, "email", "") if kind != Registration.Kind.PHONE else ""),
            attendees=attendees,
            status=status,
            queued_at=queued_at,
            created_at=now,
        )
        RegistrationStatusChange.objects.create(
            registration=registration, by=by if by and by.is_authenticated else None, at=now, to_status=status
        )
        _registration_mail(registration, base_url=base_url)
    return registration


def _registration_mail(registration: Registration, *, base_url: str = "") -> None:
    """After commit: the confirmation e-mail with the check-in code and its QR code."""
    if not registration.email:
        return
    url = base_url + reverse("consultations:registration_detail", args=[registration.code])
    event = registration.event
    subject = _("Registration: %(title)s") % {"title": event.title}
    lines = [
        str(registration.get_status_display()),
        f"{event.title} · {timezone.localtime(event.starts_at):%Y-%m-%d %H:%M}",
        f"{_('Check-in code')}: {registration.code}",
        url,
    ]
    if registration.status == S.WAITLISTED:
        lines.insert(1, _("You are on the waitlist; we will offer you a seat when one frees up."))

    def _send():
        try:
            msg = EmailMessage(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [registration.email])
            msg.attach("check-in.png", qr_png(registration.code), "image/png")
            msg.send()
        except Exception:
            logger.exception("registration e-mail failed", extra={"registration": registration.pk})

    transaction.on_commit(_send)


def _notify(registration: Registration, title: str, body: str = "") -> None:
    if registration.user_id:
        notification_send(
            user=registration.user,
            title=title,
            body=body,
            url=reverse("consultations:registration_detail", args=[registration.code]),
        )


def _promote(event: Event, *, now: datetime) -> list[Registration]:
    """Offer freed seats to the waitlist, first come first served. The event must be locked.

    A group waits together: when the first in line needs more seats than are free, nobody
    behind it jumps the queue. Less than a day before the start the seat is given at once
    (no time to wait for an answer); otherwise it is offered for `offer_hours`.
    """
    promoted = []
    event.refresh_from_db(fields=["seats_taken", "capacity"])
    immediate = event.starts_at - now < timedelta(days=1)
    for registration in (
        Registration.objects.select_for_update()
        .filter(event=event, status=S.WAITLISTED)
        .order_by("queued_at", "pk")
    ):
        if registration.attendees > event.capacity - event.seats_taken:
            break
        if immediate:
            to = S.PENDING if event.requires_approval else S.CONFIRMED
            extra = {"offer_expires_at": None}
        else:
            to = S.OFFERED
            extra = {"offer_expires_at": min(now + timedelta(hours=event.offer_hours), event.starts_at)}
        _registration_move(registration, to=to, by=None, reason="waitlist", extra=extra)
        Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") + registration.attendees)
        event.seats_taken += registration.attendees
        registration.status = to
        promoted.append(registration)
        if to == S.OFFERED:
            _notify(
                registration,
                _("A seat is free for you: %(title)s") % {"title": event.title},
                _("Accept it before %(when)s.")
                % {"when": timezone.localtime(registration.offer_expires_at).strftime("%Y-%m-%d %H:%M")},
            )
        else:
            _notify(registration, _("You have a seat: %(title)s") % {"title": event.title})
    return promoted


def _release(event: Event, registration: Registration) -> None:
    """Give back the seats a registration held (event locked)."""
    Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") - registration.attendees)


def registration_cancel(
    *, registration: Registration, by, now: datetime | None = None, reason: str = ""
) -> Registration:
    """Cancel a registration (or leave the waitlist) and pass freed seats on.

    Refuses: someone else's registration (unless staff); a registrant after the cancellation
    cutoff; a registration already cancelled, rejected or expired.
    """
    now = _now(now)
    is_owner = bool(by and by.is_authenticated and registration.user_id == by.pk)
    if not (is_owner or may_manage(by)):
        raise PermissionDeniedError(_("This is not your registration."))
    with transaction.atomic():
        event = _lock_event(registration.event_id)
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status not in Registration.ACTIVE:
            raise DomainError(_("This registration is no longer active."), code="inactive")
        cutoff = event.starts_at - timedelta(hours=event.cancellation_cutoff_hours)
        if not may_manage(by) and locked.status != S.WAITLISTED and now > cutoff:
            raise DomainError(
                _("Cancellation was possible until %(when)s.")
                % {"when": timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M")},
                code="cutoff",
            )
        held = locked.holds_seats
        result = _registration_move(locked, to=S.CANCELLED, by=by, reason=reason)
        if held:
            _release(event, locked)
            _promote(event, now=now)
    registration.status = result.obj.status
    return result.obj


def registration_decide(
    *, registration: Registration, by, approve: bool, reason: str = "", now: datetime | None = None
) -> Registration:
    """Approve or reject a registration awaiting approval (staff). A rejection frees its seats."""
    _require_manager(by)
    now = _now(now)
    with transaction.atomic():
        event = _lock_event(registration.event_id)
        if approve:
            result = _registration_move(registration, to=S.CONFIRMED, by=by, reason=reason)
            _notify(result.obj, _("Registration approved: %(title)s") % {"title": event.title})
        else:
            if not reason.strip():
                raise DomainError(
                    _("Please give a reason."), code="reason_required", details={"field": "reason"}
                )
            result = _registration_move(registration, to=S.REJECTED, by=by, reason=reason)
            if result.changed:
                _release(event, result.obj)
                _promote(event, now=now)
                _notify(
                    result.obj, _("Registration not accepted: %(title)s") % {"title": event.title}, reason
                )
    return result.obj


def offer_accept(*, registration: Registration, by, now: datetime | None = None) -> Registration:
    """Take the seat offered from the waitlist. Refuses an expired offer or someone else's."""
    now = _now(now)
    if not (by and by.is_authenticated and (registration.user_id == by.pk or may_manage(by))):
        raise PermissionDeniedError(_("This is not your registration."))
    with transaction.atomic():
        event = _lock_event(registration.event_id)
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status != S.OFFERED:
            raise DomainError(_("There is no seat offered to you."), code="no_offer")
        if locked.offer_expires_at and locked.offer_expires_at <= now:
            raise DomainError(_("The offer has expired."), code="offer_expired")
        result = _registration_move(locked, to=S.CONFIRMED, by=by)
        _notify(result.obj, _("You have a seat: %(title)s") % {"title": event.title})
    return result.obj


def offers_expire(*, now: datetime | None = None) -> int:
    """Expire offers not taken in time and pass each seat on (nightly/periodic job)."""
    now = _now(now)
    expired = 0
    ids = list(
        Registration.objects.filter(status=S.OFFERED, offer_expires_at__lte=now).values_list("event_id", "pk")
    )
    for event_id, pk in ids:
        with transaction.atomic():
            event = _lock_event(event_id)
            locked = Registration.objects.select_for_update().get(pk=pk)
            if locked.status != S.OFFERED or locked.offer_expires_at > now:
                continue
            _registration_move(locked, to=S.EXPIRED, by=None, reason="offer not taken")
            _release(event, locked)
            _promote(event, now=now)
            expired += 1
    return expired


def event_capacity_set(*, event: Event, capacity: int, by, now: datetime | None = None) -> Event:
    """Change an event's capacity; raising it offers the new seats to the waitlist.
    Refuses a capacity below the seats already taken."""
    _require_manager(by)
    now = _now(now)
    with transaction.atomic():
        locked = _lock_event(event.pk)
        if capacity < locked.seats_taken:
            raise DomainError(
                _("%(n)d seats are already taken.") % {"n": locked.seats_taken}, code="capacity_below_taken"
            )
        Event.objects.filter(pk=locked.pk).update(capacity=capacity, updated_at=now)
        locked.capacity = capacity
        _promote(locked, now=now)
    event.refresh_from_db()
    return event


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when not waiting."""
    if registration.status != S.WAITLISTED:
        return None
    ahead = Registration.objects.filter(event_id=registration.event_id, status=S.WAITLISTED).filter(
        Q(queued_at__lt=registration.queued_at) | Q(queued_at=registration.queued_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def feed_token_for(user) -> FeedToken:
    token, _created = FeedToken.objects.get_or_create(user=user)
    return token


# ------------------------------------------------------------- events set up by staff ----

E = Event.Status
EVENT_PIPELINE = {
    E.DRAFT: {E.PUBLISHED, E.CANCELLED},
    E.PUBLISHED: {E.CANCELLED},
    E.CANCELLED: set(),
}

EVENT_FIELDS = (
    "title",
    "kind",
    "organizer_department",
    "description",
    "venue",
    "online_url",
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "capacity",
    "max_per_organization",
    "audience",
    "requires_approval",
    "gives_certificate",
    "sessions",
    "attendance_threshold",
)


def event_schedule_errors(data: dict) -> dict[str, str]:
    """What is wrong with an event's dates, seats and place, field by field (empty when
    nothing is). Shared by the staff form (messages next to the fields) and the services
    (which refuse the first one)."""
    errors: dict[str, str] = {}
    starts, ends = data.get("starts_at"), data.get("ends_at")
    opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
    if starts and ends and ends <= starts:
        errors["ends_at"] = _("The event must end after it starts.")
    if starts and opens and opens >= starts:
        errors["registration_opens_at"] = _("Registration must open before the event starts.")
    if starts and closes and closes > starts:
        errors["registration_closes_at"] = _("Registration must close before the event starts.")
    elif opens and closes and closes <= opens:
        errors["registration_closes_at"] = _("Registration must close after it opens.")
    capacity = data.get("capacity")
    if capacity is not None and capacity < 1:
        errors["capacity"] = _("The capacity must be at least 1.")
    per_org = data.get("max_per_organization")
    if per_org is not None and per_org < 1:
        errors["max_per_organization"] = _("At least one attendee per organization.")
    sessions, threshold = data.get("sessions"), data.get("attendance_threshold")
    if sessions is not None and sessions < 1:
        errors["sessions"] = _("At least one session.")
    elif sessions and threshold is not None and not 1 <= threshold <= sessions:
        errors["attendance_threshold"] = _("Between 1 and the number of sessions.")
    if not (data.get("venue") or "").strip() and not (data.get("online_url") or "").strip():
        errors["venue"] = _("Give a venue or an online link.")
    return errors


def _event_check(data: dict, agenda: list[dict]) -> None:
    if not (data.get("title") or "").strip():
        raise DomainError(_("Please give a title."), code="title_required", details={"field": "title"})
    if data.get("kind") is None:
        raise DomainError(_("Choose the kind of event."), code="kind_required", details={"field": "kind"})
    for name in ("starts_at", "ends_at"):
        if data.get(name) is None:
            raise DomainError(_("Please give the start and the end."), code="dates", details={"field": name})
    errors = event_schedule_errors(data)
    if errors:
        field, message = next(iter(errors.items()))
        raise DomainError(message, code="schedule", details={"field": field})
    for item in agenda:
        if not (item.get("title") or "").strip() or item.get("starts_at") is None:
            raise DomainError(
                _("Each agenda item needs a time and a title."), code="agenda", details={"field": "agenda"}
            )


def _agenda_write(event: Event, agenda: list[dict]) -> None:
    """The agenda as submitted replaces the one stored (in the order given)."""
    event.agenda.all().delete()
    AgendaItem.objects.bulk_create(
        AgendaItem(
            event=event,
            starts_at=item["starts_at"],
            title=item["title"].strip()[:200],
            speaker=(item.get("speaker") or "").strip()[:120],
            sort_order=i,
        )
        for i, item in enumerate(agenda, start=1)
    )


def event_create(
    *, by, data: dict, agenda: list[dict] = (), service_areas=(), now: datetime | None = None
) -> Event:
    """Create an event as a draft (published later with `event_transition`).

    `data` holds the fields of EVENT_FIELDS; `agenda` a list of {starts_at, title, speaker}.
    Refuses: someone who is not staff in charge; a missing title, kind or date; an end not
    after the start; a registration window not before the start; a capacity below 1; no
    venue and no online link.
    """
    _require_manager(by)
    now = _now(now)
    agenda = list(agenda)
    _event_check(data, agenda)
    with transaction.atomic():
        event = Event.objects.create(
            **{name: data[name] for name in EVENT_FIELDS if name in data},
            organizer=by,
            status=E.DRAFT,
            created_at=now,
        )
        event.service_areas.set(service_areas)
        _agenda_write(event, agenda)
        EventStatusChange.objects.create(event=event, by=by, at=now, to_status=E.DRAFT)
    return event


# A change of these is told to the people registered.
WHEN_AND_WHERE = ("starts_at", "ends_at", "venue", "online_url")


def event_update(
    *, event: Event, by, data: dict, agenda: list[dict] = (), service_areas=(), now: datetime | None = None
) -> Event:
    """Change an event. A raised capacity offers the new seats to the waitlist; a new time or
    place of a published event is told to everyone registered or waiting.

    Refuses what `event_create` refuses, a cancelled event, and a capacity below the seats
    already taken.
    """
    _require_manager(by)
    now = _now(now)
    agenda = list(agenda)
    _event_check(data, agenda)
    with transaction.atomic():
        locked = _lock_event(event.pk)
        if locked.status == E.CANCELLED:
            raise DomainError(_("A cancelled event cannot be changed."), code="cancelled")
        capacity = data.get("capacity", locked.capacity)
        if capacity < locked.seats_taken:
            raise DomainError(
                _("%(n)d seats are already taken.") % {"n": locked.seats_taken},
                code="capacity_below_taken",
                details={"field": "capacity"},
            )
        raised = capacity > locked.capacity
        before = {name: getattr(locked, name) for name in WHEN_AND_WHERE}
        for name in EVENT_FIELDS:
            if name in data:
                setattr(locked, name, data[name])
        locked.save(update_fields=[*[n for n in EVENT_FIELDS if n in data], "updated_at"])
        locked.service_areas.set(service_areas)
        _agenda_write(locked, agenda)
        if raised and locked.status == E.PUBLISHED:
            _promote(locked, now=now)
        if locked.status == E.PUBLISHED and any(getattr(locked, n) != v for n, v in before.items()):
            when = timezone.localtime(locked.starts_at).strftime("%Y-%m-%d %H:%M")
            where = locked.venue or locked.online_url
            for registration in Registration.objects.filter(
                event_id=locked.pk, status__in=Registration.ACTIVE
            ).select_related("user"):
                _notify(
                    registration,
                    _("Event changed: %(title)s") % {"title": locked.title},
                    _("Now: %(when)s, %(where)s.") % {"when": when, "where": where},
                )
    event.refresh_from_db()
    return event


def event_transition(*, event: Event, to: str, by, reason: str = "", now: datetime | None = None):
    """Publish a draft event, or cancel an event. Cancelling needs a reason; it cancels
    every active registration (seats and waitlist) and tells the people registered.

    Refuses: someone who is not staff in charge; a step the pipeline does not allow;
    publishing an event that has already started.
    """
    _require_manager(by)
    now = _now(now)
    reason = (reason or "").strip()
    if to == E.CANCELLED and not reason:
        raise DomainError(_("Please give a reason."), code="reason_required", details={"field": "reason"})

    def extra(locked, old):
        if to == E.PUBLISHED and locked.starts_at <= now:
            raise DomainError(_("This event has already started or is over."), code="event_past")
        return {"seats_taken": 0} if to == E.CANCELLED else {}

    with transaction.atomic():
        _lock_event(event.pk)
        result = transition(
            event,
            to=to,
            pipeline=EVENT_PIPELINE,
            by=by,
            reason=reason,
            history_model=EventStatusChange,
            extra_updates=extra,
        )
        if result.changed and to == E.CANCELLED:
            for registration in (
                Registration.objects.select_for_update(of=("self",))  # user: a nullable join
                .filter(event_id=event.pk, status__in=Registration.ACTIVE)
                .select_related("user")
            ):
                _registration_move(registration, to=S.CANCELLED, by=by, reason=reason)
                _notify(registration, _("Event cancelled: %(title)s") % {"title": event.title}, reason)
    return result


# ------------------------------------------------------------------------ check-in ----


def checkin(
    *,
    event: Event,
    code: str,
    by,
    method: str = CheckIn.Method.CODE,
    session: int = 1,
    now: datetime | None = None,
) -> tuple[CheckIn, bool]:
    """Check a person in at the door; returns (check-in, already) where `already` says the
    code was checked in before (the check-in then carries the first time).

    Refuses: unknown code; a code of another event; a registration that has no seat.
    """
    _require_manager(by)
    now = _now(now)
    code = (code or "").strip()
    registration = Registration.objects.select_related("event").filter(code=code).first()
    if registration is None:
        raise DomainError(_("Unknown check-in code."), code="unknown_code")
    if registration.event_id != event.pk:
        raise DomainError(
            _("This code is for another event: %(title)s.") % {"title": registration.event.title},
            code="other_event",
        )
    if registration.status != S.CONFIRMED:
        raise DomainError(
            _("This registration has no seat (%(status)s).") % {"status": registration.get_status_display()},
            code="not_confirmed",
        )
    if not 1 <= session <= event.sessions:
        raise DomainError(_("This event has no such session."), code="session")
    existing = CheckIn.objects.filter(registration=registration, session=session).first()
    if existing:
        return existing, True
    try:
        with transaction.atomic():
            item = CheckIn.objects.create(
                registration=registration, session=session, at=now, by=by, method=method
            )
            Attendance.objects.update_or_create(
                registration=registration, session=session, defaults={"status": Attendance.Status.PRESENT}
            )
    except IntegrityError:  # the same code scanned at two doors at once
        return CheckIn.objects.get(registration=registration, session=session), True
    return item, False


def walk_in_add(*, event: Event, by, name: str, phone: str = "", now: datetime | None = None) -> Registration:
    """Someone who came without registering: recorded and checked in at once (the room has
    standing places; the registered capacity is not touched)."""
    _require_manager(by)
    now = _now(now)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Please give a name."), code="name_required", details={"field": "name"})
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], code="invalid_phone", details={"field": "phone"}) from exc
    with transaction.atomic():
        registration = Registration.objects.create(
            event=event,
            kind=Registration.Kind.WALK_IN,
            name=name,
            phone=phone,
            status=S.CONFIRMED,
            created_at=now,
        )
        RegistrationStatusChange.objects.create(
            registration=registration, by=by, at=now, to_status=S.CONFIRMED
        )
        checkin(event=event, code=registration.code, by=by, method=CheckIn.Method.WALK_IN, now=now)
    return registration


def attendance_set(*, registration: Registration, session: int, status: str, by) -> Attendance:
    """Record present / absent / excused for one session (staff)."""
    _require_manager(by)
    if status not in Attendance.Status.values:
        raise DomainError(_("Unknown attendance."), code="attendance")
    if not 1 <= session <= registration.event.sessions:
        raise DomainError(_("This event has no such session."), code="session")
    item, _created = Attendance.objects.update_or_create(
        registration=registration, session=session, defaults={"status": status}
    )
    return item


# ------------------------------------------------------------------ after the event ----


def minutes_save(*, event: Event, body: str, published: bool, by) -> Minutes:
    """Write the minutes; every save keeps a revision."""
    _require_manager(by)
    body = (body or "").strip()
    if not body:
        raise DomainError(_("The minutes are empty."), code="empty", details={"field": "body"})
    with transaction.atomic():
        minutes, _created = Minutes.objects.update_or_create(
            event=event, defaults={"body": body, "published": published}
        )
        MinutesRevision.objects.create(minutes=minutes, body=body, by=by)
    return minutes


def attachment_add(*, event: Event, upload, title: str, kind: str, public: bool, by) -> Attachment:
    """Attach slides, photos or documents (type checked by content, size limited)."""
    _require_manager(by)
    try:
        validate_upload(upload)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code="upload", details={"field": "file"}) from exc
    return Attachment.objects.create(
        event=event, title=(title or upload.name)[:200], kind=kind, public=public, file=upload, uploaded_by=by
    )


def certificate_eligible(registration: Registration) -> bool:
    event = registration.event
    if not event.gives_certificate or registration.status != S.CONFIRMED:
        return False
    present = {a.session for a in registration.attendance.all() if a.status == Attendance.Status.PRESENT}
    present |= {c.session for c in registration.checkins.all()}
    return len(present) >= max(1, min(event.attendance_threshold, event.sessions))


def certificate_issue(*, registration: Registration, by, now: datetime | None = None) -> Certificate:
    """Issue a certificate. Refuses events without certificates and people who were not
    checked in (or missed the attendance threshold of a multi-session training)."""
    _require_manager(by)
    now = _now(now)
    if not registration.event.gives_certificate:
        raise DomainError(_("This event gives no certificate."), code="no_certificate")
    if not certificate_eligible(registration):
        raise DomainError(_("Only people who attended get a certificate."), code="not_attended")
    existing = Certificate.objects.filter(registration=registration).first()
    if existing:
        return existing
    with transaction.atomic():
        cert = Certificate.objects.create(
            registration=registration,
            number=f"HS{timezone.localtime(now):%Y}-{registration.event_id:05d}-{registration.pk:07d}",
            holder_name=registration.name,
            issued_at=now,
        )
        _notify(registration, _("Your certificate: %(title)s") % {"title": registration.event.title})
    return cert


def certificates_issue_for_event(*, event: Event, by, now: datetime | None = None) -> int:
    """Issue every certificate the event's attendees have earned; returns how many are new."""
    _require_manager(by)
    count = 0
    for registration in (
        Registration.objects.filter(event=event, status=S.CONFIRMED, certificate__isnull=True)
        .select_related("event")
        .prefetch_related("attendance", "checkins")
    ):
        if certificate_eligible(registration):
            certificate_issue(registration=registration, by=by, now=now)
            count += 1
    return count


def certificate_revoke(
    *, certificate: Certificate, by, reason: str, now: datetime | None = None
) -> Certificate:
    _require_manager(by)
    if not (reason or "").strip():
        raise DomainError(_("Please give a reason."), code="reason_required", details={"field": "reason"})
    certificate.revoked_at = _now(now)
    certificate.revoke_reason = reason.strip()[:300]
    certificate.save(update_fields=["revoked_at", "revoke_reason"])
    return certificate


# --------------------------------------------------------------------- consultations ----


def paragraphs_from_text(text: str) -> list[tuple[str, str]]:
    """Split a draft into (heading, text) paragraphs: paragraphs are separated by an empty
    line; a paragraph whose first line starts with "#" takes that line as its heading (a
    heading alone heads the next paragraph)."""
    out: list[tuple[str, str]] = []
    pending = ""
    blocks = [b.strip() for b in (text or "").replace("\r\n", "\n").split("\n\n")]
    for block in filter(None, blocks):
        lines = block.split("\n")
        heading = ""
        if lines[0].lstrip().startswith("#"):
            heading = lines[0].strip().lstrip("#").strip()
            lines = lines[1:]
        body = "\n".join(lines).strip()
        if not body:
            pending = heading or pending
            continue
        out.append(((heading or pending)[:200], body))
        pending = ""
    return out


def paragraphs_to_text(paragraphs) -> str:
    """The inverse of `paragraphs_from_text`, for the edit form."""
    return "\n\n".join(f"# {p.heading}\n{p.text}" if p.heading else p.text for p in paragraphs)


def consultation_dates_errors(data: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    opens, closes = data.get("opens_at"), data.get("closes_at")
    if opens and closes and closes <= opens:
        errors["closes_at"] = _("Opinions must close after they open.")
    days = data.get("reply_working_days")
    if days is not None and not 1 <= days <= 60:
        errors["reply_working_days"] = _("Between 1 and 60 working days.")
    return errors


def _consultation_check(data: dict, paragraphs: list[tuple[str, str]]) -> None:
    if not (data.get("title") or "").strip():
        raise DomainError(_("Please give a title."), code="title_required", details={"field": "title"})
    if not paragraphs:
        raise DomainError(_("The draft text is empty."), code="empty", details={"field": "body"})
    errors = consultation_dates_errors(data)
    if errors:
        field, message = next(iter(errors.items()))
        raise DomainError(message, code="dates", details={"field": field})


CONSULTATION_FIELDS = ("title", "summary", "event", "opens_at", "closes_at", "reply_working_days")


def consultation_create(*, by, data: dict, body: str, now: datetime | None = None) -> Consultation:
    """A consultation on a draft document, as a draft; `body` is split into paragraphs
    (`paragraphs_from_text`). Published and opened with `consultation_transition`."""
    _require_manager(by)
    now = _now(now)
    paragraphs = paragraphs_from_text(body)
    _consultation_check(data, paragraphs)
    with transaction.atomic():
        consultation = Consultation.objects.create(
            **{name: data[name] for name in CONSULTATION_FIELDS if name in data},
            status=C.DRAFT,
            created_by=by,
            created_at=now,
        )
        Paragraph.objects.bulk_create(
            Paragraph(consultation=consultation, number=i, heading=heading, text=text)
            for i, (heading, text) in enumerate(paragraphs, start=1)
        )
        ConsultationStatusChange.objects.create(consultation=consultation, by=by, at=now, to_status=C.DRAFT)
    return consultation


def consultation_update(*, consultation: Consultation, by, data: dict, body: str) -> Consultation:
    """Change a consultation. The text may change only until the first opinion is given
    (opinions point at its paragraphs); nothing changes once it is answered."""
    _require_manager(by)
    paragraphs = paragraphs_from_text(body)
    _consultation_check(data, paragraphs)
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if locked.status == C.ANSWERED:
            raise DomainError(_("An answered consultation cannot be changed."), code="answered")
        current = [(p.heading, p.text) for p in locked.paragraphs.order_by("number")]
        if paragraphs != current:
            if locked.opinions.exists():
                raise DomainError(
                    _("The text cannot change once opinions have been given on it."),
                    code="has_opinions",
                    details={"field": "body"},
                )
            locked.paragraphs.all().delete()
            Paragraph.objects.bulk_create(
                Paragraph(consultation=locked, number=i, heading=heading, text=text)
                for i, (heading, text) in enumerate(paragraphs, start=1)
            )
        for name in CONSULTATION_FIELDS:
            if name in data:
                setattr(locked, name, data[name])
        locked.save(update_fields=[*[n for n in CONSULTATION_FIELDS if n in data], "updated_at"])
    consultation.refresh_from_db()
    return consultation


def consultation_transition(
    *, consultation: Consultation, to: str, by, reason: str = "", now: datetime | None = None
):
    """Move a consultation through its dated phases (draft → published → open → closed →
    answered). Refuses steps the pipeline does not allow, and "answered" while opinions
    still wait for an answer."""
    if by is not None:
        _require_manager(by)
    now = _now(now)

    def extra(locked, old):
        if to == C.PUBLISHED:
            return {"published_at": now}
        if to == C.OPEN:
            return {"opens_at": locked.opens_at if locked.opens_at and locked.opens_at <= now else now}
        if to == C.CLOSED:
            return {"closes_at": locked.closes_at if locked.closes_at and locked.closes_at <= now else now}
        if to == C.ANSWERED:
            if locked.opinions.filter(hidden=False, status__in=[OS.RECEIVED, OS.FORWARDED]).exists():
                raise DomainError(_("Some opinions have no answer yet."), code="unanswered")
            return {"answered_at": now}
        return {}

    return transition(
        consultation,
        to=to,
        pipeline=CONSULTATION_PIPELINE,
        by=by,
        reason=reason,
        history_model=ConsultationStatusChange,
        extra_updates=extra,
    )


def consultation_phases_sweep(*, now: datetime | None = None) -> int:
    """Open and close consultations on their dates (periodic job)."""
    now = _now(now)
    moved = 0
    for c in Consultation.objects.filter(status=C.PUBLISHED, opens_at__lte=now):
        moved += consultation_transition(
            consultation=c, to=C.OPEN, by=None, reason="scheduled", now=now
        ).changed
    for c in Consultation.objects.filter(status=C.OPEN, closes_at__lte=now):
        moved += consultation_transition(
            consultation=c, to=C.CLOSED, by=None, reason="scheduled", now=now
        ).changed
    return moved


def opinion_create(
    *,
    consultation: Consultation,
    body: str,
    name: str,
    by=None,
    paragraph: Paragraph | None = None,
    name_public: bool = False,
    phone: str = "",
    email: str = "",
    source: str = Opinion.Source.ONLINE,
    organization=None,
    now: datetime | None = None,
) -> Opinion:
    """Give an opinion on a paragraph or on the whole draft.

    Refuses: a consultation not open for opinions; an empty opinion or one longer than
    3,000 characters; a paragraph of another draft; an invalid phone; an opinion recorded
    at the hearing by someone who is not staff.
    """
    now = _now(now)
    body = (body or "").strip()
    name = (name or "").strip()
    if consultation.status != C.OPEN or (consultation.closes_at and consultation.closes_at <= now):
        raise DomainError(_("This consultation is not open for opinions."), code="not_open")
    if not body:
        raise DomainError(_("The opinion is empty."), code="empty", details={"field": "body"})
    if len(body) > Opinion.MAX_LENGTH:
        raise DomainError(
            _("An opinion may have at most %(n)d characters (this one has %(len)d).")
            % {"n": Opinion.MAX_LENGTH, "len": len(body)},
            code="too_long",
            details={"field": "body"},
        )
    if not name:
        raise DomainError(_("Please give a name."), code="name_required", details={"field": "name"})
    if paragraph is not None and paragraph.consultation_id != consultation.pk:
        raise DomainError(_("This paragraph belongs to another draft."), code="paragraph")
    if source == Opinion.Source.HEARING:
        _require_manager(by)
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], code="invalid_phone", details={"field": "phone"}) from exc
    with transaction.atomic():
        opinion = Opinion.objects.create(
            consultation=consultation,
            paragraph=paragraph,
            author=by if by and by.is_authenticated and source == Opinion.Source.ONLINE else None,
            organization=organization,
            name=name[:120],
            name_public=name_public,
            phone=phone,
            email=email,
            body=body,
            source=source,
            created_at=now,
        )
        OpinionStatusChange.objects.create(
            opinion=opinion, by=by if by and by.is_authenticated else None, at=now, to_status=OS.RECEIVED
        )
    return opinion


def opinion_hide(*, opinion: Opinion, by, reason: str, hide: bool = True) -> Opinion:
    """Hide an abusive opinion with a reason its author sees (or show it again)."""
    _require_manager(by)
    reason = (reason or "").strip()
    if hide and not reason:
        raise DomainError(_("Please give a reason."), code="reason_required", details={"field": "reason"})
    opinion.hidden = hide
    opinion.hidden_reason = reason[:300] if hide else ""
    opinion.save(update_fields=["hidden", "hidden_reason", "updated_at"])
    return opinion


def opinions_group(*, consultation: Consultation, opinion_ids: list[int], title: str, by) -> OpinionGroup:
    """Put similar opinions under one heading."""
    _require_manager(by)
    title = (title or "").strip()
    if not title:
        raise DomainError(
            _("Please give the group a title."), code="title_required", details={"field": "title"}
        )
    with transaction.atomic():
        group, _created = OpinionGroup.objects.get_or_create(consultation=consultation, title=title[:200])
        Opinion.objects.filter(consultation=consultation, pk__in=opinion_ids).update(group=group)
    return group


def forward_create(
    *,
    consultation: Consultation,
    department,
    opinion_ids: list[int],
    by,
    note: str = "",
    now: datetime | None = None,
) -> Forward:
    """Forward opinions to a government department, which must reply within the
    consultation's working days (deadline from the center's calendar).

    Refuses: nothing selected; opinions hidden, already forwarded or of another draft; a
    consultation not yet open or already answered.
    """
    _require_manager(by)
    now = _now(now)
    if consultation.status not in (C.OPEN, C.CLOSED):
        raise DomainError(_("Opinions are forwarded while the consultation is open or closed."), code="phase")
    if not opinion_ids:
        raise DomainError(_("Select the opinions to forward."), code="nothing_selected")
    with transaction.atomic():
        opinions = list(
            Opinion.objects.select_for_update().filter(consultation=consultation, pk__in=opinion_ids)
        )
        if len(opinions) != len(set(opinion_ids)):
            raise DomainError(_("Some opinions are not part of this consultation."), code="foreign")
        if any(o.hidden or o.status != OS.RECEIVED for o in opinions):
            raise DomainError(
                _("Hidden or already forwarded opinions cannot be forwarded."), code="not_forwardable"
            )
        due = calendar.end_of_day(
            calendar.add_working_days(timezone.localtime(now).date(), consultation.reply_working_days)
        )
        forward, created = Forward.objects.get_or_create(
            consultation=consultation,
            department=department,
            defaults={"forwarded_at": now, "forwarded_by": by, "due_at": due, "note": note},
        )
        if not created and forward.status == Forward.Status.REPLIED:
            forward.status = Forward.Status.OPEN
            forward.replied_at = None
            forward.save(update_fields=["status", "replied_at"])
        for opinion in opinions:
            transition(
                opinion,
                to=OS.FORWARDED,
                pipeline=OPINION_PIPELINE,
                by=by,
                reason=str(department),
                history_model=OpinionStatusChange,
                extra_updates={"forward": forward},
            )
        for contact in department.contacts.filter(active=True).select_related("user"):
            notification_send(
                user=contact.user,
                title=_("Opinions to answer: %(title)s") % {"title": consultation.title},
                body=_("Please reply by %(date)s.")
                % {"date": timezone.localtime(forward.due_at).date().isoformat()},
                url=reverse("consultations:forward_detail", args=[forward.pk]),
            )
    return forward


def opinion_answer(*, opinion: Opinion, by, result: str, answer: str, now: datetime | None = None) -> Opinion:
    """The department's answer to one forwarded opinion: adopted / partly / not, with the reason.

    Refuses: someone who is not a contact of the department it was forwarded to (or staff);
    an opinion not forwarded; a consultation already closed with its answers published; an
    unknown result; an empty reason.
    """
    now = _now(now)
    opinion = Opinion.objects.select_related("forward", "consultation").get(pk=opinion.pk)
    if opinion.forward_id is None:
        if not may_manage(by):
            raise PermissionDeniedError(_("This opinion was not forwarded to you."))
    elif not may_answer_forward(by, opinion.forward):
        raise PermissionDeniedError(_("This opinion was not forwarded to you."))
    if opinion.consultation.status == C.ANSWERED:
        raise DomainError(_("This consultation is closed: its answers are final."), code="closed")
    if result not in Opinion.Result.values:
        raise DomainError(
            _("Choose adopted, partly adopted or not adopted."), code="result", details={"field": "result"}
        )
    answer = (answer or "").strip()
    if not answer:
        raise DomainError(_("Please give the reason."), code="reason_required", details={"field": "answer"})
    if len(answer) > 5000:
        raise DomainError(_("The reason is too long."), code="too_long", details={"field": "answer"})
    with transaction.atomic():
        on_time = opinion.forward.due_at >= now if opinion.forward_id else True
        moved = transition(
            opinion,
            to=OS.ANSWERED,
            pipeline=OPINION_PIPELINE,
            by=by,
            history_model=OpinionStatusChange,
            extra_updates={
                "result": result,
                "answer": answer,
                "answered_at": now,
                "answered_by": by,
                "answered_on_time": on_time,
            },
        )
        if not moved.changed:
            raise DomainError(_("This opinion has already been answered."), code="answered")
        if opinion.forward_id:
            forward = Forward.objects.select_for_update().get(pk=opinion.forward_id)
            if (
                not forward.opinions.filter(status=OS.FORWARDED).exists()
                and forward.status == Forward.Status.OPEN
            ):
                forward.status = Forward.Status.REPLIED
                forward.replied_at = now
                forward.save(update_fields=["status", "replied_at"])
    return moved.obj


def feedback_publish(*, consultation: Consultation, by, now: datetime | None = None) -> int:
    """Publish the answers given so far in the consultation's feedback report (意见采纳情况);
    returns how many answers became public. Can be run again as more answers arrive."""
    _require_manager(by)
    if consultation.status not in (C.CLOSED, C.ANSWERED):
        raise DomainError(_("The feedback report is published after the consultation closes."), code="phase")
    count = 0
    with transaction.atomic():
        for opinion in Opinion.objects.filter(consultation=consultation, status=OS.ANSWERED):
            count += transition(
                opinion, to=OS.PUBLISHED, pipeline=OPINION_PIPELINE, by=by, history_model=OpinionStatusChange
            ).changed
        Consultation.objects.filter(pk=consultation.pk).update(feedback_published=True, updated_at=_now(now))
    consultation.feedback_published = True
    return count


def speaker_apply(
    *, consultation: Consultation, name: str, topic: str, by=None, phone: str = ""
) -> SpeakerApplication:
    """Apply to speak at the hearing. Refuses consultations without a hearing or already closed."""
    if consultation.event_id is None:
        raise DomainError(_("This consultation has no hearing."), code="no_hearing")
    if consultation.status not in (C.PUBLISHED, C.OPEN):
        raise DomainError(_("Applications to speak are closed."), code="closed")
    name, topic = (name or "").strip(), (topic or "").strip()
    if not name or not topic:
        raise DomainError(_("Please give your name and what you want to say."), code="required")
    if len(topic) > 500:
        raise DomainError(
            _("Please keep it under 500 characters."), code="too_long", details={"field": "topic"}
        )
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], code="invalid_phone", details={"field": "phone"}) from exc
    return SpeakerApplication.objects.create(
        consultation=consultation,
        user=by if by and by.is_authenticated else None,
        name=name[:120],
        phone=phone,
        topic=topic,
    )


def speaker_decide(*, application: SpeakerApplication, selected: bool, by) -> SpeakerApplication:
    _require_manager(by)
    if application.status != SpeakerApplication.Status.APPLIED:
        raise DomainError(_("This application has already been decided."), code="decided")
    application.status = (
        SpeakerApplication.Status.SELECTED if selected else SpeakerApplication.Status.NOT_SELECTED
    )
    application.decided_by = by
    application.save(update_fields=["status", "decided_by"])
    if application.user_id:
        notification_send(
            user=application.user,
            title=_("Your application to speak: %(status)s") % {"status": application.get_status_display()},
            url=reverse("consultations:consultation_detail", args=[application.consultation_id]),
        )
    return application


# ------------------------------------------------------------------------- research ----


def research_transition(*, topic: ResearchTopic, to: str, by, reason: str = "", now: datetime | None = None):
    """Move a research topic: proposed → approved (or rejected) → assigned → submitted →
    feedback → published. Refuses "assigned" without a team, "submitted" without a report."""
    _require_manager(by)
    now = _now(now)

    def extra(locked, old):
        if to == R.ASSIGNED and not locked.team.strip():
            raise DomainError(_("Name the expert team first."), code="team_required")
        if to == R.SUBMITTED:
            if not (locked.report or locked.report_summary.strip()):
                raise DomainError(_("Attach the report first."), code="report_required")
            return {"submitted_at": now}
        if to == R.PUBLISHED:
            return {"published_at": now}
        return {}

    return transition(
        topic,
        to=to,
        pipeline=RESEARCH_PIPELINE,
        by=by,
        reason=reason,
        history_model=ResearchTopicStatusChange,
        extra_updates=extra,
    )


def milestone_complete(*, milestone: Milestone, by, note: str = "", now: datetime | None = None) -> Milestone:
    if not (may_manage(by) or (by and milestone.topic.lead_id == by.pk)):
        raise PermissionDeniedError(_("Only the team lead or the staff may do this."))
    if milestone.done_at:
        raise DomainError(_("This milestone is already done."), code="done")
    milestone.done_at = _now(now)
    milestone.note = note
    milestone.save(update_fields=["done_at", "note"])
    return milestone


def report_submit(
    *, topic: ResearchTopic, departments, by, now: datetime | None = None
) -> list[ReportSubmission]:
    """Send the report to one or more departments (the topic becomes "submitted")."""
    _require_manager(by)
    departments = list(departments)
    if not departments:
        raise DomainError(_("Choose at least one department."), code="nothing_selected")
    now = _now(now)
    with transaction.atomic():
        if topic.status != R.SUBMITTED:
            research_transition(topic=topic, to=R.SUBMITTED, by=by, now=now)
        subs = [
            ReportSubmission.objects.get_or_create(topic=topic, department=d, defaults={"submitted_at": now})[
                0
            ]
            for d in departments
        ]
    return subs


def report_feedback(
    *, submission: ReportSubmission, by, feedback: str, now: datetime | None = None
) -> ReportSubmission:
    """A department's feedback on a research report (its contacts, or staff recording it)."""
    from consultations.permissions import department_contact_of

    contact = department_contact_of(by)
    if not (may_manage(by) or (contact and contact.department_id == submission.department_id)):
        raise PermissionDeniedError(_("This report was not sent to you."))
    feedback = (feedback or "").strip()
    if not feedback:
        raise DomainError(_("The feedback is empty."), code="empty", details={"field": "feedback"})
    now = _now(now)
    with transaction.atomic():
        submission.feedback = feedback
        submission.feedback_at = now
        submission.save(update_fields=["feedback", "feedback_at"])
        topic = submission.topic
        if topic.status == R.SUBMITTED:
            transition(
                topic,
                to=R.FEEDBACK,
                pipeline=RESEARCH_PIPELINE,
                by=by,
                history_model=ResearchTopicStatusChange,
            )
    return submission


# ------------------------------------------------------------------ reminders (jobs) ----


def _staff_in_charge():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return list(User.objects.filter(is_active=True, role="staff", department__in=["resource", "admin"]))


def event_reminders(*, now: datetime | None = None) -> dict:
    """One working day before an event: a reminder to everyone with a seat; the day before:
    the attendance list to the organizer. Each is sent once (keyed)."""
    now = _now(now)
    today = timezone.localtime(now).date()
    sent = {"registered": 0, "organizer": 0}
    horizon = today + timedelta(days=15)
    events = Event.objects.filter(
        status=Event.Status.PUBLISHED,
        starts_at__gt=now,
        starts_at__lt=calendar.end_of_day(horizon),
    ).select_related("organizer")
    for event in events:
        day = timezone.localtime(event.starts_at).date()
        if calendar.add_working_days(day, -1) <= today:
            for registration in Registration.objects.filter(
                event=event, status=S.CONFIRMED, user__isnull=False
            ).select_related("user"):
                sent["registered"] += reminder_send_once(
                    key=f"consultations:event-reminder:{registration.pk}",
                    users=[registration.user],
                    title=_("Reminder: %(title)s") % {"title": event.title},
                    body=f"{timezone.localtime(event.starts_at):%Y-%m-%d %H:%M} {event.venue}",
                    url=reverse("consultations:registration_detail", args=[registration.code]),
                )
        if day - timedelta(days=1) <= today and event.organizer_id:
            names = list(
                Registration.objects.filter(event=event, status=S.CONFIRMED).values_list("name", "attendees")
            )
            sent["organizer"] += reminder_send_once(
                key=f"consultations:attendance-list:{event.pk}",
                users=[event.organizer],
                title=_("Attendance list: %(title)s") % {"title": event.title},
                body="\n".join(f"{n} ×{a}" for n, a in names),
                url=reverse("consultations:event_manage", args=[event.pk]),
            )
    return sent


FORWARD_REMINDER_MARKS = (3,)


def forward_deadlines_sweep(*, now: datetime | None = None) -> dict:
    """Department replies: a reminder to the contacts 3 working days before the deadline,
    escalation to the center's staff once overdue. Each is sent once."""
    now = _now(now)
    today = timezone.localtime(now).date()
    counts = {"reminded": 0, "escalated": 0}
    for forward in Forward.objects.filter(status=Forward.Status.OPEN).select_related(
        "consultation", "department"
    ):
        occasion = calendar.reminder_occasion(
            today, timezone.localtime(forward.due_at).date(), FORWARD_REMINDER_MARKS
        )
        if occasion is None:
            continue
        url = reverse("consultations:forward_detail", args=[forward.pk])
        if occasion == "overdue":
            if reminder_send_once(
                key=f"consultations:forward:{forward.pk}:overdue",
                users=_staff_in_charge() + [c.user for c in forward.department.contacts.filter(active=True)],
                title=_("Overdue reply: %(dept)s on %(title)s")
                % {"dept": forward.department.name, "title": forward.consultation.title},
                url=url,
            ):
                Forward.objects.filter(pk=forward.pk).update(escalated_at=now)
                counts["escalated"] += 1
        else:
            counts["reminded"] += reminder_send_once(
                key=f"consultations:forward:{forward.pk}:{occasion}",
                users=[c.user for c in forward.department.contacts.filter(active=True)],
                title=_("Reply due soon: %(title)s") % {"title": forward.consultation.title},
                body=_("Please reply by %(date)s.")
                % {"date": timezone.localtime(forward.due_at).date().isoformat()},
                url=url,
            )
    return counts


def milestone_reminders(*, today: date | None = None) -> int:
    """Five working days before a research milestone, a reminder to the lead and staff, once."""
    today = today or timezone.localdate()
    sent = 0
    for milestone in Milestone.objects.filter(done_at__isnull=True, due_date__gte=today).select_related(
        "topic", "topic__lead"
    ):
        if calendar.working_days_left(today, milestone.due_date) <= 5:
            users = _staff_in_charge() + ([milestone.topic.lead] if milestone.topic.lead_id else [])
            sent += reminder_send_once(
                key=f"consultations:milestone:{milestone.pk}:before",
                users=list({u.pk: u for u in users}.values()),
                title=_("Research milestone due %(date)s: %(title)s")
                % {"date": milestone.due_date.isoformat(), "title": milestone.topic.title},
                url=reverse("consultations:research_detail", args=[milestone.topic_id]),
            )
    return sent
