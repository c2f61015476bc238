"""The demo data: ~220 closed requests (100% of the due ones resolved), open ones in every state."""

import time

import pytest

from center.demo import load_center_demo
from hotline.demo import CLOSED_COUNT, load_hotline_demo
from hotline.models import ExtensionRequest, Ticket
from hotline.selectors import hotline_figures

pytestmark = pytest.mark.django_db


def test_demo_loads_fast_and_once():
    load_center_demo()
    started = time.monotonic()
    load_hotline_demo()
    assert time.monotonic() - started < 20
    closed = Ticket.objects.filter(status="closed")
    assert closed.count() == CLOSED_COUNT >= 200
    assert not closed.filter(callbacks__isnull=True).exists()  # every one closed after a callback
    assert set(Ticket.objects.exclude(status="closed").values_list("status", flat=True)) == {
        "received",
        "dispatched",
        "signed_for",
        "in_progress",
        "answered",
        "returned",
        "reopened",
    }
    assert Ticket.objects.filter(is_overdue=True).exclude(status="closed").count() == 1
    assert ExtensionRequest.objects.filter(status="approved").count() == 1
    assert closed.values("assigned_unit__parent").distinct().count() >= 3
    f = hotline_figures()
    assert f["closed"] == CLOSED_COUNT and f["due"] == CLOSED_COUNT + 1  # the one overdue open ticket
    total = Ticket.objects.count()
    load_hotline_demo()
    assert Ticket.objects.count() == total


def test_the_overdue_demo_request_has_a_timeline_from_its_own_days():
    load_center_demo()
    load_hotline_demo()
    late = Ticket.objects.get(is_overdue=True, status="in_progress")
    filed = late.events.get(kind="filed")
    assert filed.created_at.date() == late.created_at.date()
    assert all(e.created_at <= late.answer_due for e in late.events.exclude(kind="overdue"))
    assert late.events.get(kind="overdue").created_at > late.answer_due  # the sweep's mark
    # marked and escalated by the deadline sweep, as in production: the dispatcher was told
    from center.models import Notification, Reminder

    assert Reminder.objects.filter(key=f"hotline:{late.pk}:overdue:{late.answer_due:%Y%m%d}").exists()
    assert Notification.objects.filter(
        user__username="staff_info", title__contains=late.tracking_number
    ).exists()
