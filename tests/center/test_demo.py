import pytest

from center.demo import DEMO_PASSWORD, STREETS, load_center_demo
from center.models import NetworkUnit, User


@pytest.mark.django_db
def test_center_demo_is_idempotent_and_complete():
    load_center_demo()
    counts = (NetworkUnit.objects.count(), User.objects.count())
    load_center_demo()
    assert (NetworkUnit.objects.count(), User.objects.count()) == counts
    # The real streets and towns, each with a handler who can log in.
    assert NetworkUnit.objects.filter(level="street").count() == len(STREETS) == 17
    for code, _name in STREETS:
        handler = User.objects.get(username=f"handler_{code}")
        assert handler.is_handler and handler.network_unit.code == code
        assert handler.check_password(DEMO_PASSWORD)
    # Staff of every department, a superuser, reviewers, residents, the Stars' Children account.
    assert set(User.objects.filter(role="staff").values_list("department", flat=True)) == {
        "admin",
        "resource",
        "projects",
        "info",
        "operations",
    }
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.filter(role="reviewer").count() == 12
    assert User.objects.filter(role="resident").count() == 3
    assert User.objects.get(username="org_stars").role == "organization"
