from types import SimpleNamespace

import pytest

from tests.hotline.factories import file_ticket


@pytest.fixture
def people(network, make_user, staff):
    """Dispatcher, a street handler (nanmen), two community handlers and outsiders."""
    return SimpleNamespace(
        dispatcher=make_user("staff_info_t", role="staff", department="info", is_staff=True),
        other_staff=make_user("staff_res_t", role="staff", department="resource", is_staff=True),
        street=make_user("h_nanmen", role="handler", network_unit=network.nanmen),
        c1=make_user("h_nanmen_c1", role="handler", network_unit=network.nanmen_c1),
        c2=make_user("h_nanmen_c2", role="handler", network_unit=network.nanmen_c2),
        yuehu=make_user("h_yuehu", role="handler", network_unit=network.yuehu),
        admin=staff,
        net=network,
    )


@pytest.fixture
def ticket(db):
    return file_ticket()


@pytest.fixture
def clock(time_machine):
    """Set "now" for services, tasks and model defaults alike: clock.set(aware datetime)."""
    return SimpleNamespace(set=lambda dt: time_machine.move_to(dt, tick=False))
