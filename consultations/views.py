"""Consultations pages: the public event list, calendar and feeds; registration, waitlist and
check-in; consultations with opinions and answers; department replies; research; the
staff desk."""

from __future__ import annotations

import json
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from center.caching import CSRF_PLACEHOLDER, with_csrf
from center.dates import add_months
from center.errors import DomainError
from center.exports import xlsx_response
from center.files import serve_file
from center.pages import add_domain_error, domain_error_message
from center.validators import mask_phone
from center.workflow import allowed_next
from consultations import certificates as certs
from consultations import selectors, services
from consultations.caching import DATA
from consultations.forms import (
    AnswerForm,
    AttachmentForm,
    AttendanceForm,
    CapacityForm,
    CheckInForm,
    ConsultationForm,
    EventFilterForm,
    EventForm,
    FeedbackForm,
    ForwardForm,
    HearingOpinionForm,
    MinutesForm,
    OpinionForm,
    PhoneRegistrationForm,
    RegisterForm,
    SpeakerForm,
    WalkInForm,
    agenda_formset,
)
from consultations.ical import ics_bytes, ics_file_response, ics_response
from consultations.models import (
    Attachment,
    Certificate,
    CheckIn,
    Consultation,
    Event,
    FeedToken,
    GovernmentDepartment,
    Milestone,
    Opinion,
    Registration,
    ReportSubmission,
    ResearchTopic,
    SpeakerApplication,
)
from consultations.permissions import department_contact_of, is_consultation_staff, may_manage
from consultations.qrcodes import qr_svg

PAGE_SIZE = 25
FORM_RATE = "20/h"


def _page(request, qs, size=PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _base(request) -> str:
    return request.build_absolute_uri("/")[:-1]


def _require_staff(request):
    if not is_consultation_staff(request.user):
        raise PermissionDenied


def _require_manager(request):
    if not may_manage(request.user):
        raise PermissionDenied


def _month(request) -> date:
    return selectors.parse_month(request.GET.get("month")) or timezone.localdate().replace(day=1)


def _org_choices(user):
    if not (user.is_authenticated and user.is_organization_account):
        return []
    from organizations.selectors import memberships_of_user

    return [m.organization for m in memberships_of_user(user)]


# ------------------------------------------------------------------ public events ----


def event_list(request):
    def content():
        from organizations.selectors import service_areas

        past = request.GET.get("when") == "past"
        form = EventFilterForm(request.GET or None, kinds=selectors.event_kinds(), areas=service_areas())
        data = form.cleaned_data if form.is_valid() else {}
        qs = selectors.public_events(
            now=timezone.now(),
            past=past,
            kind=data.get("kind", ""),
            month=selectors.parse_month(data.get("month")),
            audience=data.get("audience", ""),
            area=data.get("area", ""),
        )
        ctx = {"form": form, "past": past, "page_obj": _page(request, qs), "request": request}
        return render_to_string("consultations/_event_list_rows.html", ctx)

    # The filters and the rows are the same for every visitor.
    html = _shared_fragment("event-list", content, request.GET.urlencode())
    return render(
        request, "consultations/event_list.html", {"content": html, "past": request.GET.get("when") == "past"}
    )


def _shared_fragment(name: str, build, *parts) -> str:
    """A fragment of a public page, the same for every visitor: rendered once per data
    version (consultations and organizations: the service areas' names), language and
    `parts`, and shared by every process (center.caching). Lists that depend on the clock
    (upcoming events) follow it within the cache's lifetime."""
    from organizations.caching import DATA as ORGANIZATIONS

    html = DATA.cached(name, build, get_language(), ORGANIZATIONS.data_version(), *parts)
    return mark_safe(html)  # noqa: S308 - our own rendered template


def event_calendar(request):
    month = _month(request)

    def table():
        weeks = selectors.calendar_weeks(month=month)
        return render_to_string("consultations/_calendar_table.html", {"month": month, "weeks": weeks})

    return render(
        request,
        "consultations/calendar.html",
        {
            "month": month,
            "calendar_table": _shared_fragment("calendar", table, month.isoformat()),
            "prev": add_months(month, -1),
            "next": add_months(month, 1),
        },
    )


def _event_json_ld(request, event) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "startDate": timezone.localtime(event.starts_at).isoformat(),
        "endDate": timezone.localtime(event.ends_at).isoformat(),
        "eventStatus": "https://schema.org/EventCancelled"
        if event.status == Event.Status.CANCELLED
        else "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/MixedEventAttendanceMode"
        if event.venue and event.online_url
        else (
            "https://schema.org/OnlineEventAttendanceMode"
            if event.online_url
            else "https://schema.org/OfflineEventAttendanceMode"
        ),
        "description": event.description[:500],
        "url": request.build_absolute_uri(reverse("consultations:event_detail", args=[event.pk])),
        "organizer": {
            "@type": "Organization",
            "name": _("Haishu District Social Organization Service Center"),
        },
        "maximumAttendeeCapacity": event.capacity,
        "remainingAttendeeCapacity": event.seats_left,
    }
    location = []
    if event.venue:
        location.append({"@type": "Place", "name": event.venue, "address": event.venue})
    if event.online_url:
        location.append({"@type": "VirtualLocation", "url": event.online_url})
    if location:
        data["location"] = location[0] if len(location) == 1 else location
    # "</" cannot close the script element: escape it.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def event_detail(request, pk: int):
    try:
        event = selectors.event_public(pk)
    except Event.DoesNotExist as exc:
        raise Http404 from exc
    mine = []
    if request.user.is_authenticated:
        mine = list(
            Registration.objects.filter(
                event=event, user=request.user, status__in=Registration.ACTIVE
            ).order_by("pk")
        )
    orgs = _org_choices(request.user)
    form = None
    if request.user.is_authenticated and (orgs or request.user.is_resident):
        initial = {"name": str(request.user), "email": request.user.email, "phone": request.user.phone}
        form = RegisterForm(initial=initial, organizations=orgs)
    minutes = getattr(event, "minutes", None)
    return render(
        request,
        "consultations/event_detail.html",
        {
            "event": event,
            "json_ld": _event_json_ld(request, event),
            "mine": mine,
            "form": form,
            "minutes": minutes if minutes and minutes.published else None,
            "attachments": [a for a in event.attachments.all() if a.public],
            "registration_open": _registration_open(event),
        },
    )


