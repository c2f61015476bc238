"""Issue 9 part 2: the admin console is no back door. Workflow and money fields are read-only
in every admin (organizations, ventures, hotline), whoever is logged in, and the history
pages never save an old version."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from center.admin_guard import guarded_admins

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_wednesday")]  # factories read "now"

# model -> fields no admin form may carry for an existing record
LOCKED = {
    "ventures.Application": [
        "status",
        "award_amount",
        "requested_amount",
        "co_funding",
        "review_score",
        "fund",
    ],
    "ventures.Fund": ["budget"],
    "ventures.Installment": ["status", "paid_date", "planned_amount", "trigger"],
    "ventures.Review": ["status", "total", "submitted_at", "reviewer"],
    "ventures.ReviewScore": ["score"],
    "ventures.ConflictDeclaration": ["replacement"],
    "ventures.Objection": ["status", "resolution", "resolved_at"],
    "ventures.Agreement": ["accepted_at", "accepted_by", "terms"],
    "ventures.ProgressReport": ["status", "submitted_at", "due_date"],
    "ventures.Evaluation": ["score", "result"],
    "ventures.BudgetLine": ["amount"],
    "ventures.SpendingLine": ["spent"],
    "hotline.Ticket": ["status", "answer_due", "assigned_unit", "is_overdue", "answered_on_time"],
    "hotline.ExtensionRequest": ["status", "working_days", "new_due", "decided_by"],
    "hotline.Callback": ["result", "objective_reason"],
    "organizations.Organization": ["status", "grade", "grade_valid_until"],
    "organizations.GradingEvaluation": ["status", "total", "grade", "valid_until", "performance"],
    "organizations.AnnualReport": ["status", "result", "income"],
    "organizations.JoinRequest": ["status", "decided_by"],
    "organizations.Membership": ["role"],
    "organizations.ImportBatch": ["status", "imported"],
}
# records only a workflow creates
NO_ADD = [
    "ventures.Installment",
    "ventures.Review",
    "ventures.ReviewScore",
    "ventures.Evaluation",
    "ventures.ProgressReport",
    "ventures.Objection",
    "hotline.Ticket",
    "hotline.ExtensionRequest",
    "hotline.Callback",
    "organizations.GradingEvaluation",
    "organizations.AnnualReport",
]


@pytest.fixture
def root(make_user):
    return make_user("root_guard", role="staff", department="admin", is_staff=True, is_superuser=True)


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.parametrize("label", sorted(LOCKED))
def test_admin_form_never_carries_workflow_or_money_fields(root, label):
    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    request = _request(root)
    obj = model()
    obj.pk = 1
    form = model_admin.get_form(request, obj, change=True)
    assert not set(LOCKED[label]) & set(form.base_fields), label
    assert set(LOCKED[label]) <= set(model_admin.get_readonly_fields(request, obj)), label


@pytest.mark.parametrize("label", NO_ADD)
def test_admin_never_creates_workflow_records(root, label):
    model_admin = admin.site._registry[apps.get_model(label)]
    assert not model_admin.has_add_permission(_request(root))


def test_every_guarded_admin_is_listed_here():
    """A new guarded admin (an incubation booking, say) is covered once it is added above."""
    labels = {m._meta.label for m, _a in guarded_admins()}
    assert labels - set(LOCKED) <= {"ventures.Fund", "ventures.InstallmentRule", "ventures.Milestone"} | {
        label for label in labels if label.split(".")[0] not in ("organizations", "ventures", "hotline")
    }


def _put(data, form, name, prefix=""):
    from django.utils import timezone

    key = f"{prefix}{name}"
    value = form[name].value()
    if value is None or value is False:
        return
    if value is True:
        data[key] = "on"
    elif hasattr(value, "hour"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        data[f"{key}_0"], data[f"{key}_1"] = value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")
    elif hasattr(value, "isoformat"):
        data[key] = value.isoformat()
    elif isinstance(value, (list, tuple)):
        data[key] = [str(getattr(v, "pk", v)) for v in value]
    else:
        data[key] = getattr(value, "pk", value)


def _post_back(client, url, **changes):
    """Post the admin change form back with `changes` on top (the fields a forged form would send)."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        _put(data, form, name)
    for fs in response.context["inline_admin_formsets"]:
        formset = fs.formset
        mgmt = formset.management_form
        for name in mgmt.fields:
            data[f"{formset.prefix}-{name}"] = mgmt[name].value()
        for inline_form in formset.forms:
            for name in inline_form.fields:
                _put(data, inline_form, name, prefix=f"{inline_form.prefix}-")
    data.update(changes)
    return client.post(url, data)


