"""Round and fund configuration by projects staff."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from center.errors import DomainError, PermissionDeniedError
from tests.ventures.factories import make_fund, make_round
from ventures import services
from ventures.models import Fund, Round

pytestmark = pytest.mark.django_db


def test_defaults_rubric_and_schedule(projects_staff):
    rnd = make_round(projects_staff)
    assert sum(rnd.criteria.values_list("weight", flat=True)) == 100
    assert list(rnd.installment_rules.values_list("percent", "trigger")) == [
        (50, "signing"),
        (30, "midterm_passed"),
        (20, "final_passed"),
    ]
    assert (
        rnd.cap,
        rnd.notice_working_days,
        rnd.reviewers_per_application,
        rnd.min_months,
        rnd.max_months,
    ) == (Decimal("50000"), 7, 5, 6, 12)


def test_weights_must_sum_to_100(projects_staff):
    rnd = make_round(projects_staff)
    with pytest.raises(DomainError) as err:
        services.round_rubric_set(round=rnd, criteria=[("a", 50), ("b", 40)])
    assert err.value.code == "weights"
    assert sum(rnd.criteria.values_list("weight", flat=True)) == 100
    with pytest.raises(DomainError):
        services.round_schedule_set(round=rnd, rules=[(50, "signing"), (30, "final_passed")])


def test_round_form_page(client, projects_staff):
    fund = make_fund()
    client.force_login(projects_staff)
    now = timezone.localtime()
    data = {
        "fund": fund.pk,
        "year": 2027,
        "title": "新一轮",
        "categories": ["elderly", "poor"],
        "cap": "50000",
        "budget": "800000",
        "call_opens": now.strftime("%Y-%m-%dT%H:%M"),
        "call_closes": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "notice_working_days": 7,
        "min_months": 6,
        "max_months": 12,
        "reviewers_per_application": 5,
        "blind_review": "on",
        "require_verified": "on",
        "exclude_abnormal": "on",
        "no_double_funding": "on",
        "rubric_text": "需求 ; 60\n设计 ; 30",
        "schedule_text": "50 ; signing\n30 ; midterm_passed\n20 ; final_passed",
    }
    r = client.post(reverse("ventures:round_new"), data)
    assert r.status_code == 200 and not Round.objects.exists()  # weights sum to 90
    data["rubric_text"] = "需求 ; 60\n设计 ; 40"
    r = client.post(reverse("ventures:round_new"), data)
    assert r.status_code == 302
    rnd = Round.objects.get(title="新一轮")
    assert list(rnd.criteria.values_list("name", "weight")) == [("需求", 60), ("设计", 40)]
    assert rnd.categories == ["elderly", "poor"]
    assert client.get(reverse("ventures:round_edit", args=[rnd.pk])).status_code == 200


def test_round_config_refused_to_other_staff(client, make_user):
    info = make_user("staff_info_t", role="staff", department="info")
    client.force_login(info)
    assert client.get(reverse("ventures:round_new")).status_code == 403
    with pytest.raises(PermissionDeniedError):
        services.fund_create(by=info, name="x", source="social_work", year=2031, budget=Decimal("1"))
    assert not Fund.objects.exists()


def test_fund_page(client, projects_staff):
    client.force_login(projects_staff)
    r = client.post(
        reverse("ventures:fund_new"),
        {"name": "社会工作专项经费", "source": "social_work", "year": 2026, "budget": "300000"},
    )
    assert r.status_code == 302
    assert Fund.objects.get(source="social_work", year=2026).budget == Decimal("300000")
    page = client.get(reverse("ventures:manage")).content.decode()
    assert "300000" in page.replace(",", "")


def test_admin_refuses_rubric_not_summing_to_100(client, make_user):
    _admin_rubric_refused(client, make_user)


def _admin_rubric_refused(client, make_user):
    staff = make_user("su_t", role="staff", department="admin", is_staff=True, is_superuser=True)
    rnd = make_round(staff)
    crits = list(rnd.criteria.all())
    rules = list(rnd.installment_rules.all())
    client.force_login(staff)
    url = reverse("admin:ventures_round_change", args=[rnd.pk])
    assert client.get(url).status_code == 200
    data = {
        "fund": rnd.fund_id,
        "year": rnd.year,
        "title": rnd.title,
        "description": "",
        "categories": '["elderly"]',
        "cap": "50000",
        "budget": "200000",
        "call_opens_0": timezone.localtime(rnd.call_opens).strftime("%Y-%m-%d"),
        "call_opens_1": "09:00:00",
        "call_closes_0": timezone.localtime(rnd.call_closes).strftime("%Y-%m-%d"),
        "call_closes_1": "17:00:00",
        "notice_working_days": 7,
        "min_months": 6,
        "max_months": 12,
        "reviewers_per_application": 5,
        "created_at_0": "2026-01-01",
        "created_at_1": "00:00:00",
        "criteria-TOTAL_FORMS": len(crits),
        "criteria-INITIAL_FORMS": len(crits),
        "installment_rules-TOTAL_FORMS": len(rules),
        "installment_rules-INITIAL_FORMS": len(rules),
    }
    for i, c in enumerate(crits):
        data.update(
            {
                f"criteria-{i}-id": c.pk,
                f"criteria-{i}-round": rnd.pk,
                f"criteria-{i}-name": c.name,
                f"criteria-{i}-weight": c.weight + (1 if i == 0 else 0),
                f"criteria-{i}-order": i,
            }
        )
    for i, r in enumerate(rules):
        data.update(
            {
                f"installment_rules-{i}-id": r.pk,
                f"installment_rules-{i}-round": rnd.pk,
                f"installment_rules-{i}-order": i,
                f"installment_rules-{i}-percent": r.percent,
                f"installment_rules-{i}-trigger": r.trigger,
            }
        )
    r = client.post(url, data)
    assert r.status_code == 200  # re-shown with the error
    errors = [str(e) for fs in r.context["inline_admin_formsets"] for e in fs.formset.non_form_errors()]
    assert any("101" in e for e in errors), errors
    assert sum(rnd.criteria.values_list("weight", flat=True)) == 100
    return url, data


def test_admin_cannot_break_the_money_rules(client, make_user, applicant, reviewers):
    """The admin is no back door: a round's budget cannot fall below its awards, and an
    application's status, award and installments are read-only there."""
    from tests.ventures.factories import make_awarded

    url, data = _admin_rubric_refused(client, make_user)
    rnd = Round.objects.get()
    su = make_user("su_t2", role="staff", department="admin", is_staff=True, is_superuser=True)
    user, org = applicant
    app = make_awarded(rnd, org, user, su, amount=Decimal("40000"), scores=(80,) * 5)
    client.force_login(su)
    data["criteria-0-weight"] = int(data["criteria-0-weight"]) - 1  # the rubric is fine now
    data["budget"] = "30000"
    r = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "already committed to awards" in str(r.context["adminform"].form.errors)
    rnd.refresh_from_db()
    assert rnd.budget == Decimal("200000")
    form = client.get(reverse("admin:ventures_application_change", args=[app.pk])).context["adminform"].form
    assert not {"status", "award_amount", "fund"} & set(form.fields)
    inline = client.get(reverse("admin:ventures_application_change", args=[app.pk])).context[
        "inline_admin_formsets"
    ]
    installments = next(fs for fs in inline if fs.formset.model.__name__ == "Installment")
    assert not {"status", "paid_date", "planned_amount"} & set(installments.formset.forms[0].fields)


