"""A member of organization A is refused on B's profile, annual report and member list."""

import pytest
from django.urls import reverse

from organizations.models import AnnualReport, Membership
from tests.organizations.factories import make_campaign


@pytest.fixture
def member_a(make_user, org_a):
    user = make_user("member_a", role="organization")
    Membership.objects.create(organization=org_a, user=user, role="member")
    return user


@pytest.fixture
def report_b(org_b):
    return AnnualReport.objects.create(campaign=make_campaign(2025), organization=org_b)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner_a", "member_a"])
def test_a_refused_on_b_pages(client, request, who, org_b, report_b):
    client.force_login(request.getfixturevalue(who))
    for url in [
        reverse("organizations:manage", args=[org_b.pk]),
        reverse("organizations:edit", args=[org_b.pk]),
        reverse("organizations:members", args=[org_b.pk]),
        reverse("organizations:report", args=[report_b.pk]),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("organizations:edit", args=[org_b.pk]), {"name": "hijack"}).status_code == 403
    org_b.refresh_from_db()
    assert org_b.name == "乙志愿者协会"
    # nor may they write anything of B's through the pages
    owner_b_membership = Membership.objects.get(organization=org_b)
    posts = [
        (reverse("organizations:members", args=[org_b.pk]), {"identifier": "owner_a", "role": "owner"}),
        (
            reverse("organizations:member_action", args=[org_b.pk, owner_b_membership.pk]),
            {"action": "remove"},
        ),
        (reverse("organizations:report", args=[report_b.pk]), {"activities": "hijack", "submit": "1"}),
        (reverse("organizations:grading_apply", args=[org_b.pk]), {}),
        (reverse("organizations:resubmit", args=[org_b.pk]), {}),
        (reverse("organizations:status_action", args=[org_b.pk]), {"action": "deregister", "reason": "x"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert Membership.objects.filter(organization=org_b).count() == 1
    report_b.refresh_from_db()
    assert (report_b.activities, report_b.status) == ("", "draft")
    org_b.refresh_from_db()
    assert org_b.status == "verified" and not org_b.evaluations.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner_a", "member_a"])
def test_a_refused_on_b_api(client, request, who, org_b, report_b):
    client.force_login(request.getfixturevalue(who))
    for url in [
        reverse("api-organization-profile", args=[org_b.pk]),
        reverse("api-organization-members", args=[org_b.pk]),
        reverse("api-organization-reports", args=[org_b.pk]),
        reverse("api-annual-report", args=[report_b.pk]),
    ]:
        resp = client.get(url)
        assert resp.status_code == 403, url
        assert resp.json()["error"]["code"] == "permission_denied"
    resp = client.patch(
        reverse("api-organization-profile", args=[org_b.pk]),
        {"name": "hijack"},
        content_type="application/json",
    )
    assert resp.status_code == 403
    org_b.refresh_from_db()
    assert org_b.name == "乙志愿者协会"


@pytest.mark.django_db
def test_anonymous_gets_no_private_api(client, org_b):
    assert client.get(reverse("api-organization-members", args=[org_b.pk])).status_code in (401, 403)


@pytest.mark.django_db
def test_own_pages_and_api_work_for_members(client, member_a, org_a):
    report = AnnualReport.objects.create(campaign=make_campaign(2025), organization=org_a)
    client.force_login(member_a)
    assert client.get(reverse("organizations:manage", args=[org_a.pk])).status_code == 200
    assert client.get(reverse("organizations:members", args=[org_a.pk])).status_code == 200
    assert client.get(reverse("organizations:report", args=[report.pk])).status_code == 200
    assert client.get(reverse("api-organization-members", args=[org_a.pk])).json()["count"] == 2
    assert client.get(reverse("api-annual-report", args=[report.pk])).json()["year"] == 2025
    # a plain member reads the profile but may not edit it
    assert client.get(reverse("api-organization-profile", args=[org_a.pk])).status_code == 200
    assert client.get(reverse("organizations:edit", args=[org_a.pk])).status_code == 403
    resp = client.patch(
        reverse("api-organization-profile", args=[org_a.pk]), {"name": "x"}, content_type="application/json"
    )
    assert resp.status_code == 403


@pytest.mark.django_db
def test_owner_patches_profile_through_api(client, owner_a, org_a):
    client.force_login(owner_a)
    resp = client.patch(
        reverse("api-organization-profile", args=[org_a.pk]),
        {"short_name": "甲中心", "phone": "0574-87654321", "service_areas": ["elderly", "disabled"]},
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["short_name"] == "甲中心"
    assert body["phone"] == "057487654321"
    assert sorted(body["service_areas"]) == ["disabled", "elderly"]
    resp = client.patch(
        reverse("api-organization-profile", args=[org_a.pk]),
        {"phone": "123"},
        content_type="application/json",
    )
    assert resp.status_code == 400
    assert "phone" in resp.json()["error"]["details"]


@pytest.mark.django_db
def test_campaign_progress_api_is_staff_only(client, owner_a, staff):
    campaign = make_campaign(2025)
    url = reverse("api-campaign-progress", args=[campaign.pk])
    client.force_login(owner_a)
    assert client.get(url).status_code == 403
    client.force_login(staff)
    body = client.get(url).json()
    assert body["year"] == 2025 and body["by_street"] == [] and body["total"]["enrolled"] == 0


@pytest.mark.django_db
def test_campaign_progress_api_counts_by_street_and_type(client, staff, org_a, org_b):
    campaign = make_campaign(2025)
    AnnualReport.objects.create(campaign=campaign, organization=org_a, status="accepted", result="qualified")
    AnnualReport.objects.create(campaign=campaign, organization=org_b)
    client.force_login(staff)
    body = client.get(reverse("api-campaign-progress", args=[campaign.pk]), HTTP_ACCEPT_LANGUAGE="en").json()
    streets = {
        r["label"]: (r["enrolled"], r["draft"], r["accepted"], r["qualified"]) for r in body["by_street"]
    }
    assert streets == {"南门街道": (1, 0, 1, 1), "月湖街道": (1, 1, 0, 0)}
    types = {r["label"]: r["enrolled"] for r in body["by_type"]}
    assert types == {"Private non-enterprise unit": 1, "Social group": 1}
    assert (body["total"]["enrolled"], body["total"]["draft"], body["total"]["qualified"]) == (2, 1, 1)


@pytest.mark.django_db
def test_staff_pages_refuse_organizations(client, owner_a):
    client.force_login(owner_a)
    for name in ["verify_queue", "campaigns", "grading", "import"]:
        assert client.get(reverse(f"organizations:{name}")).status_code == 403, name


@pytest.mark.django_db
def test_every_api_is_in_the_openapi_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    expected = {
        "/api/v1/organizations/": {"get"},
        "/api/v1/organizations/{id}/": {"get"},
        "/api/v1/organizations/{id}/profile/": {"get", "patch"},
        "/api/v1/organizations/{id}/members/": {"get"},
        "/api/v1/organizations/{id}/annual-reports/": {"get"},
        "/api/v1/annual-reports/{id}/": {"get"},
        "/api/v1/inspection-campaigns/{id}/progress/": {"get"},
    }
    for path, methods in expected.items():
        key = path if path in paths else path.replace("{id}", "{pk}")
        assert key in paths, path
        assert methods <= set(paths[key]), (path, set(paths[key]))
    params = {p["name"] for p in paths["/api/v1/organizations/"]["get"]["parameters"]}
    assert {"q", "org_type", "street", "service_area", "grade", "page"} <= params
