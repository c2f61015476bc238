"""Every ventures page renders for the people it is for, on the demo data."""

import pytest
from django.urls import reverse

from center.demo import load_center_demo
from center.models import User
from tests.queries import assert_constant_queries
from tests.ventures.factories import make_submitted
from ventures import demo
from ventures.models import Application, ProgressReport, Review, Round

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_data():
    load_center_demo()
    demo.load_ventures_demo()
    return Round.objects.get(title=demo.LAST_YEAR_TITLE), Round.objects.get(title=demo.OPEN_TITLE)


def _ok(client, url):
    r = client.get(url)
    assert r.status_code == 200, url
    return r.content.decode()


def test_staff_pages_on_demo(client, demo_data):
    last, open_round = demo_data
    client.force_login(User.objects.get(username="staff_projects"))
    app = Application.objects.filter(round=last, award_amount__isnull=False).first()
    submitted = Application.objects.filter(round=open_round, status="submitted").first()
    report = ProgressReport.objects.filter(application=app, kind="midterm").first()
    for url in [
        reverse("ventures:manage"),
        reverse("ventures:dashboard", args=[last.pk]),
        reverse("ventures:ranking", args=[last.pk]),
        reverse("ventures:ranking", args=[last.pk]) + "?suggest=1&category=poor",
        reverse("ventures:round_applications", args=[last.pk]) + "?status=in_progress",
        reverse("ventures:round_edit", args=[last.pk]),
        reverse("ventures:round_new"),
        reverse("ventures:fund_new"),
        reverse("ventures:application_detail", args=[app.pk]),
        reverse("ventures:screening", args=[submitted.pk]),
        reverse("ventures:report", args=[report.pk]),
        reverse("ventures:notice", args=[last.pk]),
        reverse("center:workbench"),
    ]:
        _ok(client, url)
    page = _ok(client, reverse("ventures:dashboard", args=[last.pk]))
    assert "1445000" in page.replace(",", "")
    for name in ("export_applications", "export_reviews", "export_awards"):
        assert client.get(reverse(f"ventures:{name}", args=[last.pk])).status_code == 200


def test_applicant_reviewer_and_public_pages_on_demo(client, demo_data):
    last, open_round = demo_data
    org_user = User.objects.get(username="org1")
    client.force_login(org_user)
    mine = _ok(client, reverse("ventures:my_applications"))
    own = Application.objects.filter(organization__memberships__user=org_user, round=last).first()
    assert own.title in mine
    _ok(client, reverse("ventures:application_detail", args=[own.pk]))
    _ok(client, reverse("ventures:application_new", args=[open_round.pk]))
    reviewer = User.objects.get(username="reviewer1")
    client.force_login(reviewer)
    _ok(client, reverse("ventures:my_reviews"))
    review = Review.objects.filter(reviewer=reviewer).first()
    page = _ok(client, reverse("ventures:review_detail", args=[review.pk]))
    assert review.application.organization.name not in page
    _ok(client, reverse("center:workbench"))
    client.logout()
    for url in [
        reverse("ventures:round_list"),
        reverse("ventures:round_detail", args=[open_round.pk]),
        reverse("ventures:awarded_list"),
        reverse("ventures:awarded_list") + "?category=elderly",
        "/",
    ]:
        _ok(client, url)
    assert open_round.title in _ok(client, reverse("ventures:round_list"))


def test_staff_application_list_constant_queries(client, rnd, applicant, projects_staff):
    user, org = applicant
    make_submitted(rnd, org, user)
    client.force_login(projects_staff)

    def grow():
        for _ in range(3):
            make_submitted(rnd, org, user)

    assert_constant_queries(lambda: client.get(reverse("ventures:round_applications", args=[rnd.pk])), grow)
    assert_constant_queries(lambda: client.get(reverse("ventures:manage")), grow)


def test_workbench_panels_and_nav_on_demo(client, demo_data):
    from center import registry

    staff = User.objects.get(username="staff_projects")
    panel = next(p for p in registry.workbench_panels() if p.key == "ventures")
    counts = {str(i.label): i.count for i in panel.items(staff)}
    assert list(counts.values()) == [3, 0, 0, 6]  # 3 to screen, 6 mid-term reports to evaluate
    reviewer = User.objects.get(username="reviewer1")
    assert panel.items(reviewer) is None
    mine = next(p for p in registry.workbench_panels() if p.key == "ventures_reviews")
    assert mine.items(reviewer)[0].count == 0 and mine.items(staff) is None
    client.force_login(reviewer)
    page = client.get("/").content.decode()
    assert reverse("ventures:my_reviews") in page and reverse("ventures:my_applications") not in page
    client.force_login(User.objects.get(username="org1"))
    page = client.get("/").content.decode()
    assert reverse("ventures:my_applications") in page and reverse("ventures:my_reviews") not in page
