"""Every write of the hotline. Status changes go through `ticket_transition` (one function,
the pipeline as data); each service checks who acts and raises DomainError (400),
PermissionDeniedError (403) or TransitionError (409) with a message the user can read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from center.calendar import add_working_days, end_of_day, working_days_between
from center.errors import DomainError, PermissionDeniedError, TransitionError
from center.models import NetworkUnit, User
from center.services import notification_send, reminder_send_once
from center.validators import IMAGE_MIME_TYPES, clean_text, normalize_phone, validate_upload
from center.workflow import transition
from hotline import deadlines
from hotline.models import (
    Callback,
    ExtensionRequest,
    ExtensionRequestStatusChange,
    PhoneReveal,
    ServiceCategory,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketImage,
)
from hotline.permissions import is_dispatcher, is_hotline_staff, may_handle, may_view

S = Ticket.Status
K = TicketEvent.Kind

# The ticket's workflow as data: each status and the statuses allowed next.
PIPELINE: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.DISPATCHED, S.ANSWERED}),
    S.DISPATCHED: frozenset({S.SIGNED_FOR, S.RETURNED}),
    S.SIGNED_FOR: frozenset({S.IN_PROGRESS, S.DISPATCHED, S.RETURNED, S.ANSWERED}),
    S.IN_PROGRESS: frozenset({S.DISPATCHED, S.RETURNED, S.ANSWERED}),
    S.RETURNED: frozenset({S.DISPATCHED, S.ANSWERED}),
    S.ANSWERED: frozenset({S.CLOSED, S.REOPENED}),
    S.REOPENED: frozenset({S.IN_PROGRESS, S.ANSWERED, S.RETURNED}),
    S.CLOSED: frozenset(),
}
# Statuses in which the unit holds the ticket and its answer clock runs.
WITH_UNIT = (S.DISPATCHED, S.SIGNED_FOR, S.IN_PROGRESS, S.REOPENED)
# A request for more time: decided once (a pending one is closed as refused when the unit
# answers or returns the ticket).
EXTENSION_PIPELINE: dict[str, frozenset[str]] = {
    ExtensionRequest.Status.PENDING: frozenset(
        {ExtensionRequest.Status.APPROVED, ExtensionRequest.Status.REFUSED}
    ),
    ExtensionRequest.Status.APPROVED: frozenset(),
    ExtensionRequest.Status.REFUSED: frozenset(),
}
MAX_IMAGES = 5
MAX_EXTENSION_DAYS = 15


def ticket_actions(ticket: Ticket, user) -> frozenset[str]:
    """What `user` may do to `ticket` now, read off PIPELINE and who holds the ticket: the
    dispatchers act while the center holds it, the assigned unit while it is with the unit,
    hotline staff record the callback after the answer. Pages show exactly these actions; the
    services check the same rules when the action is posted."""
    allowed = PIPELINE.get(ticket.status, frozenset())
    with_unit = ticket.status in WITH_UNIT
    actions: set[str] = set()
    if not with_unit and is_dispatcher(user):
        if S.DISPATCHED in allowed:
            actions.add("dispatch")
        if S.ANSWERED in allowed:
            actions.add("answer")
    if with_unit and may_handle(user, ticket):
        for status, action in (
            (S.SIGNED_FOR, "sign"),
            (S.IN_PROGRESS, "start"),
            (S.DISPATCHED, "redispatch"),
            (S.RETURNED, "return"),
            (S.RETURNED, "extension"),
            (S.ANSWERED, "answer"),
        ):
            if status in allowed:
                actions.add(action)
    if S.CLOSED in allowed and is_hotline_staff(user):
        actions.add("callback")
    return frozenset(actions)


def ticket_transition(
    ticket: Ticket,
    *,
    to: str,
    actor: User | None,
    kind: str,
    text: str = "",
    public: bool = True,
    unit: NetworkUnit | None = None,
    updates: dict | Callable[[Ticket, str], dict] | None = None,
) -> Ticket:
    """The one status change of a ticket: locks the row, checks PIPELINE, writes the
    timeline entry (and, through HistoricalRecords, the history row).

    Raises TransitionError when PIPELINE does not allow `to` from the current status.
    """

    def _event(locked, old, new):
        TicketEvent.objects.create(
            ticket=locked,
            kind=kind,
            public=public,
            actor=actor,
            unit=unit,
            text=text,
            from_status=old,
            to_status=new,
        )

    return transition(ticket, to=to, pipeline=PIPELINE, by=actor, history=_event, extra_updates=updates).obj


# --- helpers ------------------------------------------------------------------------------


def _lock(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).select_related("assigned_unit").get(pk=ticket.pk)


def _event(
    ticket: Ticket, *, kind: str, actor: User | None, text: str = "", public: bool = False, unit=None
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, text=text, public=public, unit=unit
    )


def _actor_unit(actor: User | None) -> NetworkUnit | None:
    return actor.network_unit if actor is not None and actor.is_authenticated and actor.is_handler else None


# Longest text a request may carry, the same for every channel (the forms say the same).
TICKET_TEXT_LIMITS = {"description": 4000, "title": 120, "resident_name": 60, "address": 200}


def _required_text(value: str, message) -> str:
    value = (value or "").strip()
    if len(value) < 2:
        raise DomainError(message, code="text_required")
    return value


def _ticket_url(ticket: Ticket) -> str:
    return reverse("hotline:ticket_detail", args=[ticket.tracking_number])


def dispatchers() -> list[User]:
    return list(
        User.objects.filter(is_active=True).filter(
            Q(role=User.Role.STAFF, department=User.Department.INFO) | Q(is_superuser=True)
        )
    )


def unit_handlers(unit: NetworkUnit | None) -> list[User]:
    if unit is None:
        return []
    return list(User.objects.filter(is_active=True, role=User.Role.HANDLER, network_unit=unit))


def _close_pending_extensions(ticket: Ticket, *, why: str, by: User | None) -> None:
    """A request for more time is moot once the unit answers or returns the ticket: close it
    (refused, no decider) so it leaves the dispatchers' queue and a reopened ticket can ask again.
    Each closed request keeps its history row (who closed it by answering or returning, why)."""
    for ext in ExtensionRequest.objects.filter(ticket=ticket, status=ExtensionRequest.Status.PENDING):
        transition(
            ext,
            to=ExtensionRequest.Status.REFUSED,
            pipeline=EXTENSION_PIPELINE,
            by=by,
            reason=why,
            history_model=ExtensionRequestStatusChange,
            extra_updates={"decided_at": timezone.now(), "decision_comment": why[:300]},
        )


def _notify(users: Iterable[User], *, title: str, ticket: Ticket, body: str = "") -> None:
    url = _ticket_url(ticket)
    for user in users:
        notification_send(user=user, title=title, body=body, url=url)


def _require_handler(actor: User, ticket: Ticket) -> None:
    if not may_handle(actor, ticket):
        raise PermissionDeniedError(
            _("Only the handlers of the unit this request is assigned to may do this.")
        )


def _require_dispatcher(actor: User) -> None:
    if not is_dispatcher(actor):
        raise PermissionDeniedError(
            _("Only the dispatchers of the information services department may do this.")
        )


# --- intake -------------------------------------------------------------------------------


def tracking_numbers_allocate(*, year: int | None = None, count: int = 1) -> list[str]:
    """Hand out `count` consecutive tracking numbers HS<year><6 digits>.

    The year's counter row is locked (select_for_update), so concurrent filings never share
    a number, whatever the number of processes.
    """
    year = year or timezone.localdate().year
    with transaction.atomic():
        TicketCounter.objects.get_or_create(year=year)
        counter = TicketCounter.objects.select_for_update().get(year=year)
        first = counter.last + 1
        counter.last += count
        counter.save(update_fields=["last"])
    return [f"HS{year}{n:06d}" for n in range(first, counter.last + 1)]


def ticket_file(
    *,
    channel: str,
    ticket_type: str,
    category: ServiceCategory,
    description: str,
    phone: str,
    title: str = "",
    resident_name: str = "",
    address: str = "",
    area: NetworkUnit | None = None,
    lat: Decimal | float | None = None,
    long: Decimal | float | None = None,
    urgency: str = Ticket.Urgency.NORMAL,
    images: Sequence = (),
    resident: User | None = None,
    actor: User | None = None,
    external_id: str = "",
) -> Ticket:
    """File a request from any channel. Raises ValidationError for a bad phone number or
    image, DomainError for an inactive category, too many images or an empty description."""
    phone = normalize_phone(phone)
    # the same limits whatever the door (portal form, call intake, API, Open311)
    description = clean_text(
        description, max_length=TICKET_TEXT_LIMITS["description"], label=_("Description")
    )
    title = clean_text(title, max_length=TICKET_TEXT_LIMITS["title"], label=_("Title"), multiline=False)
    resident_name = clean_text(resident_name, max_length=TICKET_TEXT_LIMITS["resident_name"], label=_("Name"))
    address = clean_text(address, max_length=TICKET_TEXT_LIMITS["address"], label=_("Address"))
    external_id = clean_text(external_id, max_length=60, label="external id", multiline=False)
    description = _required_text(description, _("Please describe what you need."))
    if category is None or not category.active:
        raise DomainError(_("This service category is not available."), code="category_inactive")
    if ticket_type not in Ticket.Type.values:
        raise DomainError(_("Unknown request type."), code="bad_type")
    if len(images) > MAX_IMAGES:
        raise DomainError(_("At most %(n)d images.") % {"n": MAX_IMAGES}, code="too_many_images")
    mimes = [validate_upload(f, allowed=IMAGE_MIME_TYPES) for f in images]
    if area is not None and area.level == NetworkUnit.Level.DISTRICT:
        area = None
    if (lat is None) != (long is None):
        raise ValidationError(_("Give both latitude and longitude, or neither."), code="latlong")
    title = (title or "").strip() or description.splitlines()[0][:40]
    with transaction.atomic():
        (number,) = tracking_numbers_allocate()
        ticket = Ticket.objects.create(
            tracking_number=number,
            channel=channel,
            ticket_type=ticket_type,
            category=category,
            title=title[:120],
            description=description,
            resident_name=resident_name.strip(),
            phone=phone,
            address=address.strip(),
            area=area,
            lat=lat,
            long=long,
            urgency=urgency,
            resident=resident if resident is not None and resident.is_authenticated else None,
            external_id=external_id,
        )
        for upload, mime in zip(images, mimes, strict=True):
            TicketImage.objects.create(ticket=ticket, file=upload, mime=mime)
        _event(ticket, kind=K.FILED, actor=actor, public=True, text="")
    return ticket


# --- dispatch and handling ----------------------------------------------------------------


def ticket_dispatch(*, ticket: Ticket, unit: NetworkUnit, actor: User, note: str = "") -> Ticket:
    """Send a received or returned ticket to a street or community.

    The answer clock starts at the FIRST dispatch; a dispatch after a return keeps the
    deadline, so returning a ticket cannot buy time. Raises PermissionDeniedError for a
    non-dispatcher, DomainError for a unit that is not a street or community,
    TransitionError when the ticket is not waiting for dispatch.
    """
    _require_dispatcher(actor)
    if unit is None or unit.level not in (NetworkUnit.Level.STREET, NetworkUnit.Level.COMMUNITY):
        raise DomainError(_("Dispatch to a street or a community."), code="bad_unit")
    with transaction.atomic():
        locked = _lock(ticket)
        if locked.status not in (S.RECEIVED, S.RETURNED):
            raise TransitionError(
                _("Only a received or returned request can be dispatched (this one is “%(s)s”).")
                % {"s": locked.get_status_display()},
                details={"from": locked.status, "to": S.DISPATCHED},
            )
        now = timezone.now()
        updates = {
            "assigned_unit": unit,
            "assigned_handler": None,
            "dispatched_at": now,
            "sign_due": deadlines.sign_due(now),
            "signed_at": None,
            "sign_overdue": False,
            "return_reason": "",
        }
        if locked.first_dispatched_at is None:
            updates["first_dispatched_at"] = now
            updates["answer_due"] = deadlines.answer_due(
                start=now, ticket_type=locked.ticket_type, urgency=locked.urgency
            )
        result = ticket_transition(
            locked, to=S.DISPATCHED, actor=actor, kind=K.DISPATCHED, unit=unit, updates=updates
        )
        if note.strip():
            _event(result, kind=K.NOTE, actor=actor, text=note.strip())
        _notify(
            unit_handlers(unit),
            title=_("New help request %(n)s to sign for") % {"n": result.tracking_number},
            ticket=result,
        )
    _sync(ticket, result)
    return result


def ticket_dispatch_bulk(
    *, ticket_ids: Iterable[int], unit: NetworkUnit, actor: User
) -> tuple[int, dict[str, str]]:
    """Dispatch several tickets to one unit. Returns (dispatched count, {number: why not})."""
    _require_dispatcher(actor)
    done, failed = 0, {}
    for ticket in Ticket.objects.filter(pk__in=list(ticket_ids)).order_by("pk"):
        try:
            with transaction.atomic():
                ticket_dispatch(ticket=ticket, unit=unit, actor=actor)
            done += 1
        except DomainError as exc:
            failed[ticket.tracking_number] = str(exc.message)
    return done, failed


def ticket_sign_for(*, ticket: Ticket, actor: User) -> Ticket:
    """The unit acknowledges the ticket (within 1 working day of dispatch; late signing is
    allowed but stays marked). The signer becomes the assigned handler."""
    _require_handler(actor, ticket)
    with transaction.atomic():
        locked = _lock(ticket)
        now = timezone.now()
        late = bool(locked.sign_due and now > locked.sign_due)
        result = ticket_transition(
            locked,
            to=S.SIGNED_FOR,
            actor=actor,
            kind=K.SIGNED_FOR,
            unit=_actor_unit(actor),
            updates={
                "assigned_handler": actor,
                "signed_at": now,
                "sign_overdue": locked.sign_overdue or late,
            },
        )
    _sync(ticket, result)
    return result


def ticket_start(*, ticket: Ticket, actor: User) -> Ticket:
    _require_handler(actor, ticket)
    updates = {"assigned_handler": actor} if ticket.assigned_handler_id is None else {}
    result = ticket_transition(
        ticket, to=S.IN_PROGRESS, actor=actor, kind=K.STARTED, unit=_actor_unit(actor), updates=updates
    )
    _sync(ticket, result)
    return result


def ticket_redispatch(*, ticket: Ticket, unit: NetworkUnit, actor: User, note: str = "") -> Ticket:
    """A street passes its signed-for ticket down to one of its communities. The deadline
    does not change. Raises DomainError when `unit` is not a community of the ticket's unit."""
    _require_handler(actor, ticket)
    if unit is None or unit.parent_id != ticket.assigned_unit_id or unit.level != NetworkUnit.Level.COMMUNITY:
        raise DomainError(_("Pass the request down to one of your own communities."), code="bad_unit")
    with transaction.atomic():
        now = timezone.now()
        result = ticket_transition(
            ticket,
            to=S.DISPATCHED,
            actor=actor,
            kind=K.REDISPATCHED,
            unit=unit,
            updates={
                "assigned_unit": unit,
                "assigned_handler": None,
                "dispatched_at": now,
                "sign_due": deadlines.sign_due(now),
                "signed_at": None,
                "sign_overdue": False,
            },
        )
        if note.strip():
            _event(result, kind=K.NOTE, actor=actor, text=note.strip())
        _notify(
            unit_handlers(unit),
            title=_("New help request %(n)s to sign for") % {"n": result.tracking_number},
            ticket=result,
        )
    _sync(ticket, result)
    return result


