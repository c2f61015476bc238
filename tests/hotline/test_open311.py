"""Open311 GeoReport v2: responses validate against the spec's schemas (the project's own
copies), XML uses the spec's element names, no personal data leaves."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

import hotline
from hotline import services
from hotline.models import ApiKey, Ticket
from tests.factories import WEDNESDAY
from tests.hotline.factories import file_ticket, reach
from tests.queries import assert_constant_queries

pytestmark = pytest.mark.django_db
SCHEMAS = Path(hotline.__file__).parent / "standards" / "open311"


def _validator(name: str) -> Draft7Validator:
    registry = Registry()
    for f in SCHEMAS.glob("*.json"):
        registry = registry.with_resource(
            f.name, Resource.from_contents(json.loads(f.read_text()), default_specification=DRAFT7)
        )
    schema = json.loads((SCHEMAS / name).read_text())
    return Draft7Validator(schema, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)


def _valid(name, data):
    errors = list(_validator(name).iter_errors(data))
    assert not errors, [e.message for e in errors]


@pytest.fixture
def tickets(people):
    a = file_ticket(
        resident_name="王秘密",
        phone="13987654321",
        description="请联系我 13987654321 谢谢",
        lat=29.8683,
        long=121.5440,
    )
    services.ticket_dispatch(ticket=a, unit=people.net.nanmen, actor=people.dispatcher)
    services.ticket_sign_for(ticket=a, actor=people.street)
    services.ticket_answer(ticket=a, actor=people.street, text="已处理")
    services.callback_record(ticket=a, actor=people.dispatcher, result="satisfied")
    b = file_ticket(area=people.net.yuehu_c1)
    return a, b


def test_schemas_are_the_projects_own_copies():
    assert (SCHEMAS / "README.md").read_text().count("open311/schema-validation") == 1
    assert {p.name for p in SCHEMAS.glob("*.json")} >= {
        "request.json",
        "requests.json",
        "service.json",
        "services.json",
    }


def test_services_json_and_xml(client):
    data = client.get("/open311/v2/services.json").json()
    _valid("services.json", data)
    assert {s["service_code"] for s in data} >= {
        "elderly",
        "disability",
        "children",
        "hardship",
        "community",
        "social-org",
        "other",
    }
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in data)
    root = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert root.tag == "services" and root[0].tag == "service"
    assert {c.tag for c in root[0]} >= {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }


def test_requests_json_validates_and_maps_status(client, tickets):
    a, b = tickets
    r = client.get("/open311/v2/requests.json", {"jurisdiction_id": "haishu"})
    data = r.json()
    _valid("requests.json", data)
    by_id = {row["service_request_id"]: row for row in data}
    assert by_id[a.tracking_number]["status"] == "closed" and by_id[b.tracking_number]["status"] == "open"
    assert by_id[a.tracking_number]["agency_responsible"] == "南门街道"
    assert by_id[a.tracking_number]["expected_datetime"]
    assert by_id[b.tracking_number]["address"] == "月湖东社区"
    assert by_id[a.tracking_number]["lat"] == 29.868


def test_no_personal_data_leaves(client, tickets):
    for url in (
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests/{tickets[0].tracking_number}.json",
    ):
        body = client.get(url).content.decode()
        for secret in (
            "13987654321",
            "王秘密",
            "13812341234",
            "张三",
            "海曙区某路1号",
            "phone",
            "first_name",
        ):
            assert secret not in body, (url, secret)


def test_requests_xml_is_well_formed_with_spec_names(client, tickets):
    root = ET.fromstring(client.get("/open311/v2/requests.xml").content)
    assert root.tag == "service_requests"
    req = root.find("request")
    names = {c.tag for c in req}
    assert names >= {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }
    assert {r.findtext("status") for r in root} == {"open", "closed"}


def test_filters(client, tickets):
    a, b = tickets
    ids = f"{a.tracking_number},{b.tracking_number}"
    data = client.get(
        "/open311/v2/requests.json", {"service_request_id": ids, "status": "open", "service_code": "nope"}
    ).json()
    assert len(data) == 2  # the id list overrides the rest
    assert [
        r["service_request_id"] for r in client.get("/open311/v2/requests.json", {"status": "closed"}).json()
    ] == [a.tracking_number]
    assert client.get("/open311/v2/requests.json", {"service_code": "children"}).json() == []
    assert len(client.get("/open311/v2/requests.json", {"service_code": "elderly"}).json()) == 2


def test_date_range_at_most_90_days(client, tickets):
    r = client.get(
        "/open311/v2/requests.json",
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"},
    )
    assert r.status_code == 400
    _valid_errors(r.json())
    r = client.get("/open311/v2/requests.xml", {"start_date": "garbage"})
    assert r.status_code == 400 and ET.fromstring(r.content).tag == "errors"
    old = client.get("/open311/v2/requests.json", {"start_date": "2020-01-01", "end_date": "2020-03-01"})
    assert old.status_code == 200 and old.json() == []


def _valid_errors(data):
    assert isinstance(data, list) and data and set(data[0]) == {"code", "description"}


def test_single_request_and_404(client, tickets):
    a, _ = tickets
    data = client.get(f"/open311/v2/requests/{a.tracking_number}.json").json()
    _valid("requests.json", data)
    assert len(data) == 1 and data[0]["service_request_id"] == a.tracking_number
    r = client.get("/open311/v2/requests/HS2026999999.json")
    assert r.status_code == 404
    _valid_errors(r.json())
    assert (
        ET.fromstring(client.get(f"/open311/v2/requests/{a.tracking_number}.xml").content)
        .find("request/status")
        .text
        == "closed"
    )


def test_post_with_key_creates_api_ticket(client, network):
    key = ApiKey.objects.create(name="12345 platform")
    r = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key.key,
            "jurisdiction_id": "haishu",
            "service_code": "hardship",
            "lat": "29.87",
            "long": "121.55",
            "description": "低保申请咨询",
            "phone": "13811112222",
            "first_name": "五",
            "last_name": "王",
        },
    )
    assert r.status_code == 200, r.content
    number = r.json()[0]["service_request_id"]
    t = Ticket.objects.get(tracking_number=number)
    assert t.channel == "api" and t.category.code == "hardship" and t.phone == "13811112222"
    xml = client.post(
        "/open311/v2/requests.xml",
        {
            "api_key": key.key,
            "service_code": "other",
            "address_string": "南门",
            "description": "咨询",
            "phone": "13811112222",
        },
    )
    assert ET.fromstring(xml.content).find("request/service_request_id").text.startswith("HS")


def test_post_with_bad_key_is_403(client):
    ApiKey.objects.create(name="client", key="good-key")
    for key in ("", "bad-key"):
        r = client.post(
            "/open311/v2/requests.json",
            {
                "api_key": key,
                "service_code": "other",
                "lat": "1",
                "long": "1",
                "description": "x y",
                "phone": "13811112222",
            },
        )
        assert r.status_code == 403
        _valid_errors(r.json())
    ApiKey.objects.filter(key="good-key").update(active=False)
    r = client.post("/open311/v2/requests.json", {"api_key": "good-key", "service_code": "other"})
    assert r.status_code == 403
    assert not Ticket.objects.exists()


def test_post_without_service_code_is_400(client):
    key = ApiKey.objects.create(name="client")
    r = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key.key,
            "lat": "29.8",
            "long": "121.5",
            "description": "求助内容",
            "phone": "13811112222",
        },
    )
    assert r.status_code == 400 and "service_code" in r.json()[0]["description"]
    r = client.post(
        "/open311/v2/requests.xml",
        {"api_key": key.key, "service_code": "other", "description": "求助内容", "phone": "13811112222"},
    )
    assert r.status_code == 400 and ET.fromstring(r.content).findtext("error/code") == "400"  # no location
    assert not Ticket.objects.exists()


def test_requests_list_query_count_is_constant(client, tickets):
    assert_constant_queries(
        lambda: client.get("/open311/v2/requests.json"), lambda: [file_ticket() for _ in range(3)]
    )


def test_closed_means_closed_and_every_other_status_open(client, people):
    numbers = {status: reach(people, status).tracking_number for status in Ticket.Status.values}
    data = client.get("/open311/v2/requests.json", {"service_request_id": ",".join(numbers.values())}).json()
    _valid("requests.json", data)
    got = {row["service_request_id"]: row["status"] for row in data}
    assert got == {n: ("closed" if s == "closed" else "open") for s, n in numbers.items()}


def test_expected_datetime_is_the_deadline_and_agency_the_unit(client, people):
    from django.utils import timezone

    t = file_ticket()
    services.ticket_dispatch(ticket=t, unit=people.net.nanmen_c1, actor=people.dispatcher)
    row = client.get(f"/open311/v2/requests/{t.tracking_number}.json").json()[0]
    assert row["expected_datetime"] == timezone.localtime(t.answer_due).replace(microsecond=0).isoformat()
    assert row["agency_responsible"] == "南门东社区"
    assert row["status_notes"] and row["requested_datetime"].endswith("+08:00")


def test_default_window_is_the_last_90_days(client, tickets):
    from datetime import timedelta

    old = file_ticket()
    Ticket.objects.filter(pk=old.pk).update(created_at=WEDNESDAY - timedelta(days=100))
    ids = {r["service_request_id"] for r in client.get("/open311/v2/requests.json").json()}
    assert old.tracking_number not in ids and tickets[0].tracking_number in ids
    start = (WEDNESDAY.date() - timedelta(days=120)).isoformat()
    end = (WEDNESDAY.date() - timedelta(days=40)).isoformat()
    ids = {
        r["service_request_id"]
        for r in client.get("/open311/v2/requests.json", {"start_date": start, "end_date": end}).json()
    }
    assert ids == {old.tracking_number}


def test_posted_request_is_listed_and_validates(client, network):
    key = ApiKey.objects.create(name="12345 platform")
    r = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key.key,
            "service_code": "elderly",
            "address_id": network.nanmen_c1.code,
            "description": "独居老人需要探访",
            "phone": "13811112222",
        },
    )
    number = r.json()[0]["service_request_id"]
    data = client.get(f"/open311/v2/requests/{number}.json").json()
    _valid("requests.json", data)
    assert data[0]["address"] == "南门东社区" and data[0]["status"] == "open"
    assert ApiKey.objects.get(pk=key.pk).last_used_at is not None


@pytest.fixture(autouse=True)
def _pinned_now(pinned_wednesday):
    """These tests read "now": an ordinary working Wednesday (tests/factories.WEDNESDAY)."""