@pytest.fixture
def awarded(make_user):
    from tests.ventures.factories import make_awarded, make_org_user, make_reviewers, make_round
    from ventures import services

    staff = make_user("staff_projects_g", role="staff", department="projects", is_staff=True)
    make_reviewers(3)
    rnd = make_round(staff, reviewers_per_application=3)
    user, org = make_org_user("org_g")
    app = make_awarded(rnd, org, user, staff, amount=Decimal("40000"))
    services.agreement_accept(application=app, user=user)
    return staff, rnd, app


def test_installment_paid_only_through_the_service(client, root, awarded):
    staff, rnd, app = awarded
    last = app.installments.order_by("-order").first()
    client.force_login(root)
    url = reverse("admin:ventures_installment_change", args=[last.pk])
    _post_back(client, url, status="paid", paid_date="2026-01-01", planned_amount="99999")
    last.refresh_from_db()
    assert last.status != "paid" and last.paid_date is None and last.planned_amount < Decimal("99999")


def test_review_scores_and_rubric_frozen_in_the_admin(client, root, awarded):
    staff, rnd, app = awarded
    review = app.reviews.filter(status="submitted").first()
    total = review.total
    client.force_login(root)
    _post_back(
        client, reverse("admin:ventures_review_change", args=[review.pk]), status="assigned", total="1"
    )
    review.refresh_from_db()
    assert review.status == "submitted" and review.total == total
    score = review.scores.first()
    _post_back(client, reverse("admin:ventures_reviewscore_change", args=[score.pk]), score="1")
    score.refresh_from_db()
    assert score.score != Decimal("1")
    crit = rnd.criteria.first()
    _post_back(client, reverse("admin:ventures_criterion_change", args=[crit.pk]), weight="99", name="x")
    crit.refresh_from_db()
    assert crit.weight != 99 and crit.name != "x"
    page = client.get(reverse("admin:ventures_round_change", args=[rnd.pk]))
    criteria = next(
        fs for fs in page.context["inline_admin_formsets"] if fs.formset.model.__name__ == "Criterion"
    )
    assert not criteria.has_change_permission and not criteria.has_add_permission


def test_round_budget_in_the_admin_goes_through_the_service(client, root, awarded):
    staff, rnd, app = awarded
    client.force_login(root)
    url = reverse("admin:ventures_round_change", args=[rnd.pk])
    r = _post_back(client, url, budget="30000")
    assert r.status_code == 200
    assert "40,000" in str(r.context["adminform"].form.errors) or "40000" in str(
        r.context["adminform"].form.errors
    )
    rnd.refresh_from_db()
    assert rnd.budget == Decimal("200000")
    r = _post_back(client, url, budget="250000")
    assert r.status_code == 302
    rnd.refresh_from_db()
    assert rnd.budget == Decimal("250000")


def test_history_pages_never_revert(client, root, awarded):
    staff, rnd, app = awarded
    first = app.installments.order_by("order").first()
    from ventures import services

    services.installment_pay(installment=first, by=staff)
    first.refresh_from_db()
    old = first.history.order_by("history_date").first()
    client.force_login(root)
    url = reverse("admin:ventures_installment_simple_history", args=[first.pk, old.history_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"application": app.pk}).status_code == 403
    first.refresh_from_db()
    assert first.status == "paid"


def test_extension_and_callback_decided_only_on_the_ticket_page(client, root, network, make_user):
    from hotline import services
    from tests.hotline.factories import file_ticket

    ticket = file_ticket()
    dispatcher = make_user("staff_info_g", role="staff", department="info", is_staff=True)
    street = make_user("h_nanmen_g", role="handler", network_unit=network.nanmen)
    services.ticket_dispatch(ticket=ticket, unit=network.nanmen, actor=dispatcher)
    services.ticket_sign_for(ticket=ticket, actor=street)
    ext = services.extension_request(ticket=ticket, actor=street, reason="需协调", working_days=3)
    client.force_login(root)
    new_due = (ext.old_due + timedelta(days=30)).strftime("%Y-%m-%d")
    _post_back(
        client,
        reverse("admin:hotline_extensionrequest_change", args=[ext.pk]),
        status="approved",
        new_due_0=new_due,
    )
    ext.refresh_from_db()
    assert ext.status == "pending" and ext.decided_by is None
    ticket.refresh_from_db()
    assert ticket.answer_due == ext.old_due
    assert client.get(reverse("admin:hotline_callback_add")).status_code == 403


def test_grading_evaluation_scored_only_on_the_grading_pages(client, root, network):
    from organizations.models import GradingEvaluation
    from tests.organizations.factories import make_org

    ev = GradingEvaluation.objects.create(organization=make_org(street=network.nanmen), year=2026)
    client.force_login(root)
    _post_back(
        client,
        reverse("admin:organizations_gradingevaluation_change", args=[ev.pk]),
        status="scored",
        total="99",
        grade="5A",
    )
    ev.refresh_from_db()
    assert ev.total is None and not ev.grade