def ticket_return(*, ticket: Ticket, actor: User, reason: str) -> Ticket:
    """The unit sends the ticket back to the dispatchers (not theirs to handle), with a
    reason. The answer deadline set at the first dispatch stays."""
    _require_handler(actor, ticket)
    reason = _required_text(reason, _("Say why you return this request."))
    with transaction.atomic():
        result = ticket_transition(
            ticket,
            to=S.RETURNED,
            actor=actor,
            kind=K.RETURNED,
            public=False,
            text=reason,
            unit=_actor_unit(actor),
            updates={"assigned_unit": None, "assigned_handler": None, "return_reason": reason[:500]},
        )
        _close_pending_extensions(result, why=_("Withdrawn: the request was returned."), by=actor)
        _notify(
            dispatchers(),
            title=_("Help request %(n)s returned") % {"n": result.tracking_number},
            ticket=result,
            body=reason,
        )
    _sync(ticket, result)
    return result


def ticket_note_add(*, ticket: Ticket, actor: User, text: str) -> TicketEvent:
    """An internal note: staff and the unit's handlers see it, the resident never does."""
    if not may_view(actor, ticket):
        raise PermissionDeniedError(_("You may not see this request."))
    text = _required_text(text, _("Write the note."))
    return _event(ticket, kind=K.NOTE, actor=actor, text=text, unit=_actor_unit(actor))


