from types import SimpleNamespace

import pytest

from tests.incubation.factories import make_base, make_call, make_incubatee, make_room, make_space


@pytest.fixture
def ops(make_user):
    return make_user("staff_ops_t", role="staff", department="operations", is_staff=True)


@pytest.fixture
def other_staff(make_user):
    return make_user("staff_projects_i", role="staff", department="projects", is_staff=True)


@pytest.fixture
def base(db):
    return make_base(name="海曙区社会组织孵化基地")


@pytest.fixture
def spaces(base):
    return SimpleNamespace(
        office1=make_space(base, "A101", x=0),
        office2=make_space(base, "A102", x=1),
        desk1=make_space(base, "D01", kind="desk", x=2),
        room=make_room(base, "M1", x=3),
        room2=make_room(base, "M2", x=4, needs_approval=True),
    )


@pytest.fixture
def call(base):
    return make_call(base)


@pytest.fixture
def incubatee(db):
    return make_incubatee("org_inc_t")


@pytest.fixture
def other_incubatee(db):
    return make_incubatee("org_inc_other")


@pytest.fixture
def sub_base(network):
    base = make_base(street=network.nanmen, name="南门街道孵化分基地")
    return SimpleNamespace(base=base, office=make_space(base, "N101"), room=make_room(base, "NM1"))


@pytest.fixture
def handler_nanmen(make_user, network):
    return make_user("handler_nanmen_t", role="handler", network_unit=network.nanmen)


@pytest.fixture
def handler_yuehu(make_user, network):
    return make_user("handler_yuehu_t", role="handler", network_unit=network.yuehu)


@pytest.fixture(autouse=True)
def _pinned_now(time_machine):
    """Every incubation test runs at 09:00 on Tuesday 2 June 2026 (Asia/Shanghai) unless it
    moves the clock itself; no test reads the wall clock."""
    from tests.incubation.factories import NOW

    time_machine.move_to(NOW, tick=False)
