import pytest

from tests.ventures.factories import make_org_user, make_reviewers, make_round


@pytest.fixture
def projects_staff(make_user):
    return make_user("staff_projects_t", role="staff", department="projects", is_staff=True)


@pytest.fixture
def applicant(db):
    return make_org_user("org_a_t")


@pytest.fixture
def other_applicant(db):
    return make_org_user("org_b_t")


@pytest.fixture
def reviewers(db):
    return make_reviewers(6)


@pytest.fixture
def rnd(projects_staff, reviewers):
    return make_round(projects_staff, reviewers_per_application=3)


@pytest.fixture(autouse=True)
def _pinned_now(pinned_wednesday):
    """These tests read "now": an ordinary working Wednesday (tests/factories.WEDNESDAY)."""