def event_attachment(request, pk: int, attachment_pk: int):
    """An event's slides or photos: public ones for anyone who may see the event, the others
    for the staff who manage events only."""
    attachment = get_object_or_404(Attachment.objects.select_related("event"), pk=attachment_pk, event_id=pk)
    if not may_manage(request.user):
        if not attachment.public:
            raise Http404
        try:
            selectors.event_public(pk)
        except Event.DoesNotExist as exc:
            raise Http404 from exc
    return serve_file(attachment.file, download_name=f"{attachment.title}", inline=True)


def research_report(request, pk: int):
    """A research report's PDF: for whoever may see the topic's page."""
    try:
        topic = selectors.research_detail(request.user, pk)
    except ResearchTopic.DoesNotExist as exc:
        raise Http404 from exc
    return serve_file(topic.report, download_name=f"research-{topic.year}-{topic.pk}.pdf", inline=True)


def _registration_open(event) -> bool:
    now = timezone.now()
    return (
        event.status == Event.Status.PUBLISHED
        and event.starts_at > now
        and (not event.registration_opens_at or event.registration_opens_at <= now)
        and (not event.registration_closes_at or event.registration_closes_at >= now)
    )


@login_required
@require_POST
@ratelimit(key="user", rate=FORM_RATE, method="POST", block=False)
def event_register(request, pk: int):
    event = get_object_or_404(Event, pk=pk, status=Event.Status.PUBLISHED)
    if getattr(request, "limited", False):
        messages.error(request, _("Too many attempts. Please try again later."))
        return redirect("consultations:event_detail", pk=pk)
    orgs = _org_choices(request.user)
    form = RegisterForm(request.POST, organizations=orgs)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("consultations:event_detail", pk=pk)
    data = form.cleaned_data
    organization = None
    if orgs:
        organization = next((o for o in orgs if o.pk == data["organization"]), None)
        if organization is None:
            raise PermissionDenied
    try:
        registration = services.registration_create(
            event=event,
            by=request.user,
            kind=Registration.Kind.ORGANIZATION if organization else Registration.Kind.RESIDENT,
            name=data["name"],
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            attendees=data.get("attendees") or 1,
            organization=organization,
            base_url=_base(request),
        )
    except DomainError as exc:
        domain_error_message(request, exc)
        return redirect("consultations:event_detail", pk=pk)
    if registration.status == Registration.Status.WAITLISTED:
        messages.warning(request, _("The event is full: you are on the waitlist."))
    else:
        messages.success(request, _("You are registered."))
    return redirect("consultations:registration_detail", code=registration.code)


def event_ics(request, pk: int):
    event = get_object_or_404(
        Event.objects.select_related("kind"), pk=pk, status__in=["published", "cancelled"]
    )
    return ics_response(event.title, [event], base_url=_base(request), filename=f"event-{event.pk}.ics")