def ticket_reply(*, ticket: Ticket, actor: User, text: str) -> TicketEvent:
    """A public reply to the resident (not the final answer). A first reply on a signed-for
    ticket means work has started."""
    if not (may_handle(actor, ticket) or is_dispatcher(actor)):
        raise PermissionDeniedError(_("You may not reply to this request."))
    text = _required_text(text, _("Write the reply."))
    if ticket.status == S.CLOSED:
        raise TransitionError(_("This request is closed."))
    with transaction.atomic():
        if ticket.status in (S.SIGNED_FOR, S.REOPENED) and may_handle(actor, ticket):
            _sync(
                ticket,
                ticket_transition(
                    ticket, to=S.IN_PROGRESS, actor=actor, kind=K.STARTED, unit=_actor_unit(actor)
                ),
            )
        return _event(ticket, kind=K.REPLY, actor=actor, text=text, public=True, unit=_actor_unit(actor))


def ticket_resident_info_add(*, ticket: Ticket, text: str) -> TicketEvent:
    """The resident adds information through the private link."""
    text = _required_text(text, _("Write what you want to add."))
    if ticket.status == S.CLOSED:
        raise TransitionError(_("This request is closed."))
    with transaction.atomic():
        event = _event(ticket, kind=K.RESIDENT_INFO, actor=None, text=text[:4000], public=True)
        recipients = (
            [ticket.assigned_handler] if ticket.assigned_handler_id else unit_handlers(ticket.assigned_unit)
        )
        _notify(
            recipients or dispatchers(),
            title=_("The resident added information to %(n)s") % {"n": ticket.tracking_number},
            ticket=ticket,
        )
    return event


