"""An organization's page shows the events it attended and its certificates (capacity
building), through the registry: organizations never imports consultations."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from consultations import services
from tests.consultations.factories import NOW, kind, make_event
from tests.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def _attend(event, org, by, name, *, check_in=True, certify=True):
    reg = services.registration_create(
        event=event, by=by, kind="organization", organization=org, name=name, attendees=2, now=NOW
    )
    if check_in:
        services.checkin(event=event, code=reg.code, by=by, now=event.starts_at)
    if certify and check_in:
        services.certificate_issue(registration=reg, by=by, now=event.ends_at)
    return reg


@pytest.fixture
def history(people):
    """Two trainings and a salon that happened; the org attended both trainings and skipped the
    salon; another organization attended a training of its own."""
    m = people.manager
    training = make_event(title="社会组织财务规范培训", gives_certificate=True, capacity=20)
    second = make_event(title="项目申报实务培训", gives_certificate=True, capacity=20)
    salon = make_event(title="公益沙龙：社区议事", kind=kind("salon", "沙龙", training=False), capacity=20)
    others = make_event(title="别的组织参加的培训", gives_certificate=True, capacity=20)
    _attend(training, people.org, m, "张三丰")
    _attend(second, people.org, m, "李四", certify=False)
    _attend(salon, people.org, m, "王五", check_in=False)
    _attend(others, people.other_org, m, "赵六")
    return training


def test_public_page_shows_this_organizations_trainings_and_certificates_only(client, people, history):
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        page = client.get(reverse("organizations:detail", args=[people.org.pk]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.text
    assert page.status_code == 200 and "Capacity building" in text
    assert "2 trainings and support sessions attended." in text
    assert "社会组织财务规范培训" in text and "项目申报实务培训" in text
    assert "公益沙龙：社区议事" not in text  # registered, never came
    assert "别的组织参加的培训" not in text and "赵*" not in text  # another organization's
    cert = history.registrations.get().certificate
    assert cert.number in text and reverse("consultations:certificate_verify", args=["x"])[:-2] in text
    # the public sees the holder's name masked; the contact person's name is not shown
    assert "张*丰" in text and "张三丰" not in text and "李四" not in text


def test_members_and_staff_see_holders_in_full_revoked_certificates_drop_out(client, people, history):
    cert = history.registrations.get().certificate
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        client.force_login(people.owner)
        assert "张三丰" in client.get(reverse("organizations:detail", args=[people.org.pk])).text
        services.certificate_revoke(certificate=cert, by=people.manager, reason="误发")
        client.force_login(people.manager)
        page = client.get(reverse("organizations:detail", args=[people.org.pk])).text
    assert cert.number not in page and "社会组织财务规范培训" in page


def test_an_organization_that_attended_nothing_shows_no_section_to_the_public(client, people):
    page = client.get(reverse("organizations:detail", args=[people.other_org.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "Capacity building" not in page.text
    client.force_login(people.other_owner)
    page = client.get(reverse("organizations:detail", args=[people.other_org.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Capacity building" in page.text and "No events attended yet." in page.text


def test_organization_page_queries_do_not_grow_with_its_trainings(client, people):
    events = iter(range(100))

    def grow():
        for _ in range(3):
            n = next(events)
            _attend(
                make_event(title=f"培训{n}", gives_certificate=True), people.org, people.manager, f"学员{n}"
            )

    grow()
    with time_machine.travel(NOW + timedelta(days=60), tick=False):
        assert_constant_queries(
            lambda: client.get(reverse("organizations:detail", args=[people.org.pk])), grow
        )


def test_organizations_never_imports_consultations():
    root = Path(__file__).resolve().parents[2] / "organizations"
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "consultations"]
    assert offenders == []
