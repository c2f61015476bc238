"""Finding 7: API tokens expire, stop working for a locked or deactivated account, and a
center administrator revokes them in the admin."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _me(client, key):
    return client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def token(make_user):
    with time_machine.travel(T0, tick=False):
        user = make_user("api_user", role="organization")
        return Token.objects.create(user=user)


def test_token_expires_after_the_configured_days(client, token):
    with time_machine.travel(T0 + timedelta(days=29), tick=False):
        assert _me(client, token.key).status_code == 200
    with time_machine.travel(T0 + timedelta(days=30, seconds=1), tick=False):
        assert _me(client, token.key).status_code in (401, 403)
    with override_settings(API_TOKEN_TTL_DAYS=60), time_machine.travel(T0 + timedelta(days=45), tick=False):
        assert _me(client, token.key).status_code == 200


def test_expired_token_is_replaced_when_asked_again(client, token):
    from tests.factories import PASSWORD

    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        r = client.post("/api/v1/auth/token/", {"username": "api_user", "password": PASSWORD})
        assert r.status_code == 200 and r.json()["token"] != token.key
        assert _me(client, r.json()["token"]).status_code == 200
        assert _me(client, token.key).status_code in (401, 403)


def test_locked_account_token_stops_working(client, token, settings):
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert _me(client, token.key).status_code == 200
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post("/accounts/login/", {"username": "api_user", "password": "wrong-password"})
        assert _me(client, token.key).status_code in (401, 403)


def test_deactivated_account_token_stops_working(client, token):
    token.user.is_active = False
    token.user.save()
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert _me(client, token.key).status_code in (401, 403)


def test_center_admin_revokes_a_token_department_staff_cannot(client, token, make_user):
    from django.contrib.auth.models import Group

    from tests.security.conftest import _replay_rights_migrations

    if not Group.objects.filter(name="center-admins", permissions__isnull=False).exists():
        _replay_rights_migrations()
    clerk = make_user("clerk_t", role="staff", department="projects", is_staff=True)
    client.force_login(clerk)
    url = f"/admin/authtoken/tokenproxy/{token.user_id}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Token.objects.filter(pk=token.pk).exists()
    boss = make_user("boss_t", role="staff", department="admin", is_staff=True)
    client.force_login(boss)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 200
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Token.objects.filter(pk=token.pk).exists()
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert _me(client.__class__(), token.key).status_code in (401, 403)