def _edit_data(client, rnd):
    """The round's edit form as the page renders it (what staff post back unchanged)."""
    form = client.get(reverse("ventures:round_edit", args=[rnd.pk])).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if hasattr(value, "hour"):
            value = (timezone.localtime(value) if timezone.is_aware(value) else value).strftime(
                "%Y-%m-%dT%H:%M"
            )
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    return data


def test_schedule_shown_and_accepted_in_words(client, projects_staff):
    rnd = make_round(projects_staff)
    client.force_login(projects_staff)
    data = _edit_data(client, rnd)
    assert data["schedule_text"].splitlines() == [
        "50 ; 签订协议后",
        "30 ; 中期评估通过后",
        "20 ; 结项评估通过后",
    ]
    data["schedule_text"] = "60 ; 签订协议后\n40 ; 结项评估通过后"
    r = client.post(reverse("ventures:round_edit", args=[rnd.pk]), data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    assert list(rnd.installment_rules.values_list("percent", "trigger")) == [
        (60, "signing"),
        (40, "final_passed"),
    ]
    data["schedule_text"] = "60 ; 随时\n40 ; final_passed"
    r = client.post(reverse("ventures:round_edit", args=[rnd.pk]), data)
    assert r.status_code == 200 and "“随时”" in r.content.decode()
    assert rnd.installment_rules.count() == 2


def test_budget_cannot_drop_below_committed(client, projects_staff, applicant, reviewers):
    from tests.ventures.factories import make_reviewed

    user, org = applicant
    rnd = make_round(projects_staff, budget=Decimal("100000"), reviewers_per_application=3)
    app = make_reviewed(rnd, org, user, projects_staff, amount=Decimal("40000"))
    services.award_approve(application=app, amount=Decimal("40000"), by=projects_staff)
    client.force_login(projects_staff)
    data = _edit_data(client, rnd)
    data["budget"] = "39999"
    r = client.post(
        reverse("ventures:round_edit", args=[rnd.pk]), data, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert (
        "The budget cannot be lower than the 40,000.00 yuan already committed to awards."
        in r.content.decode()
    )
    rnd.refresh_from_db()
    assert rnd.budget == Decimal("100000")
    data["budget"] = "40000"
    assert client.post(reverse("ventures:round_edit", args=[rnd.pk]), data).status_code == 302
    rnd.refresh_from_db()
    assert rnd.budget == Decimal("40000")


def test_admin_edit_keeps_status_and_score_written_meanwhile(client, make_user, applicant, reviewers):
    from tests.ventures.factories import make_reviewed
    from ventures.admin import ApplicationAdmin
    from ventures.models import Application

    su = make_user("su_t3", role="staff", department="admin", is_staff=True, is_superuser=True)
    user, org = applicant
    rnd = make_round(su, reviewers_per_application=3)
    app = make_reviewed(rnd, org, user, su, scores=(80, 70, 60))
    stale = Application.objects.get(pk=app.pk)
    services.award_approve(
        application=app, amount=Decimal("30000"), by=su
    )  # happens while the admin form is open
    stale.summary = "edited in the admin"
    from django.contrib.admin.sites import site

    ApplicationAdmin(Application, site).save_model(None, stale, None, change=True)
    app.refresh_from_db()
    assert app.summary == "edited in the admin"
    assert (
        app.status == "recommended"
        and app.award_amount == Decimal("30000")
        and app.review_score == Decimal("70")
    )