def ticket_answer(*, ticket: Ticket, actor: User, text: str) -> Ticket:
    """The final answer to the resident. The unit answers tickets it signed for; a dispatcher
    may answer a ticket still at the center (received or returned). Raises TransitionError
    for a ticket not yet signed for."""
    at_center = ticket.status in (S.RECEIVED, S.RETURNED)
    if at_center:
        _require_dispatcher(actor)
    else:
        _require_handler(actor, ticket)
    text = _required_text(text, _("Write the answer."))
    now = timezone.now()

    def answer_updates(locked: Ticket, _old: str) -> dict:
        # From the LOCKED row: an extension approved a moment ago moved answer_due.
        start = locked.first_dispatched_at or locked.created_at
        return {
            "answer": text,
            "answered_at": now,
            "answered_on_time": locked.answer_due is None or now <= locked.answer_due,
            "handling_working_days": max(0, working_days_between(start, now)),
            "assigned_handler_id": locked.assigned_handler_id or (actor.pk if actor.is_handler else None),
        }

    with transaction.atomic():
        result = ticket_transition(
            ticket,
            to=S.ANSWERED,
            actor=actor,
            kind=K.ANSWERED,
            text=text,
            unit=_actor_unit(actor),
            updates=answer_updates,
        )
        _close_pending_extensions(result, why=_("Withdrawn: the request was answered."), by=actor)
    _sync(ticket, result)
    return result


