"""Hotline pages: residents file and follow requests; dispatchers and unit handlers work them."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage

from center.errors import DomainError
from center.exports import xlsx_response
from center.files import serve_file
from center.models import NetworkUnit
from center.pages import add_domain_error, domain_error_message
from center.validators import normalize_phone
from hotline import progress, selectors, services
from hotline.filters import TicketFilter
from hotline.forms import (
    CallbackForm,
    ExtensionForm,
    PhoneIntakeForm,
    RateForm,
    ResidentInfoForm,
    TicketFileForm,
    TrackForm,
)
from hotline.models import Callback, ExtensionRequest, Ticket
from hotline.permissions import is_dispatcher, is_hotline_staff, may_handle, may_view, sees_full_phone

PAGE_SIZE = 25
FILE_RATE = "5/h"  # per IP and per phone number
TRACK_RATE = "10/h"  # wrong guesses per IP and per tracking number


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _limited(request, *, group: str, key, rate: str, increment: bool) -> bool:
    usage = get_usage(request, group=group, key=key, rate=rate, method="POST", increment=increment)
    return bool(usage) and usage["count"] >= usage["limit"] and not increment


def _phone_key(group, request) -> str:
    raw = request.POST.get("phone", "")
    try:
        return normalize_phone(raw)
    except ValidationError:
        return raw.strip()[:20]


def _number_key(group, request) -> str:
    return request.POST.get("tracking_number", "").strip().upper()[:16]


# --- residents ----------------------------------------------------------------------------


def _file_context(form) -> dict:
    # A map only when a tile server is configured (this machine cannot fetch public tiles).
    return {"form": form, "map_tiles": getattr(settings, "HOTLINE_MAP_TILE_URL", "")}


def file_request(request):
    form = TicketFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if request.POST.get("website"):
            # A bot filled the honeypot: look successful, write nothing.
            messages.success(request, _("Thank you. Your request has been received."))
            return redirect("hotline:file")
        limits = [
            {"group": "hotline.file.ip", "key": "ip"},
            {"group": "hotline.file.phone", "key": _phone_key},
        ]
        if any(_limited(request, rate=FILE_RATE, increment=False, **lim) for lim in limits):
            form.add_error(
                None,
                _(
                    "You have filed 5 requests in the last hour from this network or phone number. "
                    "Please wait an hour, or call the hotline if it is urgent."
                ),
            )
            return render(request, "hotline/file.html", _file_context(form), status=429)
        if form.is_valid():
            for lim in limits:
                get_usage(request, rate=FILE_RATE, method="POST", increment=True, **lim)
            data = form.cleaned_data
            try:
                ticket = services.ticket_file(
                    channel=Ticket.Channel.WEB,
                    ticket_type=data["ticket_type"],
                    category=data["category"],
                    title=data["title"],
                    description=data["description"],
                    phone=data["phone"],
                    resident_name=data["resident_name"],
                    address=data["address"],
                    area=data["area"],
                    lat=data["lat"],
                    long=data["long"],
                    images=data["images"],
                    # "My requests" belong to resident accounts; staff filing for someone file anonymously.
                    resident=request.user
                    if request.user.is_authenticated and request.user.is_resident
                    else None,
                )
            except (DomainError, ValidationError) as exc:
                add_domain_error(form, exc)
            else:
                return redirect(reverse("hotline:track_link", args=[ticket.access_key]) + "?filed=1")
    return render(request, "hotline/file.html", _file_context(form))


def track(request):
    form = TrackForm(request.POST or None)
    status = 200
    if request.method == "POST":
        limits = [
            {"group": "hotline.track.ip", "key": "ip"},
            {"group": "hotline.track.number", "key": _number_key},
        ]
        if any(_limited(request, rate=TRACK_RATE, increment=False, **lim) for lim in limits):
            form.add_error(
                None, _("Too many wrong attempts. Please try again in an hour, or call the hotline.")
            )
            status = 429
        elif form.is_valid():
            ticket = selectors.ticket_find_for_tracking(
                number=form.cleaned_data["tracking_number"], last4=form.cleaned_data["last4"]
            )
            if ticket is not None:
                return redirect("hotline:track_link", key=ticket.access_key)
            for lim in limits:
                get_usage(request, rate=TRACK_RATE, method="POST", increment=True, **lim)
            form.add_error(None, _("No request matches this tracking number and these digits."))
            status = 404
    return render(request, "hotline/track.html", {"form": form}, status=status)


def track_link(request, key: str):
    ticket = selectors.ticket_for_resident(access_key=key)
    if ticket is None:
        raise Http404
    info_form, rate_form = ResidentInfoForm(), RateForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "info":
                info_form = ResidentInfoForm(request.POST)
                if info_form.is_valid():
                    services.ticket_resident_info_add(ticket=ticket, text=info_form.cleaned_data["text"])
                    messages.success(request, _("Thank you, your information was added."))
                    return redirect("hotline:track_link", key=key)
            elif action == "rate":
                rate_form = RateForm(request.POST)
                if rate_form.is_valid():
                    services.ticket_rate_online(
                        ticket=ticket,
                        result=rate_form.cleaned_data["result"],
                        comment=rate_form.cleaned_data["comment"],
                    )
                    if ticket.status == Ticket.Status.REOPENED:
                        messages.success(
                            request,
                            _(
                                "Thank you. We are sorry the answer did not help: the request is reopened and will be answered again."
                            ),
                        )
                    else:
                        messages.success(request, _("Thank you for rating the answer."))
                    return redirect("hotline:track_link", key=key)
        except DomainError as exc:
            domain_error_message(request, exc)
            return redirect("hotline:track_link", key=key)
    return render(
        request,
        "hotline/track_detail.html",
        {
            "ticket": ticket,
            "events": ticket.public_events,
            "steps": progress.ticket_steps(ticket),
            "answer_note": progress.expected_answer_note(ticket),
            "my_rating": ticket.callbacks.filter(channel=Callback.Channel.ONLINE)
            .order_by("-created_at")
            .first(),
            "filed": request.GET.get("filed") == "1",
            "link": request.build_absolute_uri(reverse("hotline:track_link", args=[key])),
            "info_form": info_form,
            "rate_form": rate_form,
        },
    )


@login_required
def my_requests(request):
    page = _page(request, selectors.resident_tickets(user=request.user))
    return render(request, "hotline/mine.html", {"page_obj": page})


# --- dispatchers --------------------------------------------------------------------------


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


QUEUE_LABELS = {
    "to_dispatch": gettext_lazy("To dispatch"),
    "due_today": gettext_lazy("Due today"),
    "overdue": gettext_lazy("Overdue"),
    "awaiting_callback": gettext_lazy("Awaiting callback"),
    "returned": gettext_lazy("Returned"),
    "extensions": gettext_lazy("Extension requests"),
    "unsigned": gettext_lazy("Not signed for in time"),
    "open": gettext_lazy("All open"),
    "all": gettext_lazy("All"),
    "to_sign": gettext_lazy("To sign for"),
    "working": gettext_lazy("In hand"),
    "answered": gettext_lazy("Answered"),
}


class _CountedPaginator(Paginator):
    """A paginator told its count (a cached queue count) instead of running COUNT(*)."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # fills the cached_property