def events_feed(request):
    """The public feed of upcoming events, built once per data version and address (calendar
    clients poll it) and shared by every process."""
    base_url = _base(request)

    def build():
        events = selectors.upcoming_for_feed(now=timezone.now())
        return ics_bytes(_("Haishu center events"), events, base_url=base_url)

    body = DATA.cached("events-feed", build, get_language(), base_url)
    return ics_file_response(body, filename="haishu-events.ics")


def personal_feed(request, token: str):
    feed = get_object_or_404(FeedToken.objects.select_related("user"), token=token, user__is_active=True)
    return ics_response(
        _("My events"), selectors.events_of_user(feed.user), base_url=_base(request), filename="my-events.ics"
    )


# ----------------------------------------------------------------- own registrations ----


@login_required
def my_registrations(request):
    feed = services.feed_token_for(request.user)
    return render(
        request,
        "consultations/mine.html",
        {
            "page_obj": _page(request, selectors.registrations_of_user(request.user)),
            "feed_url": request.build_absolute_uri(reverse("consultations:personal_feed", args=[feed.token])),
            "opinions": selectors.opinions_of_author(request.user)[:50],
        },
    )


def registration_detail(request, code: str):
    try:
        registration = selectors.registration_for(request.user, code)
    except Registration.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "consultations/registration_detail.html",
        {
            "registration": registration,
            "event": registration.event,
            "qr": qr_svg(registration.code),
            "position": services.waitlist_position(registration),
            "certificate": Certificate.objects.filter(registration=registration).first(),
            "checkins": list(registration.checkins.all()),
        },
    )


@require_POST
def registration_action(request, code: str, action: str):
    try:
        registration = selectors.registration_for(request.user, code)
    except Registration.DoesNotExist as exc:
        raise Http404 from exc
    try:
        if action in ("cancel", "leave", "decline"):
            services.registration_cancel(registration=registration, by=request.user)
            messages.success(request, _("Cancelled."))
        elif action == "accept":
            services.offer_accept(registration=registration, by=request.user)
            messages.success(request, _("You have a seat."))
        else:
            raise Http404
    except DomainError as exc:
        domain_error_message(request, exc)
    return redirect("consultations:registration_detail", code=code)


def certificate_pdf(request, pk: int):
    certificate = get_object_or_404(selectors.certificates_for(request.user), pk=pk)
    url = request.build_absolute_uri(
        reverse("consultations:certificate_verify", args=[certs.certificate_token(certificate.number)])
    )
    response = HttpResponse(
        certs.certificate_pdf(certificate=certificate, verify_url=url), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.number}.pdf"'
    return response


def certificate_verify(request, token: str):
    number = certs.certificate_number_from_token(token)
    certificate = selectors.certificate_by_number(number) if number else None
    status = 200 if certificate else 404
    return render(
        request,
        "consultations/certificate_verify.html",
        {
            "certificate": certificate,
            "holder": certs.mask_name(certificate.holder_name) if certificate else "",
        },
        status=status,
    )


# --------------------------------------------------------------- public consultations ----


def consultation_list(request):
    return render(
        request,
        "consultations/consultation_list.html",
        {"page_obj": _page(request, selectors.public_consultations())},
    )


def _consultation(pk):
    try:
        return selectors.consultation_public(pk)
    except Consultation.DoesNotExist as exc:
        raise Http404 from exc


def consultation_detail(request, pk: int, opinion_form=None, speaker_form=None):
    consultation = _consultation(pk)
    paragraphs = list(consultation.paragraphs.all())
    summary = DATA.cached(
        "consultation-summary",
        lambda: selectors.consultation_summary(consultation),
        consultation.pk,
        get_language(),
    )
    for p in paragraphs:
        p.opinion_count = summary["by_paragraph"].get(p.pk, 0)
    opinion_form_html = None
    if opinion_form is None and consultation.status == Consultation.Status.OPEN:
        if request.user.is_authenticated:
            opinion_form = OpinionForm(initial={"name": str(request.user)}, paragraphs=paragraphs)
        else:
            # The empty form is the same for every visitor: rendered once per data version
            # and language, each visitor's CSRF token put in when served.
            def form_html():
                form = OpinionForm(paragraphs=paragraphs)
                ctx = {"consultation": consultation, "opinion_form": form, "csrf_token": CSRF_PLACEHOLDER}
                return render_to_string("consultations/_opinion_form.html", ctx)

            opinion_form_html = with_csrf(
                DATA.cached("opinion-form", form_html, consultation.pk, get_language()), request
            )
    if speaker_form is None and consultation.event_id and consultation.status in ("published", "open"):
        speaker_form = SpeakerForm()
    return render(
        request,
        "consultations/consultation_detail.html",
        {
            "consultation": consultation,
            "paragraphs": paragraphs,
            "summary": summary,
            "opinion_form": opinion_form,
            "opinion_form_html": opinion_form_html,
            "speaker_form": speaker_form,
            "opinions_html": _shared_fragment(
                "opinion-list",
                lambda: render_to_string(
                    "consultations/_opinion_list.html",
                    {
                        "opinions_page": _page(request, selectors.public_opinions(consultation), 20),
                        "request": request,
                    },
                ),
                consultation.pk,
                request.GET.urlencode(),
            ),
        },
    )


