"""What a resident sees: the filing confirmation, the tracking page's stepper, title, address,
expected answer date and own rating; the request form's order, required marks and errors."""

import re

import pytest
from django.urls import reverse

from hotline import services
from hotline.models import Ticket
from tests.hotline.factories import category, reach

pytestmark = pytest.mark.django_db


def _current_step(html: str) -> str:
    m = re.search(
        r'<li class="step current" aria-current="step">.*?<span class="step-label">(.*?)</span>', html
    )
    return m.group(1) if m else ""


def test_confirmation_wraps_the_private_link_and_shows_title(client, pinned):
    t = reach.__globals__["file_ticket"](title="楼道灯坏了")
    html = client.get(reverse("hotline:track_link", args=[t.access_key]) + "?filed=1").content.decode()
    assert 'class="private-link"' in html  # styled to break anywhere (pages.css)
    assert "受理编号：" in html
    assert "楼道灯坏了" in html


@pytest.mark.parametrize(
    "status,step",
    [
        (Ticket.Status.RECEIVED, "受理"),
        (Ticket.Status.DISPATCHED, "派单"),
        (Ticket.Status.SIGNED_FOR, "签收"),
        (Ticket.Status.IN_PROGRESS, "办理"),
        (Ticket.Status.ANSWERED, "回访"),
        (Ticket.Status.CLOSED, "办结"),
        (Ticket.Status.RETURNED, "受理"),
    ],
)
def test_tracking_page_stepper_marks_the_current_step(client, people, pinned, status, step):
    t = reach(people, status)
    html = client.get(reverse("hotline:track_link", args=[t.access_key])).content.decode()
    assert html.count('aria-current="step"') == 1
    assert _current_step(html) == step
    for label in ("受理", "派单", "签收", "办理", "答复", "回访", "办结"):
        assert f'<span class="step-label">{label}</span>' in html


def test_tracking_page_shows_title_address_and_expected_answer_date(client, people, pinned):
    t = reach(people, Ticket.Status.SIGNED_FOR)
    t.refresh_from_db()
    html = client.get(reverse("hotline:track_link", args=[t.access_key])).content.decode()
    assert "老人助餐" in html and "海曙区某路1号" in html
    assert "预计答复日期" in html
    due = t.answer_due.astimezone(pinned_tz())
    assert f"{due.year}年{due.month}月{due.day}日" in html


def pinned_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def test_tracking_page_before_dispatch_says_when_the_date_is_set(client, pinned):
    t = reach.__globals__["file_ticket"]()
    html = client.get(reverse("hotline:track_link", args=[t.access_key])).content.decode()
    assert "派往街道或社区后确定答复时限。" in html


def test_english_stepper_and_dates(english, people, pinned):
    t = reach(people, Ticket.Status.DISPATCHED)
    html = english.get(reverse("hotline:track_link", args=[t.access_key])).content.decode()
    assert _current_step(html) == "Dispatched"
    assert "25 Nov 2026 10:00" in html  # filed at, one English format
    assert ">2026-11-25" not in html


def test_own_rating_is_shown_after_rating(client, people, pinned):
    t = reach(people, Ticket.Status.ANSWERED)
    url = reverse("hotline:track_link", args=[t.access_key])
    r = client.post(url, {"action": "rate", "result": "satisfied", "comment": "很及时"})
    assert r.status_code == 302
    html = client.get(url).content.decode()
    assert "您的评价" in html and "满意" in html and "很及时" in html
    assert 'class="my-rating"' in html


def test_request_form_puts_the_street_picker_first_and_marks_required(client, network, pinned):
    html = client.get(reverse("hotline:file")).content.decode()
    assert html.index('name="area"') < html.index('name="category"') < html.index('name="description"')
    assert re.search(r'<label for="id_phone" class="required">', html)
    assert re.search(r'<label for="id_description" class="required">', html)
    assert not re.search(r'<label for="id_address" class="required">', html)
    assert "标 * 的为必填项。" in html
    assert "js/location.js" in html and "data-geo-locate" in html
    assert "data-map" not in html.replace("data-map-tiles", "")  # no tile server configured


def test_map_only_with_a_tile_server(client, network, settings):
    settings.HOTLINE_MAP_TILE_URL = "https://tiles.example.cn/{z}/{x}/{y}.png"
    html = client.get(reverse("hotline:file")).content.decode()
    assert 'data-map-tiles="https://tiles.example.cn/{z}/{x}/{y}.png"' in html
    assert 'class="mini-map" data-map' in html


def test_coordinates_error_sits_at_the_coordinates_and_nothing_is_written(client, network, pinned):
    data = {
        "ticket_type": "help",
        "category": category().pk,
        "description": "需要帮助",
        "phone": "13812341234",
        "lat": "29.87",
    }
    r = client.post(reverse("hotline:file"), data)
    html = r.content.decode()
    assert r.status_code == 200 and Ticket.objects.count() == 0
    assert 'class="form-errors"' not in html
    fieldset = html[html.index("<fieldset") : html.index("</fieldset>")]
    assert "请同时填写经度和纬度，或都不填。" in fieldset


def test_coordinates_filled_are_saved(client, network, pinned):
    data = {
        "ticket_type": "help",
        "category": category().pk,
        "description": "需要帮助",
        "phone": "13812341234",
        "lat": "29.870000",
        "long": "121.540000",
        "area": network.nanmen.pk,
    }
    r = client.post(reverse("hotline:file"), data)
    assert r.status_code == 302
    t = Ticket.objects.get()
    assert str(t.lat) == "29.870000" and t.area == network.nanmen


def test_phone_intake_checkbox_sits_beside_its_label(client, people):
    client.force_login(people.dispatcher)
    html = client.get(reverse("hotline:call")).content.decode()
    m = re.search(r'<input type="checkbox" name="dispatch_now"[^>]*>\s*<label', html)
    assert m, "checkbox is followed by its label in the same field"


def test_services_unchanged_for_rating(people, pinned):
    t = reach(people, Ticket.Status.ANSWERED)
    services.ticket_rate_online(ticket=t, result="basic", comment="")
    t.refresh_from_db()
    assert t.status == Ticket.Status.CLOSED
