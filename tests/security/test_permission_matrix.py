"""Every protected object, as every role: exactly the roles its app declares get through, on
every page, API operation and export that shows it (center.registry.register_protected).

A new app joins by registering its objects; the test needs no change."""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from center import registry
from tests.factories import NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db
# An ordinary working Wednesday morning: rounds open, registrations open, nothing overdue.
NOW = datetime(2026, 6, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REFUSED = {302, 401, 403, 404}


def _cast():
    net = NetworkFactory.build_tree()
    make = UserFactory.make
    people = {
        "resident": make("m_resident", role="resident"),
        "other_resident": make("m_resident2", role="resident"),
        "owner": make("m_owner", role="organization"),
        "other_owner": make("m_owner2", role="organization"),
        "reviewer": make("m_reviewer", role="reviewer"),
        "street_handler": make("m_street", role="handler", network_unit=net.nanmen),
        "community_handler": make("m_community", role="handler", network_unit=net.nanmen_c1),
        "other_street_handler": make("m_street2", role="handler", network_unit=net.yuehu),
        "admin": make("m_admin", role="staff", department="admin", is_staff=True),
    }
    for dept in ("resource", "projects", "info", "operations"):
        people[f"staff_{dept}"] = make(f"m_staff_{dept}", role="staff", department=dept, is_staff=True)
    from organizations.credit_codes import make_credit_code
    from organizations.models import Membership, Organization

    # the other organization account owns an organization of its own
    other = Organization.objects.create(
        name="另一个协会",
        org_type="social_group",
        credit_code=make_credit_code("social_group", "330203MJ9000002"),
        status="verified",
        street=net.yuehu,
    )
    Membership.objects.create(organization=other, user=people["other_owner"], role="owner")
    return SimpleNamespace(network=net, anonymous=None, **people)


def test_every_role_of_the_cast_exists():
    assert set(registry.MATRIX_ROLES) <= set(vars(_cast())) | {"anonymous"}


def test_the_apps_registered_their_objects():
    keys = {o.key for o in registry.protected_objects()}
    assert {
        "organizations.organization",
        "ventures.application",
        "hotline.ticket",
        "consultations.registration",
        "incubation.incubatee",
    } <= keys


@pytest.mark.parametrize("obj", registry.protected_objects(), ids=lambda o: o.key)
def test_permission_matrix(obj, client, time_machine):
    time_machine.move_to(NOW, tick=False)
    cast = _cast()
    made = obj.make(cast)
    wrong = []
    for view in obj.views(made):
        for role in registry.MATRIX_ROLES:
            client.logout()
            user = getattr(cast, role)
            if user is not None:
                client.force_login(user)
            status = client.get(view.url, HTTP_ACCEPT="text/html,application/json").status_code
            if role in view.allowed and status != 200:
                wrong.append(f"{view.kind} {view.url} as {role}: {status}, should be 200")
            if role not in view.allowed and status not in REFUSED:
                wrong.append(f"{view.kind} {view.url} as {role}: {status}, should be refused")
    assert not wrong, "\n".join(wrong)