# --- extensions ---------------------------------------------------------------------------


def extension_request(*, ticket: Ticket, actor: User, reason: str, working_days: int) -> ExtensionRequest:
    """Ask for more time, before the deadline, with a reason. Raises DomainError after the
    deadline, for a missing reason, a bad number of days, or when one is already pending."""
    _require_handler(actor, ticket)
    reason = _required_text(reason, _("Say why you need more time."))
    if ticket.status not in WITH_UNIT or ticket.answer_due is None:
        raise TransitionError(_("Only a request your unit is handling can get more time."))
    if timezone.now() > ticket.answer_due:
        raise DomainError(
            _("The deadline has passed: ask for more time before the deadline."), code="deadline_passed"
        )
    if not 1 <= int(working_days) <= MAX_EXTENSION_DAYS:
        raise DomainError(_("Ask for 1 to %(n)d working days.") % {"n": MAX_EXTENSION_DAYS}, code="bad_days")
    try:
        with transaction.atomic():
            ext = ExtensionRequest.objects.create(
                ticket=ticket,
                requested_by=actor,
                reason=reason,
                working_days=int(working_days),
                old_due=ticket.answer_due,
            )
            _event(ticket, kind=K.EXTENSION_REQUESTED, actor=actor, text=reason, unit=_actor_unit(actor))
            _notify(
                dispatchers(),
                title=_("Extension requested for %(n)s") % {"n": ticket.tracking_number},
                ticket=ticket,
                body=reason,
            )
    except IntegrityError:
        raise DomainError(
            _("An extension request for this ticket is already waiting."), code="extension_pending"
        ) from None
    return ext


