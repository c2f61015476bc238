import pytest
from django.urls import reverse

from center import registry
from center.demo import load_center_demo
from organizations.credit_codes import validate_credit_code
from organizations.demo import bench_seed
from organizations.models import AnnualReport, GradingEvaluation, InspectionCampaign, Membership, Organization


@pytest.mark.django_db
def test_demo_loads_once_with_every_piece():
    load_center_demo()
    loader = next(d for d in registry.demo_loaders() if d.key == "organizations")
    assert loader.order == 10
    loader.load()
    count = Organization.objects.count()
    loader.load()  # idempotent
    assert Organization.objects.count() == count == 300
    assert set(Organization.objects.values_list("org_type", flat=True)) == set(Organization.Type.values)
    assert Organization.objects.values("street").distinct().count() == 17
    stars = Organization.objects.get(name="星星的孩子家长互助论坛")
    assert stars.status == "verified"
    assert Membership.objects.filter(organization=stars, user__username="org_stars", role="owner").exists()
    for i in range(1, 6):
        owned = Organization.objects.filter(memberships__user__username=f"org{i}", memberships__role="owner")
        assert owned.count() == 1 and owned.get().status == "verified"
    for org in Organization.objects.exclude(credit_code=None):
        validate_credit_code(org.credit_code, org_type=org.org_type)
    last, this = InspectionCampaign.objects.get(year=2025), InspectionCampaign.objects.get(year=2026)
    assert last.reports.exclude(result="").exists()
    assert Organization.objects.filter(status="abnormal").count() >= 3
    assert this.reports.filter(status=AnnualReport.Status.SUBMITTED).exists()
    assert Organization.objects.exclude(grade="").count() >= 10
    assert GradingEvaluation.objects.filter(status="applied").exists()
    # the verification queue has certificates to look at; community filing numbers come on verification
    pending = Organization.objects.filter(status="pending")
    assert pending.exists() and not pending.filter(certificate="").exists()
    assert not pending.filter(filing_number__isnull=False).exists()
    # every grade on a record comes from a graded evaluation with that grade and expiry
    for org in Organization.objects.exclude(grade=""):
        assert GradingEvaluation.objects.filter(
            organization=org, status="graded", grade=org.grade, valid_until=org.grade_valid_until
        ).exists(), org.name
    # last year's campaign is closed: every organization that never filed is on the abnormal list
    assert last.abnormal_list_done_at is not None
    never_filed = last.reports.filter(status=AnnualReport.Status.DRAFT).values_list("organization", flat=True)
    assert set(Organization.objects.filter(pk__in=never_filed).values_list("status", flat=True)) <= {
        "abnormal"
    }


@pytest.mark.django_db
def test_bench_seeder_and_pages(client, network):
    seeder = next(s for s in registry.bench_seeders() if s.key == "organizations")
    seeder.seed(0.001)
    assert Organization.objects.filter(status="verified").count() == 100
    seeder.seed(0.001)
    assert Organization.objects.count() == 100
    for page in registry.bench_pages():
        if page.name.startswith("organizations"):
            assert client.get(page.path()).status_code == 200, page.name
    bench_seed(0.002)
    assert Organization.objects.count() == 200


@pytest.mark.django_db
def test_workbench_panel_for_staff_only(client, staff, owner_a, org_a):
    org_a.status = "pending"
    org_a.save()
    panel = next(p for p in registry.workbench_panels() if p.key == "organizations")
    assert panel.items(owner_a) is None
    items = panel.items(staff)
    assert items[0].count == 1
    client.force_login(staff)
    resp = client.get(reverse("center:workbench"))
    assert resp.status_code == 200
    assert reverse("organizations:verify_queue") in resp.content.decode()
    assert client.get(reverse("organizations:verify_queue")).status_code == 200
