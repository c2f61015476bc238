"""The budget table: rows posted as lists, amounts with thousands separators (ASCII and
full-width), every bad row named at the field, and a 合计 row on the pages that show a budget."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.ventures.factories import make_draft
from ventures.forms import parse_amount
from ventures.models import Application, BudgetLine

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text,value",
    [
        ("24,000", "24000"),
        ("２４，０００", "24000"),
        ("24 000.50", "24000.50"),
        ("¥24,000", "24000"),
        ("24000元", "24000"),
        ("１２，３４５．６７", "12345.67"),
    ],
)
def test_parse_amount_accepts_what_people_type(text, value):
    assert parse_amount(text) == Decimal(value)


def _data(org, items, amounts, requested="40000"):
    return {
        "organization": org.pk,
        "category": "elderly",
        "title": "银龄互助",
        "summary": "s",
        "need": "n",
        "target_group": "elderly",
        "activity_plan": "plan",
        "duration_months": 12,
        "requested_amount": requested,
        "co_funding": "0",
        "expected_direct": 100,
        "expected_indirect": 300,
        "budget_text-item": items,
        "budget_text-amount": amounts,
        "milestones_text": "3 ; start\n12 ; end",
    }


def test_budget_table_rows_with_separators_are_saved(client, rnd, applicant):
    user, org = applicant
    client.force_login(user)
    r = client.post(
        reverse("ventures:application_new", args=[rnd.pk]),
        _data(org, ["活动费", "人员费", ""], ["24,000", "１６，０００", ""]),
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    app = Application.objects.get(title="银龄互助")
    assert sorted(BudgetLine.objects.filter(application=app).values_list("item", "amount")) == [
        ("人员费", Decimal("16000")),
        ("活动费", Decimal("24000")),
    ]


def test_bad_amount_is_named_at_the_budget_and_nothing_is_written(client, rnd, applicant):
    user, org = applicant
    client.force_login(user)
    r = client.post(
        reverse("ventures:application_new", args=[rnd.pk]),
        _data(org, ["活动费", "人员费"], ["24,000", "一万"]),
    )
    assert r.status_code == 200
    assert Application.objects.count() == 0
    html = r.content.decode()
    assert "第 2 行：“一万”不是金额" in html
    # the rows come back as typed
    assert 'value="一万"' in html and 'value="24,000"' in html


def test_form_shows_a_table_with_total_row_and_script(client, rnd, applicant):
    user, org = applicant
    client.force_login(user)
    html = client.get(reverse("ventures:application_new", args=[rnd.pk])).content.decode()
    assert 'class="budget-table"' in html and "data-budget-add" in html
    assert '<tr class="total"><th scope="row">合计</th>' in html
    assert "js/budget.js" in html
    assert "separate the two parts" not in html


def test_edit_form_shows_saved_lines_with_separators(client, rnd, applicant):
    user, org = applicant
    app = make_draft(rnd, org, user)
    client.force_login(user)
    html = client.get(reverse("ventures:application_edit", args=[app.pk])).content.decode()
    line = app.budget_lines.first()
    assert f'value="{line.amount:,.2f}"' in html


def test_application_page_has_a_total_row_in_both_languages(client, rnd, applicant):
    user, org = applicant
    app = make_draft(rnd, org, user)
    client.force_login(user)
    url = reverse("ventures:application_detail", args=[app.pk])
    html = client.get(url).content.decode()
    assert '<tr class="total"><th scope="row">合计</th><td class="num money">¥40,000.00</td>' in html
    client.cookies["django_language"] = "en"
    html = client.get(url).content.decode()
    assert '<tr class="total"><th scope="row">Total</th><td class="num money">¥40,000.00</td>' in html


def test_old_text_box_format_still_understood(client, rnd, applicant):
    user, org = applicant
    client.force_login(user)
    data = _data(org, [], [])
    del data["budget_text-item"], data["budget_text-amount"]
    data["budget_text"] = "活动费 ； 24,000\n人员费 ; 16000"
    r = client.post(reverse("ventures:application_new", args=[rnd.pk]), data)
    assert r.status_code == 302
