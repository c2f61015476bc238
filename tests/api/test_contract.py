"""The OpenAPI schema documents what the API answers: one Error component for every error,
paginated lists as paginated, links to follow ids, the version; and the answers match it."""

from __future__ import annotations

import json

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from center.api.exceptions import portal_exception_handler
from center.api.schema import ERROR_SCHEMA

ERROR_REF = "#/components/schemas/Error"
WRITE = {"post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def error_ref(response):
    return response["content"]["application/json"]["schema"]["$ref"]


def test_every_operation_documents_its_errors_with_the_one_component(schema):
    assert schema["components"]["schemas"]["Error"] == ERROR_SCHEMA
    seen = 0
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        for code in ("401", "403"):
            assert error_ref(responses[code]) == ERROR_REF, (method, path, code)
        if path != "/api/v1/auth/token/":  # not throttled: the login lockout guards it
            assert error_ref(responses["429"]) == ERROR_REF, (method, path)
            assert "Retry-After" in responses["429"]["headers"], (method, path)
        if method in WRITE or any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert error_ref(responses["400"]) == ERROR_REF, (method, path)
        if method in WRITE or "{" in path:
            assert error_ref(responses["404"]) == ERROR_REF, (method, path)
        if method in WRITE:
            assert error_ref(responses["409"]) == ERROR_REF, (method, path)
        seen += 1
    assert seen >= 20
    # write operations name the fields their validation errors may mention
    create = schema["paths"]["/api/v1/ventures/applications/create/"]["post"]["responses"]["400"]
    assert "budget_lines" in create["description"] and "requested_amount" in create["description"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/ventures/applications/",
        "/api/v1/ventures/reviews/",
        "/api/v1/ventures/rounds/{id}/ranking/",
        "/api/v1/consultations/drafts/{id}/opinions/",
    ],
)
def test_ventures_lists_are_documented_paginated(schema, path):
    operation = schema["paths"][path]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(body["properties"]) == {"count", "next", "previous", "results"}
    assert {"page", "page_size"} <= {p["name"] for p in operation["parameters"]}


def test_lists_and_creates_link_to_their_items(schema):
    paths = schema["paths"]
    links = paths["/api/v1/organizations/"]["get"]["responses"]["200"]["links"]
    assert links["organizations_retrieve"]["parameters"] == {"id": "$response.body#/results/0/id"}
    links = paths["/api/v1/hotline/tickets/"]["get"]["responses"]["200"]["links"]
    assert links["hotline_tickets_retrieve"]["parameters"] == {
        "number": "$response.body#/results/0/tracking_number"
    }
    links = paths["/api/v1/ventures/applications/create/"]["post"]["responses"]["201"]["links"]
    assert links["ventures_applications_retrieve"]["parameters"] == {"id": "$response.body#/id"}
    assert "ventures_applications_submit_create" in links
    operation_ids = {op["operationId"] for _, _, op in operations(schema)}
    for _, _, operation in operations(schema):
        for response in operation["responses"].values():
            for link in response.get("links", {}).values():
                assert link["operationId"] in operation_ids


def test_schema_carries_the_api_version(schema):
    assert schema["info"]["version"].split(".")[0] == "1"
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    jsonschema.validate(body, ERROR_SCHEMA)
    assert body["error"]["code"] == code
    return body["error"]


@pytest.mark.django_db
def test_error_answers_match_the_error_component(make_user, network):
    client = APIClient()
    assert_error(client.get("/api/v1/organizations/999999/"), 404, "not_found")
    assert_error(client.get("/api/v1/announcements/?page=999"), 404, "not_found")
    # a path under /api/v1/ that names no operation: the API's body, not the HTML page
    assert_error(client.get("/api/v1/organizations/not-a-number/"), 404, "not_found")
    assert_error(client.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error(client.get("/api/v1/organizations/%0A1/"), 404, "not_found")  # a newline in the id
    assert_error(client.post("/api/v1/ventures/applications/x/submit/"), 404, "not_found")  # no CSRF page
    response = client.get("/api/v1/me/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    wrong = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(wrong, 401, "authentication_failed")
    staff = make_user("staff_info_contract_t", role="staff", department="info", is_staff=True)
    client.force_authenticate(staff)
    error = assert_error(client.get("/api/v1/hotline/tickets/?status=no-such-status"), 400, "invalid")
    assert "status" in error["details"]
    error = assert_error(
        client.post("/api/v1/ventures/applications/create/", {}, format="json"), 400, "invalid"
    )
    assert {"round", "organization", "title", "budget_lines"} <= set(error["details"])
    response = client.post(
        "/api/v1/ventures/applications/create/", "{not json", content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


@pytest.mark.django_db
def test_throttled_answer_has_retry_after(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1/min", "user": "1/min"})
    client = APIClient()
    assert client.get("/api/v1/network-units/").status_code == 200
    response = client.get("/api/v1/network-units/")
    error = assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert error["details"]["retry_after_seconds"] == int(response["Retry-After"])


def test_a_list_of_messages_becomes_an_object_of_details():
    response = portal_exception_handler(ValidationError(["Not both."]), {})
    assert response.data["error"]["details"] == {"non_field_errors": ["Not both."]}
    jsonschema.validate(response.data, ERROR_SCHEMA)


def test_times_are_documented_as_written(schema):
    """DRF writes "08:30:00"; JSON Schema's format "time" would demand an offset."""
    text = json.dumps(schema)
    assert '"format": "time"' not in text


@pytest.mark.django_db
def test_open311_post_refuses_control_characters(client, network):
    """A NUL in a POSTed field was a server error on PostgreSQL (found by the API fuzz run)."""
    from hotline.models import ApiKey, ServiceCategory, Ticket

    key = ApiKey.objects.create(name="contract client")
    ServiceCategory.objects.get_or_create(code="other", defaults={"name": "其他"})
    form = {
        "api_key": key.key,
        "service_code": "other",
        "address_string": "南门",
        "description": "路灯\x00不亮",
        "phone": "13811112222",
    }
    response = client.post("/open311/v2/requests.json", form)
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert "Control characters" in response.json()[0]["description"]
    assert not Ticket.objects.exists()
    assert client.post("/open311/v2/requests.json", {**form, "description": "路灯\n不亮"}).status_code == 200


def test_a_value_the_database_refuses_is_a_400():
    from django.db import DataError

    response = portal_exception_handler(DataError("time zone displacement out of range"), {})
    assert response.status_code == 400 and response.data["error"]["code"] == "invalid"
    jsonschema.validate(response.data, ERROR_SCHEMA)


@pytest.mark.django_db
def test_incubation_availability_refuses_a_day_before_1901():
    """Found by the API fuzz run: day=0267-05-13 answered times with a +08:05:43 offset."""
    assert_error(APIClient().get("/api/v1/incubation/spaces/?day=0267-05-13"), 400, "invalid")