def extension_decide(
    *, extension: ExtensionRequest, actor: User, approve: bool, comment: str = ""
) -> ExtensionRequest:
    """The dispatcher approves (the new deadline is recorded on the ticket) or refuses.
    Raises TransitionError when the request was already decided."""
    _require_dispatcher(actor)
    with transaction.atomic():
        ext = ExtensionRequest.objects.select_for_update().select_related("ticket").get(pk=extension.pk)
        if ext.status != ExtensionRequest.Status.PENDING:
            raise TransitionError(_("This extension request has already been decided."))
        ticket = _lock(ext.ticket)
        if approve and ticket.status not in WITH_UNIT:
            raise TransitionError(
                _("This request is no longer with the unit; there is no deadline to extend.")
            )
        now = timezone.now()
        decision = {"decided_by": actor, "decided_at": now, "decision_comment": comment.strip()[:300]}
        if approve:
            base = ticket.answer_due or ext.old_due
            decision["new_due"] = end_of_day(add_working_days(base, ext.working_days))
        ext = transition(
            ext,
            to=ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REFUSED,
            pipeline=EXTENSION_PIPELINE,
            by=actor,
            reason=decision["decision_comment"],
            history_model=ExtensionRequestStatusChange,
            extra_updates=decision,
        ).obj
        if approve:
            ticket.answer_due = ext.new_due
            ticket.extended = True
            ticket.is_overdue = ticket.is_overdue and now > ext.new_due
            ticket.save(update_fields=["answer_due", "extended", "is_overdue", "updated_at"])
            text = timezone.localtime(ext.new_due).date().isoformat()
            _event(ticket, kind=K.EXTENSION_APPROVED, actor=actor, text=text, public=True)
            title = _("Extension for %(n)s approved: new deadline %(d)s") % {
                "n": ticket.tracking_number,
                "d": text,
            }
        else:
            _event(ticket, kind=K.EXTENSION_REFUSED, actor=actor, text=ext.decision_comment)
            title = _("Extension for %(n)s refused") % {"n": ticket.tracking_number}
        _notify([ext.requested_by], title=title, ticket=ticket, body=ext.decision_comment)
    return ext


