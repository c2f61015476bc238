"""Findings 2 and 3: spreadsheet formulas never run from an export, and phone numbers written
with any separator never leave the portal in public output."""

import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from center.exports import neutralise, xlsx_bytes
from center.validators import scrub_phones
from tests.hotline.factories import category, file_ticket

pytestmark = pytest.mark.usefixtures("pinned_wednesday")  # the ventures factories read "now"

SEPARATED = [
    "138.1234.5678",
    "138_2234_5678",
    "138,3234,5678",
    "138–4234–5678",  # en dash
    "138—5234—5678",  # em dash
    "138/7234/5678",
    "138 8234 5678",
    "138-9234-5678",
    "1381234５６７８",
    "0574-8765 4321",
    "+86 138 1234 5678",
    "(0574) 87654321",
]
FORMULAS = ['=HYPERLINK("https://evil.example/","open")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("number", SEPARATED)
def test_scrub_phones_blanks_every_separator(number):
    out = scrub_phones(f"请拨打{number}联系王阿姨")
    assert out == "请拨打***联系王阿姨"
    assert not any(ch.isdigit() for ch in out)


def test_scrub_phones_keeps_short_numbers_and_plain_text():
    text = "3位老人，每周2次，12号楼5单元"
    assert scrub_phones(text) == text
    assert scrub_phones("") == ""


@pytest.mark.parametrize("text", FORMULAS)
def test_export_cells_never_start_a_formula(text):
    assert neutralise(text).startswith("'")
    wb = load_workbook(BytesIO(xlsx_bytes([("S", [text], [[text, 5, Decimal("-3.5"), None]])])))
    ws = wb.active
    for cell in (ws["A1"], ws["A2"]):
        assert cell.data_type == "s" and cell.value.startswith("'")
        assert cell.value[1:].strip() == text.strip()  # XML turns a CR into a line feed
    assert ws["B2"].value == 5 and ws["C2"].value == -3.5  # numbers stay numbers


def _cells(response):
    assert response.status_code == 200, response.status_code
    wb = load_workbook(BytesIO(response.content))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def _assert_no_formula(response, marker):
    cells = _cells(response)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [c.value for c in cells]
    assert any(isinstance(v, str) and v.startswith("'=") and marker in v for v in values), values


@pytest.mark.django_db
def test_directory_export_anonymous_neutralises_formulas(client, network):
    from tests.organizations.factories import make_org

    make_org(
        '=HYPERLINK("https://evil.example/","open")', short_name="=cmd|' /C calc'!A0", street=network.nanmen
    )
    response = client.get(reverse("organizations:directory_export"))
    _assert_no_formula(response, "HYPERLINK")
    _assert_no_formula(response, "cmd")


@pytest.mark.django_db
def test_inspection_export_staff_neutralises_formulas(client, staff, network):
    from organizations.models import AnnualReport
    from tests.organizations.factories import make_campaign, make_org

    network.nanmen.name = "=1+1 南门"
    network.nanmen.save()
    camp = make_campaign(2025)
    AnnualReport.objects.create(campaign=camp, organization=make_org(street=network.nanmen))
    client.force_login(staff)
    _assert_no_formula(client.get(reverse("organizations:campaign_export", args=[camp.pk])), "1+1")


@pytest.fixture
def venture(db, make_user):
    from tests.ventures.factories import make_awarded, make_org_user, make_reviewers, make_round

    staff = make_user("staff_projects_x", role="staff", department="projects", is_staff=True)
    make_reviewers(3)
    rnd = make_round(staff, reviewers_per_application=3)
    user, org = make_org_user("org_x")
    app = make_awarded(rnd, org, user, staff, amount=Decimal("40000"), title='=HYPERLINK("x","y")')
    return staff, rnd, app


@pytest.mark.parametrize("name", ["export_applications", "export_reviews", "export_awards"])
def test_ventures_exports_neutralise_formulas(client, venture, name):
    staff, rnd, app = venture
    client.force_login(staff)
    _assert_no_formula(client.get(reverse(f"ventures:{name}", args=[rnd.pk])), "HYPERLINK")


def test_reviewer_export_neutralises_formulas(client, venture):
    staff, rnd, app = venture
    reviewer = app.reviews.first().reviewer
    client.force_login(reviewer)
    _assert_no_formula(client.get(reverse("ventures:my_reviews_export")), "HYPERLINK")


@pytest.mark.django_db
def test_hotline_statistics_export_neutralises_formulas(client, make_user, network):
    cat = category()
    cat.name = "=2+5 助老"
    cat.save()
    file_ticket(category=cat)
    dispatcher = make_user("staff_info_x", role="staff", department="info", is_staff=True)
    client.force_login(dispatcher)
    response = client.get(
        reverse("hotline:statistics"), {"format": "xlsx", "start": "2000-01-01", "end": "2100-01-01"}
    )
    _assert_no_formula(response, "2+5")


@pytest.mark.django_db
@pytest.mark.parametrize("number", SEPARATED)
def test_open311_never_shows_a_phone_number(client, network, number):
    ticket = file_ticket(description=f"老人需要助餐，请联系{number}，谢谢")
    body = client.get(f"/open311/v2/requests/{ticket.tracking_number}.json")
    description = json.loads(body.content)[0]["description"]
    assert "***" in description and not any(ch.isdigit() for ch in description)
    xml = ET.fromstring(client.get(f"/open311/v2/requests/{ticket.tracking_number}.xml").content)
    text = xml.find("request/description").text
    assert "***" in text and not any(ch.isdigit() for ch in text)
    listing = client.get("/open311/v2/requests.json", {"service_request_id": ticket.tracking_number})
    assert number not in listing.text


def test_360giving_never_shows_a_phone_number(client, venture):
    from ventures.models import Application

    staff, rnd, app = venture
    Application.objects.filter(pk=app.pk).update(title="助老 138.1234.5678", summary="联系 138_2234_5678")
    package = json.loads(client.get("/api/v1/ventures/360giving.json").content)
    grant = package["grants"][0]
    assert grant["title"] == "助老 ***" and grant["description"] == "联系 ***"


@pytest.mark.django_db
def test_public_timeline_never_shows_a_phone_number(client, network, make_user):
    from hotline import services

    ticket = file_ticket()
    dispatcher = make_user("staff_info_y", role="staff", department="info", is_staff=True)
    services.ticket_dispatch(ticket=ticket, unit=network.nanmen, actor=dispatcher)
    street = make_user("h_nanmen_y", role="handler", network_unit=network.nanmen)
    services.ticket_sign_for(ticket=ticket, actor=street)
    services.ticket_reply(ticket=ticket, actor=street, text="请致电 138/7234/5678 联系社区")
    ticket.refresh_from_db()
    page = client.get(reverse("hotline:track_link", args=[ticket.access_key]), follow=True)
    assert page.status_code == 200
    assert "7234" not in page.text
