"""Excel exports staff open directly: agreements, waivers granted with their money value per
year, the service log. Read back with openpyxl; text a spreadsheet would run as a formula is
written as plain text; only the operations department downloads them."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from incubation.models import Incubatee, ServiceLogEntry, Waiver
from tests.incubation.factories import TODAY, make_agreement

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil.example/","点我")'


def _sheets(response) -> dict[str, list[tuple]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''incubation-")
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


@pytest.fixture
def data(spaces, incubatee, other_incubatee, ops):
    """An agreement of an organization whose name is a formula, with a rent waiver across two
    years; a virtual agreement; two service log entries."""
    _user, inc = incubatee
    Incubatee.objects.filter(pk=inc.pk).update(name=EVIL)
    inc.refresh_from_db()
    agreement = make_agreement(inc, spaces.office1, starts_on=date(2026, 5, 1), ends_on=date(2027, 4, 30))
    Waiver.objects.create(
        agreement=agreement,
        item="rent",
        percent=Decimal("50"),
        monthly_value=Decimal("2000"),
        starts_on=date(2026, 11, 1),
        ends_on=date(2027, 2, 28),
    )
    Waiver.objects.create(
        agreement=agreement,
        item="water",
        percent=Decimal("100"),
        monthly_value=Decimal("100"),
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
    )
    virtual = make_agreement(other_incubatee[1], None, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    ServiceLogEntry.objects.create(
        incubatee=inc,
        kind="mentoring",
        date=TODAY,
        hours=Decimal("2.5"),
        given_by=ops,
        summary="-1+1 财务辅导",
        outcome="@建立了账册",
    )
    ServiceLogEntry.objects.create(
        incubatee=other_incubatee[1],
        kind="funder_intro",
        date=date(2026, 5, 20),
        hours=1,
        expert="陈老师",
        summary="对接基金会",
    )
    return agreement, virtual


def test_agreements_export(client, ops, data):
    agreement, virtual = data
    client.force_login(ops)
    sheets = _sheets(client.get(reverse("incubation:export_agreements")))
    rows = sheets["协议"]
    assert rows[0] == ("编号", "入驻组织", "空间", "开始日期", "到期日期", "状态", "押金", "续期")
    by_number = {r[0]: r for r in rows[1:]}
    assert set(by_number) == {agreement.number, virtual.number}
    row = by_number[agreement.number]
    assert row[1] == "'" + EVIL  # a formula stays text
    assert row[2] == "A101" and row[5] == "生效中" and row[7] == 0
    assert row[3].date() == date(2026, 5, 1) and row[4].date() == date(2027, 4, 30)
    assert by_number[virtual.number][2] == "虚拟"


def test_waivers_export_has_the_money_value_per_year(client, ops, data):
    agreement, _virtual = data
    client.force_login(ops)
    sheets = _sheets(client.get(reverse("incubation:export_waivers")))
    rows = sheets["减免"]
    assert rows[0] == (
        "协议",
        "入驻组织",
        "项目",
        "减免比例（%）",
        "月费用",
        "从",
        "直到",
        "年度",
        "减免金额",
    )
    rent = [r for r in rows[1:] if r[2] == "租金"]
    # 50 % of 2,000 a month: November and December 2026, then January and February 2027
    assert [(r[7], Decimal(str(r[8]))) for r in rent] == [(2026, Decimal("2000")), (2027, Decimal("2000"))]
    assert rent[0][0] == agreement.number and rent[0][1] == "'" + EVIL
    assert Decimal(str(rent[0][3])) == Decimal("50") and Decimal(str(rent[0][4])) == Decimal("2000")
    totals = sheets["按年度减免金额"]
    assert totals[0] == ("年度", "项目", "减免金额")
    assert {(r[0], r[1]): Decimal(str(r[2])) for r in totals[1:]} == {
        (2026, "水费"): Decimal("100"),
        (2026, "租金"): Decimal("2000"),
        (2027, "租金"): Decimal("2000"),
    }


def test_service_log_export(client, ops, data):
    client.force_login(ops)
    rows = _sheets(client.get(reverse("incubation:export_service_log")))["孵化服务记录"]
    assert rows[0] == ("日期", "入驻组织", "类型", "小时", "提供人", "服务内容", "服务成效")
    mine = next(r for r in rows[1:] if r[1] == "'" + EVIL)
    assert mine[0].date() == TODAY and Decimal(str(mine[3])) == Decimal("2.5")
    assert mine[4] == str(ops) and mine[5] == "'-1+1 财务辅导" and mine[6] == "'@建立了账册"
    expert = next(r for r in rows[1:] if r[4] == "陈老师")
    assert expert[5] == "对接基金会"


@pytest.mark.parametrize("name", ["export_agreements", "export_waivers", "export_service_log"])
def test_exports_refused_to_non_staff(client, data, incubatee, resident, other_staff, handler_nanmen, name):
    url = reverse(f"incubation:{name}")
    assert client.get(url).status_code in (302, 403)
    for user in (incubatee[0], resident, other_staff, handler_nanmen):
        client.force_login(user)
        r = client.get(url)
        assert r.status_code == 403 and not r.content.startswith(b"PK")