def _list_html(request, name, queryset, *, queue, count=None, per_user=False, **extra) -> str:
    """The filters, rows and page links of a ticket list, rendered once per data version,
    language and query string (and user, for lists that differ per user), shared by every
    process through the configured cache. On a hit no ticket is read at all.

    Unfiltered queues take their page count from the cached queue counts; the queues that
    hold (nearly) every ticket are paginated by keyset (selectors.keyset_page)."""
    from hotline import caching

    parts = [name, get_language(), request.GET.urlencode()]
    if per_user:
        parts.append(request.user.pk)

    def build():
        filterset = TicketFilter(request.GET, queryset=queryset())
        filtered = any(request.GET.get(f) for f in filterset.form.fields)
        ctx = {"queue": queue, "filter": filterset, "keyset": False, **extra}
        if queue in selectors.KEYSET_QUEUES:
            rows, next_cursor = selectors.keyset_page(
                filterset.qs, cursor=request.GET.get("after"), size=PAGE_SIZE
            )
            ctx.update(
                page_obj=rows, keyset=True, next_cursor=next_cursor, is_first=not request.GET.get("after")
            )
        elif count is not None and not filtered:
            ctx["page_obj"] = _CountedPaginator(filterset.qs, PAGE_SIZE, count=count).get_page(
                request.GET.get("page")
            )
        else:
            ctx["page_obj"] = _page(request, filterset.qs)
        # No request: the context processors (navigation, badges) are the page's, not the rows'.
        ctx.update(request=request, user=request.user)
        return render_to_string("hotline/_list.html", ctx)

    return mark_safe(caching.cached("rows", build, *parts))  # noqa: S308 - our own rendered template