@require_POST
@ratelimit(key="ip", rate=FORM_RATE, method="POST", block=False)
def opinion_create(request, pk: int):
    consultation = _consultation(pk)
    if getattr(request, "limited", False):
        messages.error(request, _("Too many opinions from your network. Please try again later."))
        return redirect("consultations:consultation_detail", pk=pk)
    paragraphs = list(consultation.paragraphs.all())
    form = OpinionForm(request.POST, paragraphs=paragraphs)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.opinion_create(
                consultation=consultation,
                paragraph=next((p for p in paragraphs if p.pk == data["paragraph"]), None),
                body=data["body"],
                name=data["name"],
                name_public=data["name_public"],
                phone=data["phone"],
                email=data["email"],
                by=request.user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you. Your opinion has been received."))
            return redirect("consultations:consultation_detail", pk=pk)
    return consultation_detail(request, pk, opinion_form=form)


@require_POST
@ratelimit(key="ip", rate=FORM_RATE, method="POST", block=False)
def speaker_apply(request, pk: int):
    consultation = _consultation(pk)
    if getattr(request, "limited", False):
        messages.error(request, _("Too many attempts. Please try again later."))
        return redirect("consultations:consultation_detail", pk=pk)
    form = SpeakerForm(request.POST)
    if form.is_valid():
        try:
            services.speaker_apply(consultation=consultation, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your application to speak has been received."))
            return redirect("consultations:consultation_detail", pk=pk)
    return consultation_detail(request, pk, speaker_form=form)


def consultation_feedback(request, pk: int):
    consultation = _consultation(pk)
    if not (consultation.feedback_published or may_manage(request.user)):
        raise Http404
    summary = selectors.consultation_summary(consultation)
    opinions = selectors.public_opinions(consultation)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            f"{consultation.title}-feedback.xlsx",
            [_("No."), _("Paragraph"), _("Name"), _("Opinion"), _("Department"), _("Answer"), _("Reason")],
            (
                [
                    o.pk,
                    f"§{o.paragraph.number}" if o.paragraph_id else _("The whole draft"),
                    o.public_name or _("Anonymous"),
                    o.body,
                    o.forward.department.name if o.forward_id else "",
                    o.get_result_display() if o.status == Opinion.Status.PUBLISHED else _("Awaiting answer"),
                    o.answer if o.status == Opinion.Status.PUBLISHED else "",
                ]
                for o in opinions.iterator(chunk_size=2000)
            ),
        )
    return render(
        request,
        "consultations/feedback.html",
        {"consultation": consultation, "summary": summary, "page_obj": _page(request, opinions, 50)},
    )


def research_list(request):
    return render(
        request, "consultations/research_list.html", {"page_obj": _page(request, selectors.research_public())}
    )


def research_detail(request, pk: int):
    try:
        topic = selectors.research_detail(request.user, pk)
    except ResearchTopic.DoesNotExist as exc:
        raise Http404 from exc
    manager = may_manage(request.user)
    contact = department_contact_of(request.user)
    if request.method == "POST":
        try:
            _research_post(request, topic, contact)
        except DomainError as exc:
            domain_error_message(request, exc)
        return redirect("consultations:research_detail", pk=pk)
    return render(
        request,
        "consultations/research_detail.html",
        {
            "topic": topic,
            "manager": manager,
            "next_statuses": [
                (s, ResearchTopic.Status(s).label)
                for s in allowed_next(topic, pipeline=services.RESEARCH_PIPELINE, user=request.user)
                if s not in (ResearchTopic.Status.SUBMITTED, ResearchTopic.Status.FEEDBACK)
            ]
            if manager
            else [],
            "departments": selectors.departments() if manager else [],
            "contact": contact,
            "feedback_form": FeedbackForm(),
        },
    )


def _research_post(request, topic, contact):
    action = request.POST.get("action")
    if action == "feedback":
        submission = get_object_or_404(ReportSubmission, pk=request.POST.get("submission"), topic=topic)
        services.report_feedback(
            submission=submission, by=request.user, feedback=request.POST.get("feedback", "")
        )
        messages.success(request, _("Feedback recorded."))
        return
    if action == "milestone":
        milestone = get_object_or_404(Milestone, pk=request.POST.get("milestone"), topic=topic)
        services.milestone_complete(milestone=milestone, by=request.user, note=request.POST.get("note", ""))
        messages.success(request, _("Milestone done."))
        return
    _require_manager(request)
    if action == "submit":
        departments = GovernmentDepartment.objects.filter(pk__in=request.POST.getlist("departments"))
        services.report_submit(topic=topic, departments=departments, by=request.user)
        messages.success(request, _("Report submitted."))
    elif action == "move":
        services.research_transition(topic=topic, to=request.POST.get("to", ""), by=request.user)
        messages.success(request, _("Status changed."))


# ---------------------------------------------------------------------- staff desk ----


@login_required
def manage(request):
    _require_staff(request)
    month = _month(request)
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    return render(
        request,
        "consultations/manage.html",
        {
            "month": month,
            "prev": add_months(month, -1),
            "next": add_months(month, 1),
            "q": q,
            "kind": kind,
            "kinds": selectors.event_kinds(),
            "page_obj": _page(request, selectors.events_by_month(month=month, q=q, kind=kind)),
            "counts": selectors.manage_counts(now=timezone.now()),
        },
    )


def _event_for_staff(request, pk):
    _require_staff(request)
    return get_object_or_404(Event.objects.select_related("kind", "organizer"), pk=pk)


@login_required
def event_manage(request, pk: int):
    event = _event_for_staff(request, pk)
    if request.method == "POST":
        _require_manager(request)
        _event_post(request, event)
        return redirect(request.get_full_path())
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    minutes = getattr(event, "minutes", None)
    return render(
        request,
        "consultations/event_manage.html",
        {
            "event": event,
            "page_obj": _page(request, selectors.event_registrations(event=event, status=status, q=q), 50),
            "status": status,
            "q": q,
            "statuses": Registration.Status.choices,
            "waitlist": selectors.waitlist(event)[:100],
            "phone_form": PhoneRegistrationForm(),
            "capacity_form": CapacityForm(initial={"capacity": event.capacity}),
            "minutes_form": MinutesForm(
                initial={"body": minutes.body, "published": minutes.published} if minutes else None
            ),
            "minutes": minutes,
            "attachment_form": AttachmentForm(),
            "attachments": event.attachments.all(),
            "manager": may_manage(request.user),
            "mask": not may_manage(request.user),
            "next_statuses": [
                (s, Event.Status(s).label)
                for s in allowed_next(event, pipeline=services.EVENT_PIPELINE, user=request.user)
            ]
            if may_manage(request.user)
            else [],
        },
    )


def _event_post(request, event):
    action = request.POST.get("action")
    try:
        if action == "phone":
            form = PhoneRegistrationForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Please check the name, phone and attendees."))
            reg = services.registration_create(
                event=event, by=request.user, kind=Registration.Kind.PHONE, **form.cleaned_data
            )
            messages.success(
                request,
                _("Registered: %(name)s (%(status)s).")
                % {"name": reg.name, "status": reg.get_status_display()},
            )
        elif action == "move":
            to = request.POST.get("to", "")
            services.event_transition(
                event=event, to=to, by=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(
                request, _("Event published.") if to == Event.Status.PUBLISHED else _("Event cancelled.")
            )
        elif action == "capacity":
            form = CapacityForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Please give a capacity."))
            services.event_capacity_set(event=event, capacity=form.cleaned_data["capacity"], by=request.user)
            messages.success(request, _("Capacity changed."))
        elif action in ("approve", "reject", "cancel"):
            reg = get_object_or_404(Registration, pk=request.POST.get("registration"), event=event)
            if action == "cancel":
                services.registration_cancel(
                    registration=reg, by=request.user, reason=request.POST.get("reason", "")
                )
            else:
                services.registration_decide(
                    registration=reg,
                    by=request.user,
                    approve=action == "approve",
                    reason=request.POST.get("reason", ""),
                )
            messages.success(request, _("Saved."))
        elif action == "attendance":
            reg = get_object_or_404(Registration, pk=request.POST.get("registration"), event=event)
            form = AttendanceForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Please choose the attendance."))
            services.attendance_set(registration=reg, by=request.user, **form.cleaned_data)
            messages.success(request, _("Saved."))
        elif action == "minutes":
            form = MinutesForm(request.POST)
            services.minutes_save(
                event=event,
                body=request.POST.get("body", ""),
                published=bool(request.POST.get("published")),
                by=request.user,
            )
            messages.success(request, _("Minutes saved."))
        elif action == "attachment":
            form = AttachmentForm(request.POST, request.FILES)
            if not form.is_valid():
                raise DomainError(_("Please choose a file."))
            services.attachment_add(
                event=event,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                public=form.cleaned_data["public"],
                by=request.user,
            )
            messages.success(request, _("Attachment added."))
        elif action == "certificates":
            n = services.certificates_issue_for_event(event=event, by=request.user)
            messages.success(request, _("%(n)d certificates issued.") % {"n": n})
        else:
            raise Http404
    except DomainError as exc:
        domain_error_message(request, exc)


@login_required
def event_export(request, pk: int, what: str):
    event = _event_for_staff(request, pk)
    regs = selectors.event_registrations(event=event)
    mask = not may_manage(request.user)
    if what == "registrations":
        header = [_("Name"), _("Organization"), _("Phone"), _("Attendees"), _("Status"), _("Registered at")]
        rows = (
            [
                r.name,
                r.organization.name if r.organization_id else "",
                mask_phone(r.phone) if mask else r.phone,
                r.attendees,
                r.get_status_display(),
                r.created_at,
            ]
            for r in regs
        )
    elif what == "attendance":
        header = [_("Name"), _("Organization"), _("Attendees"), _("Session"), _("Checked in at"), _("Method")]
        rows = (
            [
                r.name,
                r.organization.name if r.organization_id else "",
                r.attendees,
                c.session,
                c.at,
                c.get_method_display(),
            ]
            for r in regs
            for c in r.checkins.all()
        )
    elif what == "certificates":
        header = [_("Certificate number"), _("Holder"), _("Issued at"), _("Revoked at")]
        rows = (
            [c.number, c.holder_name, c.issued_at, c.revoked_at]
            for c in Certificate.objects.filter(registration__event=event).order_by("number")
        )
    else:
        raise Http404
    return xlsx_response(f"{event.title}-{what}.xlsx", header, rows)


@login_required
def event_checkin(request, pk: int):
    event = _event_for_staff(request, pk)
    _require_manager(request)
    result = None
    form = CheckInForm(request.POST or None, initial={"session": 1})
    walk_in_form = WalkInForm()
    if request.method == "POST":
        if request.POST.get("action") == "walk_in":
            walk_in_form = WalkInForm(request.POST)
            if walk_in_form.is_valid():
                try:
                    reg = services.walk_in_add(event=event, by=request.user, **walk_in_form.cleaned_data)
                    result = {"ok": True, "name": reg.name, "already": False, "at": timezone.now()}
                except DomainError as exc:
                    result = {"ok": False, "message": str(exc.message)}
        elif form.is_valid():
            method = request.POST.get("method") or CheckIn.Method.CODE
            if method not in CheckIn.Method.values:
                method = CheckIn.Method.CODE
            try:
                item, already = services.checkin(
                    event=event,
                    code=form.cleaned_data["code"],
                    by=request.user,
                    method=method,
                    session=form.cleaned_data.get("session") or 1,
                )
                result = {
                    "ok": True,
                    "name": item.registration.name,
                    "already": already,
                    "at": item.at,
                    "attendees": item.registration.attendees,
                }
            except DomainError as exc:
                result = {"ok": False, "message": str(exc.message)}
        if request.headers.get("Accept") == "application/json":
            if result and result.get("ok"):
                at = timezone.localtime(result["at"]).strftime("%H:%M")
                message = (
                    _("%(name)s was already checked in at %(at)s.") % {"name": result["name"], "at": at}
                    if result["already"]
                    else _("%(name)s checked in at %(at)s.") % {"name": result["name"], "at": at}
                )
                return JsonResponse({"ok": True, "already": result["already"], "message": message})
            return JsonResponse(
                {"ok": False, "message": (result or {}).get("message", _("Invalid input."))}, status=400
            )
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "consultations/checkin.html",
        {
            "event": event,
            "form": form,
            "walk_in_form": walk_in_form,
            "result": result,
            "q": q,
            "found": selectors.registration_search(event=event, q=q) if q else [],
            "checked_in": CheckIn.objects.filter(registration__event=event, session=1).count(),
        },
    )


@login_required
def consultation_manage_list(request):
    _require_staff(request)
    forwards = selectors.forwards_for(request.user, now=timezone.now())
    return render(
        request,
        "consultations/consultation_manage_list.html",
        {
            "page_obj": _page(request, selectors.consultations_manage()),
            "forwards": forwards[:50],
            "now": timezone.now(),
        },
    )


@login_required
def consultation_manage(request, pk: int):
    _require_staff(request)
    consultation = get_object_or_404(Consultation.objects.prefetch_related("paragraphs", "groups"), pk=pk)
    manager = may_manage(request.user)
    paragraphs = list(consultation.paragraphs.all())
    hearing_form = HearingOpinionForm(paragraphs=paragraphs)
    if request.method == "POST":
        _require_manager(request)
        response = _consultation_post(request, consultation, paragraphs)
        if response is not None:
            hearing_form = response
        else:
            return redirect(request.get_full_path())
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            f"{consultation.title}-opinions.xlsx",
            [
                _("No."),
                _("Given at"),
                _("Paragraph"),
                _("Name"),
                _("Source"),
                _("Opinion"),
                _("Group"),
                _("Hidden"),
                _("Reason for hiding"),
                _("Department"),
                _("Status"),
                _("Answer"),
                _("Reason"),
                _("Answered at"),
                _("On time"),
            ],
            selectors.opinions_export_rows(consultation),
        )
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    hidden = request.GET.get("hidden", "")
    return render(
        request,
        "consultations/consultation_manage.html",
        {
            "consultation": consultation,
            "manager": manager,
            "page_obj": _page(
                request,
                selectors.consultation_opinions_manage(consultation, status=status, q=q, hidden=hidden),
                50,
            ),
            "status": status,
            "q": q,
            "hidden": hidden,
            "statuses": Opinion.Status.choices,
            "next_statuses": [
                (s, Consultation.Status(s).label)
                for s in allowed_next(
                    consultation, pipeline=services.CONSULTATION_PIPELINE, user=request.user
                )
            ]
            if manager
            else [],
            "forward_form": ForwardForm(departments=selectors.departments()),
            "hearing_form": hearing_form,
            "speakers": selectors.speaker_applications(consultation),
            "forwards": consultation.forwards.select_related("department"),
            "summary": selectors.consultation_summary(consultation),
            "now": timezone.now(),
        },
    )


