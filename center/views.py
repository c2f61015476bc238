"""Center pages: home, dashboard redirect, staff workbench, notifications, sign-up, health."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from center import registry, selectors, services
from center.calendar import year_sources
from center.forms import SignupForm
from center.models import Announcement

logger = logging.getLogger(__name__)


HOME_FIGURES_TTL = 60  # seconds; the figures are counts over whole tables


def _figure_values() -> dict:
    """Every registered figure's value, computed at most once a minute for all visitors."""
    values = cache.get("home-figures")
    if values is None:
        values = {}
        for fig in registry.home_figures():
            try:
                values[fig.key] = fig.compute()
            except Exception:
                logger.exception("home figure failed", extra={"figure": fig.key})
                values[fig.key] = "—"
        cache.set("home-figures", values, HOME_FIGURES_TTL)
    return values


def _figures():
    values = _figure_values()
    return [
        {"label": fig.label, "value": values.get(fig.key, "—"), "suffix": fig.suffix}
        for fig in registry.home_figures()
    ]


def home(request):
    """The home page's content is the same for every visitor: rendered once per version of
    the network and the announcements, and language, and at most HOME_FIGURES_TTL old (the
    figures are counts over whole tables)."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    from center.caching import CENTER

    def content():
        ctx = {
            "figures": _figures(),
            "announcements": selectors.announcement_list(limit=5),
            "streets": selectors.unit_tree(),
        }
        return render_to_string("center/_home_content.html", ctx, request=None)

    html = CENTER.cached("home", content, get_language(), ttl=HOME_FIGURES_TTL)
    return render(request, "center/home.html", {"content": mark_safe(html)})  # noqa: S308 - our own template


def announcement_list(request):
    page = Paginator(selectors.announcement_list(), 20).get_page(request.GET.get("page"))
    return render(request, "center/announcement_list.html", {"page_obj": page})


def announcement_detail(request, pk: int):
    item = get_object_or_404(Announcement, pk=pk, is_published=True)
    return render(request, "center/announcement_detail.html", {"item": item})


@login_required
def dashboard(request):
    """Where a login lands: staff and handlers on the workbench; organizations, reviewers and
    residents on their own page."""
    user = request.user
    if user.is_center_staff or user.is_handler:
        return redirect("center:workbench")
    return redirect("center:my_page")


@login_required
def my_page(request):
    """What this account has to do, with counts, from every app's "my page" sections."""
    sections = []
    for section in registry.my_page_sections():
        items = section.items(request.user)
        if items is not None:
            sections.append({"key": section.key, "title": section.title, "items": items})
    return render(request, "center/my_page.html", {"sections": sections})


@login_required
def workbench(request):
    user = request.user
    if not (user.is_center_staff or user.is_handler or user.is_reviewer):
        raise PermissionDenied
    panels = selectors.workbench_panels(user=user)
    this_year = timezone.localdate().year
    calendar_years = year_sources([this_year, this_year + 1]) if user.is_center_staff else []
    return render(request, "center/workbench.html", {"panels": panels, "calendar_years": calendar_years})


@login_required
def notifications(request):
    page = Paginator(selectors.notification_list(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "center/notifications.html", {"page_obj": page})


@login_required
@require_POST
def notifications_mark_read(request):
    services.notification_mark_read(user=request.user)
    return redirect("center:notifications")


@ratelimit(key="ip", rate="10/h", method="POST", block=False)
def signup(request):
    if request.user.is_authenticated:
        return redirect("center:dashboard")
    form = SignupForm(request.POST or None, initial={"role": request.GET.get("role", "organization")})
    if request.method == "POST":
        if getattr(request, "limited", False):
            messages.error(request, _("Too many sign-ups from your network. Please try again in an hour."))
            return render(request, "registration/signup.html", {"form": form}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            user = services.user_signup(
                username=data["username"],
                password=data["password1"],
                email=data["email"],
                role=data["role"],
                display_name=data["display_name"],
                phone=data["phone"],
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account has been created."))
            return redirect("center:dashboard")
    return render(request, "registration/signup.html", {"form": form})


@never_cache
def calendar_day(request):
    """Whether a date is a working day, for the deadline pickers (static/js/deadline.js)."""
    from datetime import date

    from django.utils.formats import date_format

    from center.calendar import effective_deadline, is_working_day, year_source

    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return JsonResponse(
            {"error": {"code": "bad_date", "message": _("Give a date as YYYY-MM-DD.")}}, status=400
        )
    if not 1900 < day.year < 2200:
        return JsonResponse(
            {"error": {"code": "bad_date", "message": _("Give a date as YYYY-MM-DD.")}}, status=400
        )
    working = is_working_day(day)
    effective = effective_deadline(day)
    message = (
        ""
        if working
        else _("%(day)s is not a working day: a deadline set on it runs until the end of %(effective)s.")
        % {"day": date_format(day, "DATE_FORMAT"), "effective": date_format(effective, "DATE_FORMAT")}
    )
    return JsonResponse(
        {
            "date": day.isoformat(),
            "working": working,
            "effective_deadline": effective.isoformat(),
            "source": year_source(day.year),
            "message": message,
        }
    )


def healthz(request):
    """Database, cache and broker. A broker outage degrades the portal; it is not an error."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "down"
    try:
        cache.set("healthz", "1", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "1" else "down"
    except Exception:
        checks["cache"] = "down"
    checks["broker"] = _broker_status()
    if checks["database"] == "down":
        overall, code = "down", 503
    elif "down" in checks.values():
        overall, code = "degraded", 200
    else:
        overall, code = "ok", 200
    return JsonResponse({"status": overall, "checks": checks}, status=code)


def _broker_status() -> str:
    from center.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:
        return "down"


def bench_ping(request):
    """The trivial view the bench harness measures as the machine's ceiling."""
    if not settings.BENCH_QUERY_HEADER:
        raise PermissionDenied
    return HttpResponse("ok", content_type="text/plain")