def _queue_tabs(names, counts):
    return [(name, QUEUE_LABELS[name], counts.get(name)) for name in names]


@login_required
def desk(request):
    """The dispatcher's queues, with bulk dispatch."""
    _require(is_dispatcher(request.user))
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("ticket") if x.isdigit()]
        unit = NetworkUnit.objects.filter(pk=request.POST.get("unit") or 0).first()
        if not ids or unit is None:
            messages.error(request, _("Choose requests and a street or community."))
        else:
            try:
                done, failed = services.ticket_dispatch_bulk(ticket_ids=ids, unit=unit, actor=request.user)
            except DomainError as exc:
                domain_error_message(request, exc)
            else:
                messages.success(
                    request, _("%(n)d requests dispatched to %(unit)s.") % {"n": done, "unit": unit.name}
                )
                for number, why in failed.items():
                    messages.error(request, f"{number}: {why}")
        return redirect(request.get_full_path())
    queue = request.GET.get("queue", "to_dispatch")
    if queue not in selectors.DISPATCHER_QUEUES:
        queue = "to_dispatch"
    counts = selectors.dispatcher_queue_counts_cached()
    # Every dispatcher sees the same rows (full phones): rendered once per data version.
    rows_html = _list_html(
        request,
        "desk",
        lambda: selectors.dispatcher_queue(queue=queue),
        queue=queue,
        count=counts.get(queue),
        selectable=queue in ("to_dispatch", "returned"),
        full_phones=True,
    )
    return render(
        request,
        "hotline/desk.html",
        {
            "queue": queue,
            "queues": _queue_tabs(selectors.DISPATCHER_QUEUES, counts),
            "rows_html": rows_html,
            "units": selectors.dispatch_unit_choices() if queue in ("to_dispatch", "returned") else [],
        },
    )


