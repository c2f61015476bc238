"""Findings 5 and 6: negative money is refused whatever the door, and every way a ticket
comes in applies the same limits and refuses control characters (NUL included)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from hotline.models import ApiKey, Ticket
from tests.hotline.factories import category, file_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_wednesday")]  # factories read "now"


@pytest.fixture
def venture(make_user):
    from tests.ventures.factories import make_org_user, make_reviewers, make_round

    staff = make_user("staff_projects_m", role="staff", department="projects", is_staff=True)
    make_reviewers(3)
    rnd = make_round(staff, reviewers_per_application=3)
    user, org = make_org_user("org_m")
    return rnd, user, org


def _create(client, rnd, org, **changes):
    body = {
        "round": rnd.pk,
        "organization": org.pk,
        "category": "poor",
        "title": "济困",
        "duration_months": 10,
        "requested_amount": "50000",
        "budget_lines": [{"item": "a", "amount": "150000"}, {"item": "b", "amount": "-100000"}],
        "co_funding": "-99999",
    }
    body.update(changes)
    return client.post("/api/v1/ventures/applications/create/", body, content_type="application/json")


def test_api_refuses_negative_budget_lines_and_co_funding(client, venture):
    from ventures.models import Application, BudgetLine

    rnd, user, org = venture
    client.force_login(user)
    assert _create(client, rnd, org).status_code == 400
    assert _create(client, rnd, org, co_funding="0").status_code == 400  # the negative line alone
    lines = [{"item": "a", "amount": "50000"}]
    assert _create(client, rnd, org, budget_lines=lines).status_code == 400  # the co-funding alone
    assert (
        _create(client, rnd, org, budget_lines=lines, requested_amount="-1", co_funding="0").status_code
        == 400
    )
    assert not Application.objects.exists() and not BudgetLine.objects.exists()
    assert _create(client, rnd, org, budget_lines=lines, co_funding="0").status_code == 201


@pytest.mark.parametrize(
    "data, lines",
    [
        ({"co_funding": Decimal("-1")}, None),
        ({"requested_amount": Decimal("-0.01")}, None),
        ({}, [("a", Decimal("-100000"))]),
        ({}, [("a", "NaN")]),
        ({}, [("a", Decimal("0"))]),
        ({}, [("a", Decimal("1e20"))]),
    ],
)
def test_services_refuse_bad_money_whatever_the_door(venture, data, lines):
    from tests.ventures.factories import make_draft
    from ventures import services
    from ventures.models import Application

    rnd, user, org = venture
    with pytest.raises(ValidationError):
        services.application_create(
            round=rnd,
            organization=org,
            user=user,
            data={"category": "poor", "title": "t", "duration_months": 10, "requested_amount": 1000, **data},
            budget_lines=lines,
        )
    assert not Application.objects.exists()
    app = make_draft(rnd, org, user)
    with pytest.raises(ValidationError):
        services.application_update(application=app, user=user, data=data, budget_lines=lines)
    app.refresh_from_db()
    assert app.co_funding >= 0 and all(b.amount > 0 for b in app.budget_lines.all())


# --- tickets ---------------------------------------------------------------------------------


@pytest.fixture
def api_key(db):
    return ApiKey.objects.create(name="app", key="k" * 32)


def _open311(client, api_key, description, **extra):
    data = {
        "api_key": api_key.key,
        "service_code": category().code,
        "lat": "29.87",
        "long": "121.55",
        "phone": "13812345678",
        "description": description,
        **extra,
    }
    return client.post("/open311/v2/requests.json", data)


@pytest.mark.parametrize("bad", ["需要帮助\x00老人", "需要帮助\x07老人", "\x1b[31m需要帮助", "需要帮助\x7f"])
def test_control_characters_refused_at_every_door(client, network, api_key, bad):
    r = _open311(client, api_key, bad)
    assert r.status_code == 400 and "control characters" in r.json()[0]["description"].lower()
    with pytest.raises(ValidationError) as exc:
        file_ticket(description=bad)
    assert exc.value.code == "control_characters"
    r = _open311(client, api_key, "需要助餐服务", last_name="张\x00")
    assert r.status_code == 400
    assert not Ticket.objects.exists()


def test_length_limit_is_the_forms_limit_at_every_door(client, network, api_key):
    r = _open311(client, api_key, "长" * 20000)
    assert r.status_code == 400 and "4000" in r.json()[0]["description"]
    with pytest.raises(ValidationError):
        file_ticket(description="长" * 4001)
    assert not Ticket.objects.exists()
    assert _open311(client, api_key, "长" * 4000).status_code == 200
    assert file_ticket(description="多行\n描述\t可以").description == "多行\n描述\t可以"
