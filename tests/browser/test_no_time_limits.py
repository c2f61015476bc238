"""WCAG 2.2.1 (timing adjustable) and 3.3 (no puzzle): a slow typist is never refused.

The public forms carry no minimum or maximum filling time and no captcha; a bot trap is a
hidden honeypot field that people (and screen readers) never meet. The CSRF token in the page
does not expire with time, so a form sent three hours after it was opened still goes through.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db

OPENED = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _open(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert "captcha" not in body.lower()
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def test_help_request_sent_three_hours_after_opening_the_form_is_filed():
    from hotline.models import ServiceCategory, Ticket

    cache.clear()  # rate-limit counters of other tests
    category, _ = ServiceCategory.objects.get_or_create(code="elderly", defaults={"name": "养老服务"})
    client = Client(enforce_csrf_checks=True)
    with time_machine.travel(OPENED, tick=False) as traveller:
        token = _open(client, "/hotline/")
        traveller.shift(timedelta(hours=3))
        response = client.post(
            "/hotline/",
            {
                "csrfmiddlewaretoken": token,
                "ticket_type": "help",
                "category": category.pk,
                "description": "慢慢写完的求助：家中老人需要助餐服务。",
                "phone": "13812345678",
            },
        )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Ticket.objects.count() == 1


def test_signup_sent_three_hours_after_opening_the_form_creates_the_account():
    from center.models import User

    cache.clear()
    client = Client(enforce_csrf_checks=True)
    with time_machine.travel(OPENED, tick=False) as traveller:
        token = _open(client, "/accounts/signup/")
        traveller.shift(timedelta(hours=3))
        response = client.post(
            "/accounts/signup/",
            {
                "csrfmiddlewaretoken": token,
                "username": "slowtypist",
                "display_name": "王阿姨",
                "email": "wang@example.org",
                "role": "resident",
                "password1": "a-long-pass-phrase-2026",
                "password2": "a-long-pass-phrase-2026",
            },
        )
    assert response.status_code == 302, response.content.decode()[:500]
    assert User.objects.filter(username="slowtypist").exists()


def test_csrf_cookie_outlives_a_long_sitting():
    # Django's default: a year. A shorter value would refuse forms left open over lunch.
    assert settings.CSRF_COOKIE_AGE is None or settings.CSRF_COOKIE_AGE >= 24 * 3600
    assert settings.SESSION_COOKIE_AGE >= 8 * 3600
