"""The published schema is usable, not only valid: a Python client generated from it with
openapi-python-client reads the organizations directory and writes a venture application
draft against a live server, and understands the API's error body.

Runs in `make test` (about 10-20 s: the generator is a separate process)."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework.authtoken.models import Token

from tests.ventures.factories import make_org, make_org_user, make_round
from ventures.models import Application

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "haishu_client"
NOW = datetime(2026, 4, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def generated_client(tmp_path_factory, django_db_blocker):
    """Generate the client once for this module, from the schema produced in-process."""
    if GENERATOR.exists():
        command = [str(GENERATOR)]
    elif shutil.which("openapi-python-client"):
        command = [shutil.which("openapi-python-client")]
    else:
        pytest.skip(
            "openapi-python-client is not installed (it is a dev dependency: pip install -e '.[dev]')"
        )
    folder = tmp_path_factory.mktemp("client")
    with django_db_blocker.unblock():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    schema_file = folder / "schema.json"
    schema_file.write_bytes(OpenApiJsonRenderer().render(schema, renderer_context={}))
    config = folder / "config.json"
    config.write_text(json.dumps({"package_name_override": PACKAGE, "post_hooks": []}))
    result = subprocess.run(
        [
            *command,
            "generate",
            "--path",
            str(schema_file),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
            "--config",
            str(config),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@time_machine.travel(NOW, tick=False)
def test_generated_client_reads_the_directory_and_writes_a_draft(generated_client, live_server, make_user):
    from haishu_client import AuthenticatedClient, Client
    from haishu_client.api.organizations import organizations_list
    from haishu_client.api.ventures import (
        ventures_applications_create_create,
        ventures_applications_retrieve,
    )
    from haishu_client.models import Error, VentureApplicationCreateInputRequest

    # one read, anonymous: the public directory (verified organizations only)
    make_org("海曙区阳光助老服务中心")
    make_org("海曙区待审核服务社", status="pending")
    anonymous = Client(base_url=live_server.url, raise_on_unexpected_status=True)
    page = organizations_list.sync(client=anonymous, q="阳光助老")
    assert page.count == 1
    assert [org.name for org in page.results] == ["海曙区阳光助老服务中心"]
    assert organizations_list.sync(client=anonymous, q="待审核").count == 0

    # one write, as an organization account with a token: a venture application draft
    staff = make_user("staff_projects_client_t", role="staff", department="projects", is_staff=True)
    rnd = make_round(staff)
    user, org = make_org_user("org_client_t")
    token = Token.objects.create(user=user).key
    client = AuthenticatedClient(base_url=live_server.url, token=token, prefix="Token")
    body = VentureApplicationCreateInputRequest.from_dict(
        {
            "round": rnd.pk,
            "organization": org.pk,
            "category": "elderly",
            "title": "独居老人探访",
            "duration_months": 10,
            "requested_amount": "20000.00",
            "budget_lines": [
                {"item": "探访交通", "amount": "12000.00"},
                {"item": "志愿者培训", "amount": "8000.00"},
            ],
        }
    )
    created = ventures_applications_create_create.sync_detailed(client=client, body=body)
    assert created.status_code == 201, created.content
    assert created.parsed.status == "draft"
    application = Application.objects.get(pk=created.parsed.id)
    assert (application.organization_id, application.title) == (org.pk, "独居老人探访")

    detail = ventures_applications_retrieve.sync(client=client, id=created.parsed.id)
    assert detail.title == "独居老人探访"
    assert [line.item for line in detail.budget_lines] == ["探访交通", "志愿者培训"]

    # errors come back as the schema's one Error component
    missing = ventures_applications_retrieve.sync_detailed(client=client, id=application.pk + 1000)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, Error) and missing.parsed.error.code == "not_found"
    invalid = ventures_applications_create_create.sync_detailed(
        client=client,
        body=VentureApplicationCreateInputRequest.from_dict({**body.to_dict(), "duration_months": 0}),
    )
    assert invalid.status_code == 400
    assert "duration_months" in invalid.parsed.error.details.to_dict()
    assert Application.objects.count() == 1
