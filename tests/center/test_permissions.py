import pytest

from center.permissions import handler_may_act, units_visible_to


@pytest.mark.django_db
def test_street_handler_acts_on_own_street_and_its_communities(network, make_user):
    handler = make_user("h_nanmen", role="handler", network_unit=network.nanmen)
    assert handler_may_act(handler, network.nanmen)
    assert handler_may_act(handler, network.nanmen_c1)
    assert set(units_visible_to(handler)) == {network.nanmen, network.nanmen_c1, network.nanmen_c2}


@pytest.mark.django_db
def test_handler_refused_on_sibling_street_and_above(network, make_user):
    handler = make_user("h_nanmen", role="handler", network_unit=network.nanmen)
    assert not handler_may_act(handler, network.yuehu)
    assert not handler_may_act(handler, network.yuehu_c1)
    assert not handler_may_act(handler, network.district)


@pytest.mark.django_db
def test_community_handler_refused_on_sibling_community(network, make_user):
    handler = make_user("h_c1", role="handler", network_unit=network.nanmen_c1)
    assert handler_may_act(handler, network.nanmen_c1)
    assert not handler_may_act(handler, network.nanmen_c2)
    assert not handler_may_act(handler, network.nanmen)


@pytest.mark.django_db
def test_non_handlers_never_act_as_handlers(network, staff, resident):
    assert not handler_may_act(staff, network.nanmen)
    assert not handler_may_act(resident, network.nanmen)


@pytest.mark.django_db
def test_moving_a_unit_moves_its_subtree(network):
    network.nanmen.parent = network.yuehu
    network.nanmen.save()
    network.nanmen_c1.refresh_from_db()
    assert network.nanmen_c1.path.startswith(network.yuehu.path)