# --- callback and closing -----------------------------------------------------------------


def callback_record(
    *,
    ticket: Ticket,
    actor: User | None,
    result: str,
    comment: str = "",
    objective_reason: bool = False,
    channel: str = Callback.Channel.PHONE,
) -> Callback:
    """Record the resident's verdict on the answer. Satisfied or basically satisfied closes
    the ticket; dissatisfied reopens it to the same unit (with a fresh answer period),
    unless staff mark an objective reason, which closes it. `actor` None = the resident
    rating online. Raises TransitionError when the ticket is not answered."""
    if channel == Callback.Channel.PHONE and not is_hotline_staff(actor):
        raise PermissionDeniedError(_("Callbacks are recorded by center staff."))
    if result not in Ticket.Satisfaction.values:
        raise DomainError(_("Choose satisfied, basically satisfied or dissatisfied."), code="bad_result")
    if channel == Callback.Channel.ONLINE:
        objective_reason = False
    with transaction.atomic():
        locked = _lock(ticket)
        if locked.status != S.ANSWERED:
            raise TransitionError(
                _("Only an answered request can be rated."), details={"from": locked.status}
            )
        callback = Callback.objects.create(
            ticket=locked,
            channel=channel,
            result=result,
            comment=comment.strip(),
            objective_reason=objective_reason,
            recorded_by=actor,
        )
        # The verdict itself is shown from the Callback row, in the reader's language.
        _event(locked, kind=K.CALLBACK, actor=actor, text=comment.strip())
        now = timezone.now()
        if result == Ticket.Satisfaction.DISSATISFIED and not objective_reason:
            new_due = deadlines.answer_due(start=now, ticket_type=locked.ticket_type, urgency=locked.urgency)
            done = ticket_transition(
                locked,
                to=S.REOPENED,
                actor=actor,
                kind=K.REOPENED,
                unit=locked.assigned_unit,
                updates={
                    "answer_due": new_due,
                    "is_overdue": False,
                    "answered_on_time": None,
                    "satisfaction": "",
                },
            )
            _notify(
                [locked.assigned_handler]
                if locked.assigned_handler_id
                else unit_handlers(locked.assigned_unit),
                title=_("Help request %(n)s reopened: the resident is not satisfied")
                % {"n": locked.tracking_number},
                ticket=locked,
                body=comment,
            )
        else:
            done = ticket_transition(
                locked,
                to=S.CLOSED,
                actor=actor,
                kind=K.CLOSED,
                updates={"closed_at": now, "satisfaction": result},
            )
    _sync(ticket, done)
    return callback


def ticket_rate_online(*, ticket: Ticket, result: str, comment: str = "") -> Callback:
    """The resident rates the answer through the private link (no account needed)."""
    return callback_record(
        ticket=ticket, actor=None, result=result, comment=comment, channel=Callback.Channel.ONLINE
    )


def phone_reveal(*, ticket: Ticket, user: User, ip: str | None = None) -> str:
    """Show the full phone number to someone who may see the ticket; every reveal is logged."""
    if not may_view(user, ticket):
        raise PermissionDeniedError(_("You may not see this request."))
    PhoneReveal.objects.create(ticket=ticket, user=user, ip=ip or None)
    return ticket.phone


