"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at /open311/v2/.

Field names are the spec's. No personal data leaves: no name, phone or typed address
(the street/community stands in for the address), phone numbers in descriptions are blanked
(`center.validators.scrub_phones`), map points are rounded to about 100 m, images stay private.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta

import orjson
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from center.errors import DomainError
from center.models import NetworkUnit
from center.validators import scrub_phones
from hotline import caching, services
from hotline.models import ApiKey, ServiceCategory, Ticket

MAX_RESULTS = 1000
MAX_RANGE = timedelta(days=90)
# Control characters (NUL among them, which PostgreSQL refuses in text) are refused in a POST.
CONTROL_CHARACTERS = frozenset(chr(c) for c in (*range(32), 127)) - {"\t", "\n", "\r"}
# The public list is the same for every caller: its body is kept this long per query string,
# format and language (and per hotline data version, so a change shows at once), and proxies
# and clients may keep it as long.
PUBLIC_CACHE_SECONDS = 60


# --- rendering ----------------------------------------------------------------------------


def _xml(root: str, item: str, rows: list[dict]) -> HttpResponse:
    top = ET.Element(root)
    for row in rows:
        el = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(el, key)
            if value is None:
                continue
            child.text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    body = ET.tostring(top, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


def _render(fmt: str, root: str, item: str, rows: list[dict], status: int = 200) -> HttpResponse:
    if fmt == "xml":
        response = _xml(root, item, rows)
        response.status_code = status
        return response
    # orjson: the 1,000-row list serialises several times faster than json.dumps.
    return HttpResponse(orjson.dumps(rows), status=status, content_type="application/json")


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    return _render(fmt, "errors", "error", [{"code": status, "description": description}], status=status)


def _dt(value: datetime | None) -> str | None:
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else None


def _coord(value) -> float | None:
    return round(float(value), 3) if value is not None else None


def service_row(cat: ServiceCategory) -> dict:
    return {
        "service_code": cat.code,
        "service_name": cat.name,
        "description": cat.description or None,
        "metadata": False,
        "type": "realtime",
        "keywords": cat.keywords or None,
        "group": cat.group or None,
    }


def request_row(t: Ticket) -> dict:
    closed = t.status == Ticket.Status.CLOSED
    return {
        "service_request_id": t.tracking_number,
        "status": "closed" if closed else "open",
        "status_notes": str(t.get_status_display()),
        "service_name": t.category.name,
        "service_code": t.category.code,
        "description": scrub_phones(t.description)[:4000],
        "agency_responsible": t.assigned_unit.name if t.assigned_unit_id else None,
        "service_notice": None,
        "requested_datetime": _dt(t.created_at),
        "updated_datetime": _dt(t.closed_at if closed and t.closed_at else t.updated_at),
        "expected_datetime": _dt(t.answer_due),
        "address": t.area.name if t.area_id else None,
        "address_id": t.area.code if t.area_id else None,
        "zipcode": None,
        "lat": _coord(t.lat),
        "long": _coord(t.long),
        "media_url": None,
    }


def _requests_qs():
    return Ticket.objects.select_related("category", "assigned_unit", "area").only(
        "tracking_number",
        "status",
        "description",
        "created_at",
        "updated_at",
        "closed_at",
        "answer_due",
        "lat",
        "long",
        "category__name",
        "category__code",
        "assigned_unit__name",
        "area__name",
        "area__code",
    )


# --- views --------------------------------------------------------------------------------


@require_GET
def service_list(request, fmt: str):
    rows = [service_row(c) for c in ServiceCategory.objects.filter(active=True)]
    return _render(fmt, "services", "service", rows)


def _parse_when(value: str, *, end: bool = False) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(value)
        parsed = datetime.combine(day, time.max if end else time.min)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@csrf_exempt
@require_http_methods(["GET", "POST"])
def request_list(request, fmt: str):
    if request.method == "POST":
        return _create(request, fmt)
    key = caching.key("open311-requests", fmt, get_language(), request.GET.urlencode())
    hit = cache.get(key)
    if hit is not None:
        response = HttpResponse(hit[0], content_type=hit[1])
    else:
        response = _request_list(request, fmt)
        if response.status_code == 200:
            cache.set(key, (response.content, response["Content-Type"]), PUBLIC_CACHE_SECONDS)
    if response.status_code == 200:
        patch_cache_control(response, public=True, max_age=PUBLIC_CACHE_SECONDS)
    return response


def _request_list(request, fmt: str) -> HttpResponse:
    """Requests filed in the spec's window: start_date/end_date (at most 90 days apart; the
    last 90 days when neither is given), newest first, at most 1,000."""
    params = request.GET
    qs = _requests_qs()
    ids = [x.strip().upper() for x in params.get("service_request_id", "").split(",") if x.strip()]
    if ids:  # overrides every other parameter
        rows = [
            request_row(t) for t in qs.filter(tracking_number__in=ids[:MAX_RESULTS]).order_by("-created_at")
        ]
        return _render(fmt, "service_requests", "request", rows)
    try:
        start = _parse_when(params["start_date"]) if params.get("start_date") else None
        end = _parse_when(params["end_date"], end=True) if params.get("end_date") else None
    except ValueError:
        return _error(
            fmt, 400, "start_date and end_date must be w3c date-times, e.g. 2026-01-31T00:00:00+08:00"
        )
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_RANGE
    if end is None:
        end = start + MAX_RANGE
    if end < start:
        return _error(fmt, 400, "end_date is before start_date")
    if end - start > MAX_RANGE + timedelta(days=1):
        return _error(fmt, 400, "The date range may span at most 90 days")
    qs = qs.filter(created_at__gte=start, created_at__lte=end)
    if params.get("service_code"):
        qs = qs.filter(category__code__in=[c.strip() for c in params["service_code"].split(",")])
    if params.get("status"):
        wanted = {s.strip() for s in params["status"].split(",")}
        if not wanted <= {"open", "closed"}:
            return _error(fmt, 400, "status must be open or closed")
        if wanted == {"open"}:
            qs = qs.exclude(status=Ticket.Status.CLOSED)
        elif wanted == {"closed"}:
            qs = qs.filter(status=Ticket.Status.CLOSED)
    rows = [request_row(t) for t in qs.order_by("-created_at")[:MAX_RESULTS]]
    return _render(fmt, "service_requests", "request", rows)


@require_GET
def request_detail(request, number: str, fmt: str):
    ticket = _requests_qs().filter(tracking_number=number.upper()).first()
    if ticket is None:
        return _error(fmt, 404, f"No service request {number}")
    return _render(fmt, "service_requests", "request", [request_row(ticket)])


def _create(request, fmt: str) -> HttpResponse:
    data = request.POST
    key = ApiKey.objects.filter(key=data.get("api_key", "") or "-", active=True).first()
    if key is None:
        return _error(fmt, 403, "api_key is missing or not valid")
    if any(CONTROL_CHARACTERS.intersection(value) for _, values in data.lists() for value in values):
        return _error(fmt, 400, "Control characters are not allowed")
    if not data.get("service_code"):
        return _error(fmt, 400, "service_code is required")
    category = ServiceCategory.objects.filter(code=data["service_code"], active=True).first()
    if category is None:
        return _error(fmt, 404, f"service_code {data['service_code']} not found")
    has_point = bool(data.get("lat") and data.get("long"))
    if not (has_point or data.get("address_string") or data.get("address_id")):
        return _error(fmt, 400, "A location is required: lat and long, address_string or address_id")
    if not data.get("phone"):
        return _error(fmt, 400, "phone is required: the center calls the resident back")
    area = NetworkUnit.objects.filter(code=data["address_id"]).first() if data.get("address_id") else None
    try:
        lat = float(data["lat"]) if has_point else None
        long = float(data["long"]) if has_point else None
        if has_point and not (-90 <= lat <= 90 and -180 <= long <= 180):
            raise ValueError
    except ValueError:
        return _error(fmt, 400, "lat and long must be WGS84 decimal degrees")
    name = " ".join(x for x in (data.get("last_name", ""), data.get("first_name", "")) if x).strip()
    try:
        ticket = services.ticket_file(
            channel=Ticket.Channel.API,
            ticket_type=Ticket.Type.HELP,
            category=category,
            description=data.get("description", ""),
            phone=data["phone"],
            resident_name=name[:60],
            address=data.get("address_string", "")[:200],
            area=area,
            lat=round(lat, 6) if lat is not None else None,
            long=round(long, 6) if long is not None else None,
            external_id=(data.get("device_id") or data.get("account_id") or "")[:60],
        )
    except ValidationError as exc:
        return _error(fmt, 400, "; ".join(exc.messages))
    except DomainError as exc:
        return _error(fmt, 400, str(exc.message))
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    row = {"service_request_id": ticket.tracking_number, "service_notice": None, "account_id": None}
    return _render(fmt, "service_requests", "request", [row])
