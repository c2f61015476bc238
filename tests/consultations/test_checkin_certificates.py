"""Check-in at the door (code, scan, name, walk-in) and certificates only for attendees."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from center.errors import DomainError
from consultations import services
from consultations.certificates import certificate_token, mask_name
from consultations.models import Certificate, CheckIn, Registration
from tests.consultations.factories import NOW, make_event

pytestmark = pytest.mark.django_db
AT_DOOR = NOW + timedelta(days=7, minutes=-28)  # 09:32 local, event at 10:00


def register(event, user):
    return services.registration_create(event=event, by=user, kind="resident", name=str(user), now=NOW)


def test_checkin_by_code_once_then_already_checked_in_at(people):
    event = make_event(gives_certificate=True)
    reg = register(event, people.alice)
    item, already = services.checkin(event=event, code=reg.code, by=people.manager, now=AT_DOOR)
    assert not already and item.at == AT_DOOR
    again, already = services.checkin(
        event=event, code=reg.code, by=people.manager, now=AT_DOOR + timedelta(minutes=5)
    )
    assert already and again.at == AT_DOOR
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize("case", ["other_event", "unknown_code", "not_confirmed"])
def test_bad_codes_are_refused_and_nothing_written(people, case):
    event = make_event(capacity=1)
    other = make_event()
    if case == "other_event":
        code = register(other, people.alice).code
    elif case == "unknown_code":
        code = "no-such-code"
    else:
        register(event, people.alice)
        code = register(event, people.bob).code  # waitlisted
    with pytest.raises(DomainError) as exc:
        services.checkin(event=event, code=code, by=people.manager, now=AT_DOOR)
    assert exc.value.code == case
    assert CheckIn.objects.count() == 0


def test_only_staff_in_charge_check_people_in(people):
    event = make_event()
    reg = register(event, people.alice)
    with pytest.raises(DomainError):
        services.checkin(event=event, code=reg.code, by=people.alice, now=AT_DOOR)
    with pytest.raises(DomainError):
        services.checkin(event=event, code=reg.code, by=people.info, now=AT_DOOR)


def test_walk_in_is_recorded_and_checked_in(people):
    event = make_event(capacity=1)
    register(event, people.alice)
    reg = services.walk_in_add(event=event, by=people.manager, name="临时来宾", now=AT_DOOR)
    assert reg.kind == Registration.Kind.WALK_IN and reg.checkins.count() == 1
    event.refresh_from_db()
    assert event.seats_taken == 1


def test_checkin_page_json_answers_already_checked_in_at_0932(client, people):
    event = make_event()
    reg = register(event, people.alice)
    client.force_login(people.manager)
    url = reverse("consultations:event_checkin", args=[event.pk])
    with time_machine.travel(AT_DOOR, tick=False):
        first = client.post(url, {"code": reg.code, "method": "scan"}, HTTP_ACCEPT="application/json").json()
        second = client.post(url, {"code": reg.code, "method": "scan"}, HTTP_ACCEPT="application/json").json()
    assert first["ok"] and not first["already"]
    assert second["already"] and "09:32" in second["message"]
    other = register(make_event(), people.bob)
    with time_machine.travel(AT_DOOR, tick=False):
        refused = client.post(url, {"code": other.code}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and not refused.json()["ok"]


def test_checkin_page_serves_the_vendored_qr_reader(client, people):
    event = make_event()
    client.force_login(people.manager)
    page = client.get(reverse("consultations:event_checkin", args=[event.pk])).content.decode()
    assert "consultations/vendor/jsQR" in page and "consultations/checkin" in page
    client.force_login(people.alice)
    assert client.get(reverse("consultations:event_checkin", args=[event.pk])).status_code == 403


def test_certificates_only_for_people_checked_in(people):
    event = make_event(gives_certificate=True)
    came = register(event, people.alice)
    absent = register(event, people.bob)
    services.checkin(event=event, code=came.code, by=people.manager, now=AT_DOOR)
    assert services.certificates_issue_for_event(event=event, by=people.manager, now=AT_DOOR) == 1
    with pytest.raises(DomainError) as exc:
        services.certificate_issue(registration=absent, by=people.manager, now=AT_DOOR)
    assert exc.value.code == "not_attended"
    assert Certificate.objects.get().registration == came
    assert services.certificates_issue_for_event(event=event, by=people.manager, now=AT_DOOR) == 0


def test_multi_session_training_needs_the_attendance_threshold(people):
    event = make_event(gives_certificate=True, sessions=3, attendance_threshold=2)
    reg = register(event, people.alice)
    services.checkin(event=event, code=reg.code, by=people.manager, session=1, now=AT_DOOR)
    with pytest.raises(DomainError):
        services.certificate_issue(registration=reg, by=people.manager, now=AT_DOOR)
    services.attendance_set(registration=reg, session=2, status="present", by=people.manager)
    assert services.certificate_issue(registration=reg, by=people.manager, now=AT_DOOR).number


def test_no_certificate_for_an_event_without_one(people):
    event = make_event(gives_certificate=False)
    reg = register(event, people.alice)
    services.checkin(event=event, code=reg.code, by=people.manager, now=AT_DOOR)
    with pytest.raises(DomainError):
        services.certificate_issue(registration=reg, by=people.manager, now=AT_DOOR)


def _certificate(people):
    event = make_event(gives_certificate=True)
    reg = services.registration_create(event=event, by=people.alice, kind="resident", name="张三丰", now=NOW)
    services.checkin(event=event, code=reg.code, by=people.manager, now=AT_DOOR)
    return services.certificate_issue(registration=reg, by=people.manager, now=AT_DOOR)


def test_verification_page_genuine_masked_then_revoked_and_forgery_refused(client, people):
    cert = _certificate(people)
    url = reverse("consultations:certificate_verify", args=[certificate_token(cert.number)])
    page = client.get(url).content.decode()
    assert "张*丰" in page and "张三丰" not in page and cert.registration.event.title in page
    services.certificate_revoke(certificate=cert, by=people.manager, reason="冒名参加")
    assert 'class="status danger"' in client.get(url).content.decode()
    # another number with the genuine signature, and the genuine number with a made-up one
    token = certificate_token(cert.number)
    other = certificate_token(
        Certificate.objects.create(
            registration=Registration.objects.create(event=cert.registration.event, name="x"),
            number="HS2026-X",
            holder_name="x",
        ).number
    )
    forged = other.split(":", 1)[0] + ":" + token.split(":", 1)[1]
    assert client.get(reverse("consultations:certificate_verify", args=[forged])).status_code == 404
    payload, rest = token.split(":", 1)
    made_up = payload + ":" + rest[:-4] + ("AAAA" if not rest.endswith("AAAA") else "BBBB")
    assert client.get(reverse("consultations:certificate_verify", args=[made_up])).status_code == 404


def test_certificate_pdf_for_its_holder_and_staff_only(client, people):
    cert = _certificate(people)
    url = reverse("consultations:certificate_pdf", args=[cert.pk])
    client.force_login(people.alice)
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    client.force_login(people.bob)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404
    client.force_login(people.manager)
    assert client.get(url).status_code == 200


def test_mask_name():
    assert mask_name("李四") == "李*"
    assert mask_name("欧阳娜娜") == "欧**娜"