def _sync(target: Ticket, source: Ticket) -> None:
    """Keep the caller's instance in step with the locked copy a service changed."""
    if target is source:
        return
    for field in Ticket._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.fields_cache = {}


# --- deadline sweep (Celery) --------------------------------------------------------------


def deadlines_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Remind, mark and escalate; safe to run any number of times (each message is keyed
    by ticket + occasion + deadline in center's Reminder table and sent once)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    counts = {"reminded": 0, "overdue": 0, "sign_overdue": 0}
    staff = dispatchers()
    # Reminder (催办) from one working day before the deadline.
    remind_from = end_of_day(add_working_days(today, 1))
    due_soon = Ticket.objects.filter(status__in=WITH_UNIT, answer_due__gte=now, answer_due__lte=remind_from)
    for t in due_soon.select_related("assigned_unit", "assigned_handler"):
        users = [t.assigned_handler] if t.assigned_handler_id else unit_handlers(t.assigned_unit)
        key = f"hotline:{t.pk}:due-soon:{t.answer_due:%Y%m%d}"
        title = _("Reminder: help request %(n)s is due %(d)s") % {
            "n": t.tracking_number,
            "d": timezone.localtime(t.answer_due).date().isoformat(),
        }
        if reminder_send_once(key=key, users=users, title=title, url=_ticket_url(t)):
            counts["reminded"] += 1
    # Overdue: mark, tell the unit above and the dispatchers. Marked tickets are done (an
    # approved extension clears the mark, and the key names the deadline).
    from hotline.selectors import overdue_q  # selectors import this module

    late = Ticket.objects.filter(overdue_q(now), is_overdue=False)
    for t in late.select_related("assigned_unit__parent", "assigned_handler"):
        parent = (
            t.assigned_unit.parent
            if t.assigned_unit and t.assigned_unit.level != NetworkUnit.Level.DISTRICT
            else None
        )
        users = unit_handlers(parent) + staff
        key = f"hotline:{t.pk}:overdue:{t.answer_due:%Y%m%d}"
        title = _("Overdue: help request %(n)s (%(unit)s) has passed its deadline") % {
            "n": t.tracking_number,
            "unit": t.assigned_unit.name if t.assigned_unit else "—",
        }
        with transaction.atomic():  # the mark, its history row and the notice land together
            if Ticket.objects.filter(pk=t.pk, is_overdue=False).update(is_overdue=True, updated_at=now):
                TicketEvent.objects.create(ticket=t, kind=K.OVERDUE, unit=t.assigned_unit)
            if reminder_send_once(key=key, users=users, title=title, url=_ticket_url(t)):
                counts["overdue"] += 1
    # Not signed for within a working day of dispatch.
    unsigned = Ticket.objects.filter(status=S.DISPATCHED, sign_due__lt=now, sign_overdue=False)
    for t in unsigned.select_related("assigned_unit__parent"):
        parent = t.assigned_unit.parent if t.assigned_unit else None
        users = unit_handlers(t.assigned_unit) + unit_handlers(parent) + staff
        key = f"hotline:{t.pk}:sign-overdue:{t.dispatched_at:%Y%m%d%H%M%S}"
        title = _("Not signed for: help request %(n)s (%(unit)s)") % {
            "n": t.tracking_number,
            "unit": t.assigned_unit.name if t.assigned_unit else "—",
        }
        with transaction.atomic():
            if Ticket.objects.filter(pk=t.pk, sign_overdue=False).update(sign_overdue=True, updated_at=now):
                TicketEvent.objects.create(ticket=t, kind=K.SIGN_OVERDUE, unit=t.assigned_unit)
            if reminder_send_once(key=key, users=users, title=title, url=_ticket_url(t)):
                counts["sign_overdue"] += 1
    return counts