@login_required
def call_intake(request):
    """Log a phone call (or a walk-in) as a ticket in a few keystrokes, dispatching at once."""
    _require(is_hotline_staff(request.user))
    form = PhoneIntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_file(
                channel=data["channel"],
                ticket_type=data["ticket_type"],
                category=data["category"],
                description=data["description"],
                phone=data["phone"],
                resident_name=data["resident_name"],
                area=data["area"],
                urgency=data["urgency"],
                actor=request.user,
            )
            if data["dispatch_now"] and data["area"] is not None and is_dispatcher(request.user):
                services.ticket_dispatch(ticket=ticket, unit=data["area"], actor=request.user)
        except (DomainError, ValidationError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Logged as %(n)s.") % {"n": ticket.tracking_number})
            if ticket.status == Ticket.Status.RECEIVED:
                messages.info(
                    request,
                    _("It waits in the “To dispatch” queue: choose a street or community to dispatch it."),
                )
            return redirect("hotline:call")
    return render(request, "hotline/call.html", {"form": form})


# --- unit handlers ------------------------------------------------------------------------


@login_required
def unit_list(request):
    """A handler's tickets: their unit's, and for a street also its communities'."""
    _require(request.user.is_handler)
    queue = request.GET.get("queue", "open")
    if queue not in selectors.HANDLER_QUEUES:
        queue = "open"
    counts = selectors.handler_counts_cached(user=request.user)
    # Phones are masked except on the handler's own tickets: the rows are rendered per user.
    rows_html = _list_html(
        request,
        "unit",
        lambda: selectors.handler_tickets(user=request.user, queue=queue),
        queue=queue,
        count=counts.get(queue),
        per_user=True,
    )
    return render(
        request,
        "hotline/unit_list.html",
        {
            "queue": queue,
            "queues": _queue_tabs(selectors.HANDLER_QUEUES, counts),
            "rows_html": rows_html,
        },
    )


# --- one ticket ---------------------------------------------------------------------------


def _ticket_or_404(number: str) -> Ticket:
    ticket = selectors.ticket_for_staff(number=number)
    if ticket is None:
        raise Http404
    return ticket


def _detail_context(request, ticket: Ticket, **extra) -> dict:
    user = request.user
    unit = ticket.assigned_unit
    return {
        "ticket": ticket,
        "events": list(ticket.events.all()),
        "extensions": list(ticket.extensions.all()),
        "callbacks": list(ticket.callbacks.all()),
        "full_phone": sees_full_phone(user, ticket),
        "is_dispatcher": is_dispatcher(user),
        "may_handle": may_handle(user, ticket),
        "is_staff": is_hotline_staff(user),
        "actions": services.ticket_actions(ticket, user),
        "dispatch_units": selectors.dispatch_units(),
        "child_units": unit.children.order_by("sort_order", "pk") if unit is not None else [],
        "callback_form": CallbackForm(),
        "extension_form": ExtensionForm(),
        **extra,
    }


@login_required
def ticket_detail(request, number: str):
    ticket = _ticket_or_404(number)
    _require(may_view(request.user, ticket))
    return render(request, "hotline/ticket_detail.html", _detail_context(request, ticket))


@login_required
def ticket_image(request, number: str, image_pk: int):
    """A resident's photo: only those who may see the ticket (staff, the units it is with)."""
    ticket = _ticket_or_404(number)
    _require(may_view(request.user, ticket))
    image = get_object_or_404(ticket.images, pk=image_pk)
    return serve_file(image.file, download_name=f"{ticket.tracking_number}-{image.pk}", inline=True)


def _unit(request, name="unit"):
    return NetworkUnit.objects.filter(pk=request.POST.get(name) or 0).first()


ACTION_DONE = {
    "dispatch": gettext_lazy("Dispatched to %(unit)s."),
    "sign": gettext_lazy("Signed for: the request is now your unit's."),
    "start": gettext_lazy("Work started."),
    "redispatch": gettext_lazy("Passed down to %(unit)s."),
    "return": gettext_lazy("Returned to the dispatchers with your reason."),
    "note": gettext_lazy("Internal note added."),
    "reply": gettext_lazy("Reply sent: the resident sees it on the tracking page."),
    "answer": gettext_lazy("Answer sent. The center will call the resident back."),
    "extension": gettext_lazy("Extension requested: the dispatchers will decide."),
    "extension_approve": gettext_lazy("Extension approved: the new deadline is recorded."),
    "extension_refuse": gettext_lazy("Extension refused: the deadline stays."),
}


def _done_message(action: str, ticket: Ticket) -> str:
    if action == "callback":
        if ticket.status == Ticket.Status.REOPENED:
            return _(
                "Callback recorded. The resident is not satisfied: the request is reopened to the same unit."
            )
        return _("Callback recorded. The request is closed.")
    text = str(ACTION_DONE.get(action, gettext_lazy("Done.")))
    if action in ("dispatch", "redispatch"):
        return text % {"unit": ticket.assigned_unit.name if ticket.assigned_unit_id else "—"}
    return text


@login_required
@require_POST
def ticket_action(request, number: str, action: str):
    ticket = get_object_or_404(Ticket.objects.select_related("assigned_unit"), tracking_number=number)
    _require(may_view(request.user, ticket))
    user, post = request.user, request.POST
    try:
        if action == "reveal":
            phone = services.phone_reveal(ticket=ticket, user=user, ip=request.META.get("REMOTE_ADDR"))
            full = _ticket_or_404(number)
            return render(
                request, "hotline/ticket_detail.html", _detail_context(request, full, revealed_phone=phone)
            )
        elif action == "dispatch":
            services.ticket_dispatch(
                ticket=ticket, unit=_unit(request), actor=user, note=post.get("note", "")
            )
        elif action == "sign":
            services.ticket_sign_for(ticket=ticket, actor=user)
        elif action == "start":
            services.ticket_start(ticket=ticket, actor=user)
        elif action == "redispatch":
            services.ticket_redispatch(
                ticket=ticket, unit=_unit(request), actor=user, note=post.get("note", "")
            )
        elif action == "return":
            services.ticket_return(ticket=ticket, actor=user, reason=post.get("reason", ""))
        elif action == "note":
            services.ticket_note_add(ticket=ticket, actor=user, text=post.get("text", ""))
        elif action == "reply":
            services.ticket_reply(ticket=ticket, actor=user, text=post.get("text", ""))
        elif action == "answer":
            services.ticket_answer(ticket=ticket, actor=user, text=post.get("text", ""))
        elif action == "extension":
            form = ExtensionForm(post)
            if not form.is_valid():
                raise DomainError(_("Ask for 1 to 15 working days and give a reason."))
            services.extension_request(ticket=ticket, actor=user, **form.cleaned_data)
        elif action in ("extension_approve", "extension_refuse"):
            ext = get_object_or_404(ExtensionRequest, pk=post.get("extension") or 0, ticket=ticket)
            services.extension_decide(
                extension=ext,
                actor=user,
                approve=action == "extension_approve",
                comment=post.get("comment", ""),
            )
        elif action == "callback":
            form = CallbackForm(post)
            if not form.is_valid():
                raise DomainError(_("Choose the result of the callback."))
            services.callback_record(ticket=ticket, actor=user, **form.cleaned_data)
        else:
            raise Http404
    except DomainError as exc:
        domain_error_message(request, exc)
        status = exc.status
        full = _ticket_or_404(number)
        if not may_view(user, full):
            return redirect("center:workbench")
        return render(request, "hotline/ticket_detail.html", _detail_context(request, full), status=status)
    ticket.refresh_from_db(fields=["assigned_unit", "status"])
    messages.success(request, _done_message(action, ticket))
    if not may_view(user, ticket):  # returned or passed out of the user's sight
        return redirect("hotline:unit" if user.is_handler else "hotline:desk")
    return redirect("hotline:ticket_detail", number=number)


# --- figures ------------------------------------------------------------------------------


def _stats_period(request) -> tuple[date | None, date | None]:
    def _d(name):
        try:
            return date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    start, end = _d("start"), _d("end")
    if start is None and end is None and "start" not in request.GET:
        start = timezone.localdate().replace(month=1, day=1, year=timezone.localdate().year - 1)
    return start, end


@login_required
def statistics(request):
    _require(is_hotline_staff(request.user))
    start, end = _stats_period(request)
    if start and end and end < start:
        messages.error(request, _("The end date is before the start date: the dates were swapped."))
        start, end = end, start
    figures, breakdowns = selectors.hotline_statistics_cached(start=start, end=end)
    if request.GET.get("format") == "xlsx":
        rows = []
        for title, key in (
            (_("Type"), "type"),
            (pgettext("hotline", "Category"), "category"),
            (_("Street"), "unit"),
            (_("Month"), "month"),
        ):
            rows += [(str(title), r["label"], r["count"]) for r in breakdowns[key]]

        def pct(rate):
            return None if rate is None else round(rate * 100, 1)

        rows += [
            (_("Total"), _("Requests"), figures["total"]),
            (_("Rate"), _("Resolution rate (%)"), pct(figures["resolution_rate"])),
            (_("Rate"), _("On-time rate (%)"), pct(figures["on_time_rate"])),
            (_("Rate"), _("Satisfaction rate (%)"), pct(figures["satisfaction_rate"])),
            (
                _("Rate"),
                _("Average handling time (working days)"),
                None if figures["avg_days"] is None else round(figures["avg_days"], 1),
            ),
        ]
        return xlsx_response(
            "hotline-statistics.xlsx", [_("Breakdown"), _("Item"), _("Value")], rows, sheet=_("Hotline")
        )
    return render(
        request,
        "hotline/statistics.html",
        {
            "figures": figures,
            "charts": [
                ("type", _("By type"), breakdowns["type"]),
                ("category", _("By category"), breakdowns["category"]),
                ("unit", _("By street (communities included)"), breakdowns["unit"]),
                ("month", _("By month"), breakdowns["month"]),
            ],
            "start": start,
            "end": end,
        },
    )