def _consultation_post(request, consultation, paragraphs):
    action = request.POST.get("action")
    ids = [int(x) for x in request.POST.getlist("opinions") if x.isdigit()]
    try:
        if action == "move":
            services.consultation_transition(
                consultation=consultation, to=request.POST.get("to", ""), by=request.user
            )
            messages.success(request, _("Status changed."))
        elif action == "hide":
            opinion = get_object_or_404(Opinion, pk=request.POST.get("opinion"), consultation=consultation)
            services.opinion_hide(opinion=opinion, by=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Opinion hidden."))
        elif action == "unhide":
            opinion = get_object_or_404(Opinion, pk=request.POST.get("opinion"), consultation=consultation)
            services.opinion_hide(opinion=opinion, by=request.user, reason="", hide=False)
            messages.success(request, _("Opinion shown again."))
        elif action == "group":
            services.opinions_group(
                consultation=consultation,
                opinion_ids=ids,
                title=request.POST.get("title", ""),
                by=request.user,
            )
            messages.success(request, _("Opinions grouped."))
        elif action == "forward":
            department = get_object_or_404(
                GovernmentDepartment, pk=request.POST.get("department"), active=True
            )
            services.forward_create(
                consultation=consultation,
                department=department,
                opinion_ids=ids,
                by=request.user,
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("Forwarded to %(dept)s.") % {"dept": department.name})
        elif action == "feedback":
            n = services.feedback_publish(consultation=consultation, by=request.user)
            messages.success(request, _("%(n)d answers published.") % {"n": n})
        elif action in ("select", "decline"):
            application = get_object_or_404(
                SpeakerApplication, pk=request.POST.get("application"), consultation=consultation
            )
            services.speaker_decide(application=application, selected=action == "select", by=request.user)
            messages.success(request, _("Saved."))
        elif action == "hearing":
            form = HearingOpinionForm(request.POST, paragraphs=paragraphs)
            if not form.is_valid():
                return form
            data = form.cleaned_data
            try:
                services.opinion_create(
                    consultation=consultation,
                    paragraph=next((p for p in paragraphs if p.pk == data["paragraph"]), None),
                    body=data["body"],
                    name=data["name"],
                    name_public=data["name_public"],
                    phone=data["phone"],
                    email=data["email"],
                    by=request.user,
                    source=Opinion.Source.HEARING,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
                return form
            messages.success(request, _("Opinion recorded."))
        else:
            raise Http404
    except DomainError as exc:
        domain_error_message(request, exc)
    return None


# ------------------------------------------------------------ department contacts ----


@login_required
def forward_list(request):
    if not (may_manage(request.user) or department_contact_of(request.user)):
        raise PermissionDenied
    state = request.GET.get("state", "")
    return render(
        request,
        "consultations/forward_list.html",
        {
            "page_obj": _page(request, selectors.forwards_for(request.user, now=timezone.now(), state=state)),
            "state": state,
            "now": timezone.now(),
            "contact": department_contact_of(request.user),
        },
    )


@login_required
def forward_detail(request, pk: int):
    if not (may_manage(request.user) or department_contact_of(request.user)):
        raise PermissionDenied
    forward = get_object_or_404(selectors.forwards_for(request.user, now=timezone.now()), pk=pk)
    if request.method == "POST":
        opinion = get_object_or_404(Opinion, pk=request.POST.get("opinion"), forward=forward)
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.opinion_answer(opinion=opinion, by=request.user, **form.cleaned_data)
                messages.success(request, _("Answer saved."))
            except DomainError as exc:
                domain_error_message(request, exc)
        else:
            messages.error(request, _("Please choose an answer and give the reason."))
        return redirect("consultations:forward_detail", pk=pk)
    return render(
        request,
        "consultations/forward_detail.html",
        {
            "forward": forward,
            "opinions": _page(request, selectors.forward_opinions(forward), 50),
            "answer_form": AnswerForm(),
            "now": timezone.now(),
            "staff_view": may_manage(request.user),
        },
    )


@login_required
def research_manage(request):
    _require_staff(request)
    year = request.GET.get("year", "")
    status = request.GET.get("status", "")
    return render(
        request,
        "consultations/research_manage.html",
        {
            "page_obj": _page(
                request,
                selectors.research_manage(year=int(year) if year.isdigit() else None, status=status),
            ),
            "year": year,
            "status": status,
            "statuses": ResearchTopic.Status.choices,
            "today": timezone.localdate(),
        },
    )


# ------------------------------------------------------- staff: set up events and drafts ----


def _event_payload(form) -> tuple[dict, list]:
    data = {name: form.cleaned_data[name] for name in services.EVENT_FIELDS}
    for name in ("description", "venue", "online_url"):
        data[name] = (data[name] or "").strip()
    return data, list(form.cleaned_data["service_areas"])


def _event_form_page(request, *, event=None):
    """Create (event=None) or edit an event with its agenda rows."""
    _require_manager(request)
    if request.method == "POST":
        form = EventForm(request.POST)
        agenda = agenda_formset(request.POST)
        if form.is_valid() and agenda.is_valid():
            data, areas = _event_payload(form)
            items = [f.item for f in agenda.forms if f.item]
            try:
                if event is None:
                    event = services.event_create(
                        by=request.user, data=data, agenda=items, service_areas=areas
                    )
                    messages.success(request, _("Event saved as a draft. Publish it when it is ready."))
                else:
                    services.event_update(
                        event=event, by=request.user, data=data, agenda=items, service_areas=areas
                    )
                    messages.success(request, _("Event saved."))
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect("consultations:event_manage", pk=event.pk)
    else:
        initial = EventForm.initial_for(event) if event else {"organizer_department": request.user.department}
        form = EventForm(initial=initial)
        agenda = agenda_formset(event=event)
    return render(
        request,
        "consultations/event_form.html",
        {"form": form, "agenda": agenda, "event": event},
    )


@login_required
def event_create(request):
    return _event_form_page(request)


@login_required
def event_edit(request, pk: int):
    _require_manager(request)
    event = get_object_or_404(Event.objects.prefetch_related("service_areas", "agenda"), pk=pk)
    if event.status == Event.Status.CANCELLED:
        messages.error(request, _("A cancelled event cannot be changed."))
        return redirect("consultations:event_manage", pk=pk)
    return _event_form_page(request, event=event)


def _consultation_form_page(request, *, consultation=None):
    _require_manager(request)
    if request.method == "POST":
        form = ConsultationForm(request.POST, consultation=consultation)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in services.CONSULTATION_FIELDS}
            try:
                if consultation is None:
                    consultation = services.consultation_create(
                        by=request.user, data=data, body=form.cleaned_data["body"]
                    )
                    messages.success(
                        request, _("Consultation saved as a draft. Publish it when it is ready.")
                    )
                else:
                    services.consultation_update(
                        consultation=consultation, by=request.user, data=data, body=form.cleaned_data["body"]
                    )
                    messages.success(request, _("Consultation saved."))
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect("consultations:consultation_manage", pk=consultation.pk)
    else:
        initial = ConsultationForm.initial_for(consultation) if consultation else None
        form = ConsultationForm(initial=initial, consultation=consultation)
    return render(
        request,
        "consultations/consultation_form.html",
        {
            "form": form,
            "consultation": consultation,
            "text_locked": bool(consultation and consultation.opinions.exists()),
        },
    )


@login_required
def consultation_create(request):
    return _consultation_form_page(request)


@login_required
def consultation_edit(request, pk: int):
    _require_manager(request)
    consultation = get_object_or_404(Consultation, pk=pk)
    if consultation.status == Consultation.Status.ANSWERED:
        messages.error(request, _("An answered consultation cannot be changed."))
        return redirect("consultations:consultation_manage", pk=pk)
    return _consultation_form_page(request, consultation=consultation)
