from types import SimpleNamespace

import pytest

from tests.organizations.factories import make_org


@pytest.fixture
def people(make_user, staff):
    """Staff in charge (resource department), other staff, residents, an organization owner,
    and two government-department contacts."""
    owner = make_user("org_owner_t", role="organization", email="owner@example.cn")
    other_owner = make_user("org_owner2_t", role="organization")
    return SimpleNamespace(
        admin=staff,
        manager=make_user("staff_res_t", role="staff", department="resource", is_staff=True),
        info=make_user("staff_info_t", role="staff", department="info", is_staff=True),
        alice=make_user("alice_t", role="resident", email="alice@example.cn"),
        bob=make_user("bob_t", role="resident"),
        carol=make_user("carol_t", role="resident"),
        owner=owner,
        org=make_org("星星的孩子家长互助论坛", owner=owner),
        other_owner=other_owner,
        other_org=make_org("海曙助老服务社", owner=other_owner),
        civil_contact=make_user("civil_contact_t", role="resident"),
        finance_contact=make_user("finance_contact_t", role="resident"),
    )
