"""Money is never negative, even for a write that skips the services (bulk_create, update(),
a hand-written migration): the database refuses it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.factories import UserFactory
from tests.ventures.factories import make_draft, make_org_user, make_round
from ventures.models import Application, BudgetLine, Round

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_wednesday")]  # factories read "now"


@pytest.fixture
def draft(network):
    staff = UserFactory.make("m_projects", role="staff", department="projects", is_staff=True)
    user, org = make_org_user("m_applicant")
    return make_draft(make_round(staff), org, user)


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Application, "co_funding", Decimal("-99999")),
        (Application, "requested_amount", Decimal("-1")),
        (Round, "budget", Decimal("-0.01")),
        (Round, "cap", Decimal("-5")),
    ],
)
def test_negative_amount_refused_by_the_database(draft, model, field, value):
    row = draft if model is Application else draft.round
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: value})
    row.refresh_from_db()
    assert getattr(row, field) >= 0  # nothing written


def test_bulk_created_negative_budget_line_refused(draft):
    before = list(draft.budget_lines.values_list("amount", flat=True))
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(application=draft, item="a", amount=Decimal("150000")),
                BudgetLine(application=draft, item="b", amount=Decimal("-100000")),
            ]
        )
    assert list(draft.budget_lines.values_list("amount", flat=True)) == before
