"""The applicant's side: drafts, budget rules, attachments by content, the call's closing
time, more-information answers, and organization A refused on B's application."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from center.errors import DomainError
from tests.factories import WEDNESDAY
from tests.queries import assert_constant_queries
from tests.ventures.factories import make_draft, make_round, make_submitted
from ventures import services
from ventures.models import Application, Attachment, BudgetLine

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def _form_data(org, **over):
    data = {
        "organization": org.pk,
        "category": "elderly",
        "title": "银龄互助",
        "summary": "s",
        "need": "n",
        "target_group": "elderly",
        "activity_plan": "plan",
        "duration_months": 12,
        "requested_amount": "40000",
        "co_funding": "0",
        "expected_direct": 100,
        "expected_indirect": 300,
        "budget_text": "activities ; 30000\nstaff ; 10000",
        "milestones_text": "3 ; start\n12 ; end",
        "team_text": "王芳 ; project lead",
    }
    data.update(over)
    return data


def test_apply_save_draft_and_submit_through_pages(client, rnd, applicant):
    user, org = applicant
    client.force_login(user)
    r = client.post(reverse("ventures:application_new", args=[rnd.pk]), _form_data(org))
    assert r.status_code == 302
    app = Application.objects.get(title="银龄互助")
    assert app.status == "draft" and app.team == [{"name": "王芳", "role": "project lead"}]
    assert sorted(BudgetLine.objects.filter(application=app).values_list("amount", flat=True)) == [
        10000,
        30000,
    ]
    r = client.post(reverse("ventures:application_submit", args=[app.pk]), follow=True)
    app.refresh_from_db()
    assert app.status == "submitted" and app.submitted_at
    assert client.get(reverse("ventures:my_applications")).content.decode().count("银龄互助") == 1


def test_budget_lines_must_sum_to_request(client, rnd, applicant):
    user, org = applicant
    app = make_draft(rnd, org, user)
    BudgetLine.objects.filter(application=app).first().delete()
    with pytest.raises(DomainError) as err:
        services.application_submit(application=app, user=user)
    assert err.value.code == "incomplete"
    app.refresh_from_db()
    assert app.status == "draft"


def test_request_over_cap_refused_with_message(client, rnd, applicant):
    user, org = applicant
    client.force_login(user)
    r = client.post(
        reverse("ventures:application_new", args=[rnd.pk]),
        _form_data(org, requested_amount="60000", budget_text="a ; 60000"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 200
    assert r.context["form"].errors["requested_amount"] == ["At most 50,000.00 yuan."]
    assert not Application.objects.exists()


def test_late_submission_refused_with_clear_message(client, projects_staff, applicant):
    user, org = applicant
    now = WEDNESDAY
    rnd = make_round(projects_staff, opens=now - timedelta(days=5), closes=now + timedelta(hours=1))
    app = make_draft(rnd, org, user)
    with pytest.raises(DomainError) as err:
        services.application_submit(application=app, user=user, now=now + timedelta(hours=1, seconds=1))
    assert err.value.code == "call_closed"
    # through the page, with the server's clock past the closing time
    rnd.call_closes = now - timedelta(minutes=1)
    rnd.save()
    client.force_login(user)
    r = client.post(reverse("ventures:application_submit", args=[app.pk]), follow=True)
    app.refresh_from_db()
    assert app.status == "draft"
    assert any("closed" in str(m) or "截止" in str(m) for m in r.context["messages"])


def test_submission_just_before_closing_accepted(projects_staff, applicant):
    user, org = applicant
    now = WEDNESDAY
    rnd = make_round(projects_staff, opens=now - timedelta(days=5), closes=now + timedelta(hours=1))
    app = make_draft(rnd, org, user)
    app = services.application_submit(application=app, user=user, now=now + timedelta(minutes=59))
    assert app.status == "submitted"


def test_pdf_accepted_and_renamed_exe_refused(client, rnd, applicant):
    user, org = applicant
    app = make_draft(rnd, org, user)
    client.force_login(user)
    url = reverse("ventures:attachment_upload", args=[app.pk])
    client.post(url, {"file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")})
    assert Attachment.objects.filter(application=app, mime="application/pdf").count() == 1
    r = client.post(
        url, {"file": SimpleUploadedFile("budget.pdf", EXE, content_type="application/pdf")}, follow=True
    )
    assert Attachment.objects.filter(application=app).count() == 1
    assert any("budget.pdf" in str(m) for m in r.context["messages"])


def test_more_information_answered(client, rnd, applicant, projects_staff):
    user, org = applicant
    app = make_submitted(rnd, org, user)
    services.screening_request_info(application=app, by=projects_staff, request_text="Add the team's CVs")
    client.force_login(user)
    page = client.get(reverse("ventures:application_detail", args=[app.pk])).content.decode()
    assert "Add the team&#x27;s CVs" in page or "Add the team's CVs" in page
    client.post(reverse("ventures:application_submit", args=[app.pk]), {"answer": "uploaded"})
    app.refresh_from_db()
    assert app.status == "submitted" and app.info_answer == "uploaded"


def test_organization_a_refused_on_b_application_pages(client, rnd, applicant, other_applicant):
    user_a, org_a = applicant
    user_b, org_b = other_applicant
    app_b = make_draft(rnd, org_b, user_b, title="B的项目")
    client.force_login(user_a)
    for name in ("application_detail", "application_edit"):
        assert client.get(reverse(f"ventures:{name}", args=[app_b.pk])).status_code == 404
    assert client.post(reverse("ventures:application_submit", args=[app_b.pk])).status_code == 404
    assert (
        client.post(
            reverse("ventures:attachment_upload", args=[app_b.pk]), {"file": SimpleUploadedFile("a.pdf", PDF)}
        ).status_code
        == 404
    )
    assert "B的项目" not in client.get(reverse("ventures:my_applications")).content.decode()
    app_b.refresh_from_db()
    assert app_b.status == "draft" and not app_b.attachments.exists()


def test_organization_a_refused_on_b_application_api(client, rnd, applicant, other_applicant):
    user_a, org_a = applicant
    user_b, org_b = other_applicant
    app_b = make_draft(rnd, org_b, user_b)
    client.force_login(user_a)
    assert client.get(f"/api/v1/ventures/applications/{app_b.pk}/").status_code == 404
    assert client.post(f"/api/v1/ventures/applications/{app_b.pk}/submit/").status_code == 404
    listing = client.get("/api/v1/ventures/applications/").json()
    assert listing["count"] == 0
    # creating an application in B's name is refused too
    r = client.post(
        "/api/v1/ventures/applications/create/",
        {
            "round": rnd.pk,
            "organization": org_b.pk,
            "category": "elderly",
            "title": "x",
            "duration_months": 12,
            "requested_amount": "10000",
            "budget_lines": [{"item": "a", "amount": "10000"}],
        },
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    app_b.refresh_from_db()
    assert app_b.status == "draft"


def test_api_create_and_submit(client, rnd, applicant):
    user, org = applicant
    client.force_login(user)
    r = client.post(
        "/api/v1/ventures/applications/create/",
        {
            "round": rnd.pk,
            "organization": org.pk,
            "category": "poor",
            "title": "济困",
            "duration_months": 10,
            "requested_amount": "20000",
            "budget_lines": [{"item": "a", "amount": "15000"}, {"item": "b", "amount": "5000"}],
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    pk = r.json()["id"]
    r = client.post(f"/api/v1/ventures/applications/{pk}/submit/")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert client.get(f"/api/v1/ventures/applications/{pk}/").json()["budget_lines"][0]["item"] == "a"


def test_my_applications_constant_queries(client, rnd, applicant):
    user, org = applicant
    make_draft(rnd, org, user)
    client.force_login(user)

    def grow():
        for _ in range(4):
            make_draft(rnd, org, user)

    assert_constant_queries(lambda: client.get(reverse("ventures:my_applications")), grow)
    assert_constant_queries(lambda: client.get("/api/v1/ventures/applications/"), grow)


def test_public_pages(client, rnd):
    assert rnd.title in client.get(reverse("ventures:round_list")).content.decode()
    assert client.get(reverse("ventures:round_detail", args=[rnd.pk])).status_code == 200
    assert client.get(reverse("ventures:awarded_list")).status_code == 200


def test_non_member_cannot_apply(client, rnd, make_user):
    lonely = make_user("lonely", role="organization")
    client.force_login(lonely)
    r = client.get(reverse("ventures:application_new", args=[rnd.pk]))
    assert r.status_code == 302
    assert not Application.objects.exists()


def test_attachment_over_10_mb_refused(client, rnd, applicant):
    user, org = applicant
    app = make_draft(rnd, org, user)
    client.force_login(user)
    big = PDF + b"0" * (10 * 1024 * 1024)
    r = client.post(
        reverse("ventures:attachment_upload", args=[app.pk]),
        {"file": SimpleUploadedFile("big.pdf", big, content_type="application/pdf")},
        follow=True,
    )
    assert not Attachment.objects.filter(application=app).exists()
    assert any("10" in str(m) for m in r.context["messages"])


def test_attachment_refused_after_submission_until_information_requested(
    client, rnd, applicant, projects_staff
):
    """Reviewers all judge the same file set: no attachment once submitted, except when
    screening asks for more information."""
    user, org = applicant
    app = make_submitted(rnd, org, user)
    client.force_login(user)
    url = reverse("ventures:attachment_upload", args=[app.pk])
    r = client.post(
        url, {"file": SimpleUploadedFile("late.pdf", PDF)}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert not Attachment.objects.filter(application=app).exists()
    assert any("only be added while the application is a draft" in str(m) for m in r.context["messages"])
    services.screening_request_info(application=app, by=projects_staff, request_text="请补充章程")
    client.post(url, {"file": SimpleUploadedFile("charter.pdf", PDF)})
    assert Attachment.objects.filter(application=app, name="charter.pdf").count() == 1


def test_community_must_lie_in_the_chosen_street(client, rnd, applicant, network):
    user, org = applicant
    from center.models import NetworkUnit

    streets = list(NetworkUnit.objects.filter(level="street")[:2])
    other_community = NetworkUnit.objects.filter(level="community", parent=streets[1]).first()
    own_community = NetworkUnit.objects.filter(level="community", parent=streets[0]).first()
    client.force_login(user)
    url = reverse("ventures:application_new", args=[rnd.pk])
    r = client.post(
        url, _form_data(org, street=streets[0].pk, community=other_community.pk), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 200 and "This community is not in the chosen street / town." in r.content.decode()
    assert not Application.objects.filter(round=rnd).exists()
    # a community alone implies its street
    client.post(url, _form_data(org, community=own_community.pk))
    app = Application.objects.get(round=rnd)
    assert app.street_id == streets[0].pk and app.community_id == own_community.pk


def test_apply_page_of_a_closed_call_says_so(client, projects_staff, applicant):
    user, org = applicant
    now = WEDNESDAY
    closed = make_round(projects_staff, opens=now - timedelta(days=20), closes=now - timedelta(days=1))
    client.force_login(user)
    r = client.get(
        reverse("ventures:application_new", args=[closed.pk]), HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert r.redirect_chain[-1][0] == reverse("ventures:round_detail", args=[closed.pk])
    assert "This call is not open for applications." in r.content.decode()
    r = client.post(reverse("ventures:application_new", args=[closed.pk]), _form_data(org))
    assert not Application.objects.filter(round=closed).exists()


def test_submitted_application_cannot_be_edited(client, rnd, applicant):
    user, org = applicant
    app = make_submitted(rnd, org, user, title="已提交项目")
    client.force_login(user)
    url = reverse("ventures:application_edit", args=[app.pk])
    r = client.get(url, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert r.redirect_chain[-1][0] == reverse("ventures:application_detail", args=[app.pk])
    assert "Only a draft can be edited." in r.content.decode()
    client.post(url, {k: v for k, v in _form_data(org, title="改过的").items() if k != "organization"})
    app.refresh_from_db()
    assert app.title == "已提交项目"


def test_draft_history_starts_with_its_creation(client, rnd, applicant):
    user, org = applicant
    app = make_draft(rnd, org, user)
    client.force_login(user)
    page = client.get(reverse("ventures:application_detail", args=[app.pk])).content.decode()
    history = page.split("<h2>历史</h2>", 1)[1]
    assert "草稿创建" in history.split("</ol>", 1)[0]
