"""One definition of committed money: the budget check, the funds list, the round dashboard
and the home figure agree, and a terminated project counts only what was paid."""

from decimal import Decimal

import pytest
from django.db.models import Q

from tests.ventures.factories import make_awarded
from ventures import selectors, services
from ventures.contributions import _money_awarded
from ventures.models import Installment, InstallmentStatusChange

pytestmark = pytest.mark.django_db


def test_terminated_project_counts_what_was_paid_everywhere(rnd, applicant, other_applicant, projects_staff):
    user, org = applicant
    kept = make_awarded(rnd, *other_applicant[::-1], projects_staff, amount=Decimal("30000"))
    app = make_awarded(rnd, org, user, projects_staff, amount=Decimal("40000"))
    services.agreement_accept(application=app, user=user)
    first = app.installments.get(order=0)
    services.installment_pay(installment=first, by=projects_staff)  # 50 %: 20,000.00
    services.application_terminate(application=app, by=projects_staff, reason="停止执行")

    expected = Decimal("30000") + Decimal("20000.00")
    dashboard = selectors.round_dashboard(rnd.pk)
    assert dashboard["totals"]["money_awarded"] == expected
    assert sum(row["money"] for row in dashboard["by_category"]) == expected
    assert selectors.round_committed(rnd.pk) == expected
    fund = kept.fund or rnd.fund
    assert selectors.fund_list().get(pk=fund.pk).awarded == selectors.fund_committed(fund.pk) == expected
    assert _money_awarded() == f"{expected:,.0f}"  # the home figure
    assert selectors.money_committed(Q(round_id=rnd.pk)) == expected

    # stopped money left audit rows (who, why), one per stopped installment
    stopped = Installment.objects.filter(application=app, status=Installment.Status.STOPPED)
    assert stopped.count() == 2
    rows = InstallmentStatusChange.objects.filter(installment__in=stopped)
    assert sorted(r.to_status for r in rows) == ["stopped", "stopped"]
    assert {(r.by, r.reason) for r in rows} == {(projects_staff, "停止执行")}
    paid_row = InstallmentStatusChange.objects.get(installment=first)
    assert (paid_row.from_status, paid_row.to_status, paid_row.by) == ("planned", "paid", projects_staff)
