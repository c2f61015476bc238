"""Staff actions through the pages, as a member of the Project Management Department uses
them: destructive ones ask for confirmation, refused ones say why and change nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.ventures.factories import make_awarded, make_reviewed, make_submitted
from ventures import selectors
from ventures.models import Application, Installment, Review

pytestmark = pytest.mark.django_db
S = Application.Status


def _en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_terminate_without_reason_refused_with_message(client, rnd, applicant, projects_staff):
    user, org = applicant
    app = make_awarded(rnd, org, user, projects_staff, amount=Decimal("40000"))
    _en(client).force_login(projects_staff)
    page = client.get(reverse("ventures:application_detail", args=[app.pk])).content.decode()
    assert "Terminate this project? Unpaid installments are stopped" in page  # confirmation before the post
    r = client.post(reverse("ventures:terminate", args=[app.pk]), {"reason": "  "}, follow=True)
    assert "Give a reason for the termination." in r.content.decode()
    app.refresh_from_db()
    assert app.status == S.AWARDED
    assert not Installment.objects.filter(application=app, status=Installment.Status.STOPPED).exists()


def test_terminate_through_page_returns_unpaid_money(client, rnd, applicant, projects_staff):
    user, org = applicant
    app = make_awarded(rnd, org, user, projects_staff, amount=Decimal("40000"))
    committed = selectors.fund_committed(rnd.fund_id)
    client.force_login(projects_staff)
    client.post(reverse("ventures:terminate", args=[app.pk]), {"reason": "organization dissolved"})
    app.refresh_from_db()
    assert app.status == S.TERMINATED
    assert selectors.fund_committed(rnd.fund_id) == committed - Decimal("40000")


def test_terminate_refused_to_the_applicant(client, rnd, applicant, projects_staff):
    user, org = applicant
    app = make_awarded(rnd, org, user, projects_staff, amount=Decimal("40000"))
    client.force_login(user)
    page = client.get(reverse("ventures:application_detail", args=[app.pk])).content.decode()
    assert reverse("ventures:terminate", args=[app.pk]) not in page
    assert client.post(reverse("ventures:terminate", args=[app.pk]), {"reason": "x"}).status_code == 403
    app.refresh_from_db()
    assert app.status == S.AWARDED


def test_withdraw_and_not_recommend_through_the_application_page(client, rnd, applicant, projects_staff):
    user, org = applicant
    app = make_reviewed(rnd, org, user, projects_staff)
    url = reverse("ventures:award", args=[app.pk])
    detail = reverse("ventures:application_detail", args=[app.pk])
    _en(client).force_login(projects_staff)
    assert "Do not recommend" in client.get(detail).content.decode()
    client.post(url, {"action": "not_recommend", "next": detail})
    app.refresh_from_db()
    assert app.status == S.NOT_RECOMMENDED
    client.post(url, {"amount": "30000", "next": detail})
    app.refresh_from_db()
    assert app.status == S.RECOMMENDED and app.award_amount == Decimal("30000")
    assert selectors.round_committed(rnd.pk) == Decimal("30000")
    page = client.get(detail).content.decode()
    assert "Withdraw the recommendation? The amount is released back to the round budget." in page
    r = client.post(url, {"action": "withdraw", "next": detail})
    assert r.status_code == 302 and r["Location"] == detail
    app.refresh_from_db()
    assert app.status == S.REVIEWED and app.award_amount is None
    assert selectors.round_committed(rnd.pk) == Decimal("0")


def test_award_over_request_refused_through_page(client, rnd, applicant, projects_staff):
    user, org = applicant
    app = make_reviewed(rnd, org, user, projects_staff, amount=Decimal("40000"))
    _en(client).force_login(projects_staff)
    r = client.post(reverse("ventures:award", args=[app.pk]), {"amount": "40000.01"}, follow=True)
    assert "The award cannot exceed the amount requested (40,000.00 yuan)." in r.content.decode()
    app.refresh_from_db()
    assert app.status == S.REVIEWED and app.award_amount is None


def test_reopen_asks_for_confirmation_and_reopens(client, rnd, applicant, projects_staff):
    user, org = applicant
    app = make_reviewed(rnd, org, user, projects_staff)
    review = app.reviews.filter(status=Review.Status.SUBMITTED).first()
    _en(client).force_login(projects_staff)
    page = client.get(reverse("ventures:application_detail", args=[app.pk])).content.decode()
    assert "Reopen this submitted review?" in page
    client.post(reverse("ventures:review_reopen", args=[review.pk]))
    review.refresh_from_db()
    app.refresh_from_db()
    assert review.status == Review.Status.ASSIGNED and review.total is None and app.status == S.IN_REVIEW


def test_round_applications_filters_and_empty_state(client, rnd, applicant, projects_staff):
    user, org = applicant
    a = make_submitted(rnd, org, user, title="筛选甲", category="elderly")
    b = make_submitted(rnd, org, user, title="筛选乙", category="poor")
    _en(client).force_login(projects_staff)
    url = reverse("ventures:round_applications", args=[rnd.pk])
    page = client.get(url, {"category": "poor"}).content.decode()
    assert b.title in page and a.title not in page
    assert 'name="round"' not in page  # the round is the page's, not a filter
    page = client.get(url, {"status": "awarded"}).content.decode()
    assert "No application matches these filters." in page and a.title not in page


def test_objection_resolution_asks_for_confirmation(client, rnd, applicant, projects_staff):
    from ventures import services

    user, org = applicant
    app = make_reviewed(rnd, org, user, projects_staff)
    services.award_approve(application=app, amount=app.requested_amount, by=projects_staff)
    services.notice_publish(round=rnd, by=projects_staff)
    services.objection_file(application=app, name="张三", contact="13800000000", reason="重复申报")
    _en(client).force_login(projects_staff)
    page = client.get(reverse("ventures:manage")).content.decode()
    assert "Upholding it withdraws the award" in page and "重复申报" in page


def test_manage_queues_show_totals_and_say_when_cut_off(client, rnd, applicant, projects_staff, monkeypatch):
    from ventures import views

    user, org = applicant
    apps = [make_submitted(rnd, org, user, title=f"排队{i}") for i in range(3)]
    _en(client).force_login(projects_staff)
    page = client.get(reverse("ventures:manage")).content.decode()
    assert "To screen (3)" in page and "Each queue shows its oldest" not in page
    monkeypatch.setattr(views, "MANAGE_QUEUE", 2)
    page = client.get(reverse("ventures:manage")).content.decode()
    assert "To screen (3)" in page and "Each queue shows its oldest 2 items" in page
    assert apps[0].title in page and apps[1].title in page and apps[2].title not in page  # oldest first
