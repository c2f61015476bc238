"""Consultations on drafts: opinions, moderation, forwarding, department answers, feedback."""

from datetime import timedelta

import pytest
from django.urls import reverse

from center.errors import DomainError, PermissionDeniedError, TransitionError
from consultations import services
from consultations.models import Consultation, Forward, Opinion
from tests.consultations.factories import NOW, make_consultation, make_department

pytestmark = pytest.mark.django_db
C = Consultation.Status


def give(c, body="建议明确备案材料清单。", **kw):
    return services.opinion_create(consultation=c, body=body, name=kw.pop("name", "王先生"), now=NOW, **kw)


def test_every_consultation_phase_allowed_and_a_refused_one(people):
    c = make_consultation(status=C.DRAFT)
    for to in (C.PUBLISHED, C.OPEN, C.CLOSED, C.ANSWERED):
        result = services.consultation_transition(consultation=c, to=to, by=people.manager, now=NOW)
        assert result.changed and result.obj.status == to
    with pytest.raises(TransitionError):
        services.consultation_transition(consultation=c, to=C.OPEN, by=people.manager, now=NOW)


def test_answered_phase_refused_while_opinions_wait(people):
    c = make_consultation()
    give(c)
    services.consultation_transition(consultation=c, to=C.CLOSED, by=people.manager, now=NOW)
    with pytest.raises(DomainError):
        services.consultation_transition(consultation=c, to=C.ANSWERED, by=people.manager, now=NOW)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [("   ", C.OPEN, "empty"), ("很" * 10_000, C.OPEN, "too_long"), ("好的建议", C.CLOSED, "not_open")],
)
def test_bad_opinions_are_refused_and_nothing_written(people, body, status, code):
    c = make_consultation(status=status)
    with pytest.raises(DomainError) as exc:
        give(c, body=body)
    assert exc.value.code == code
    assert Opinion.objects.count() == 0


def test_only_staff_record_hearing_opinions(people):
    c = make_consultation()
    with pytest.raises(PermissionDeniedError):
        give(c, source="hearing", by=people.alice)
    assert give(c, source="hearing", by=people.manager).source == "hearing"


def _forwarded(people):
    c = make_consultation()
    civil = make_department("civil", "区民政局", contact_user=people.civil_contact)
    finance = make_department("finance", "区财政局", contact_user=people.finance_contact)
    a = give(c, paragraph=c.paragraphs.first(), phone="13912345678")
    b = give(c)
    services.consultation_transition(consultation=c, to=C.CLOSED, by=people.manager, now=NOW)
    fa = services.forward_create(
        consultation=c, department=civil, opinion_ids=[a.pk], by=people.manager, now=NOW
    )
    fb = services.forward_create(
        consultation=c, department=finance, opinion_ids=[b.pk], by=people.manager, now=NOW
    )
    return c, a, b, fa, fb


def test_forward_deadline_is_fifteen_working_days(people):
    c, a, b, fa, fb = _forwarded(people)
    # 2026-05-13 + 15 working days = 2026-06-03 (no holiday in between)
    assert fa.due_at.date().isoformat() == "2026-06-03"
    a.refresh_from_db()
    assert a.status == "forwarded" and a.forward == fa


def test_department_answers_only_what_was_forwarded_to_it(people):
    c, a, b, fa, fb = _forwarded(people)
    with pytest.raises(PermissionDeniedError):
        services.opinion_answer(opinion=b, by=people.civil_contact, result="adopted", answer="采纳", now=NOW)
    services.opinion_answer(opinion=a, by=people.civil_contact, result="partly", answer="部分采纳", now=NOW)
    a.refresh_from_db()
    fa.refresh_from_db()
    assert a.status == "answered" and a.answered_on_time and fa.status == Forward.Status.REPLIED
    with pytest.raises(DomainError):
        services.opinion_answer(opinion=a, by=people.civil_contact, result="adopted", answer="再答", now=NOW)


def test_late_answer_is_not_on_time_and_answer_after_closing_is_refused(people):
    c, a, b, fa, fb = _forwarded(people)
    services.opinion_answer(
        opinion=b, by=people.finance_contact, result="adopted", answer="采纳", now=NOW + timedelta(days=60)
    )
    b.refresh_from_db()
    assert b.answered_on_time is False
    services.opinion_answer(
        opinion=a, by=people.civil_contact, result="not_adopted", answer="不采纳", now=NOW
    )
    services.feedback_publish(consultation=c, by=people.manager, now=NOW)
    services.consultation_transition(consultation=c, to=C.ANSWERED, by=people.manager, now=NOW)
    extra = Opinion.objects.create(consultation=c, name="x", body="y", status="forwarded", forward=fa)
    with pytest.raises(DomainError) as exc:
        services.opinion_answer(
            opinion=extra, by=people.civil_contact, result="adopted", answer="迟到", now=NOW
        )
    assert exc.value.code == "closed"
    extra.refresh_from_db()
    assert extra.result == ""


def test_hide_with_reason_visible_to_author_not_to_public(client, people):
    c = make_consultation()
    o = give(c, body="骂人的话", by=people.alice)
    with pytest.raises(DomainError):
        services.opinion_hide(opinion=o, by=people.manager, reason="")
    services.opinion_hide(opinion=o, by=people.manager, reason="含有人身攻击")
    assert (
        "骂人的话"
        not in client.get(reverse("consultations:consultation_detail", args=[c.pk])).content.decode()
    )
    client.force_login(people.alice)
    assert "含有人身攻击" in client.get(reverse("consultations:registration_list")).content.decode()


def test_public_page_escapes_opinions_and_never_shows_contacts(client, people):
    c = make_consultation()
    give(c, body="<script>alert(1)</script>", name="<b>张</b>", name_public=True, phone="13912345678")
    page = client.get(reverse("consultations:consultation_detail", args=[c.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;张&lt;/b&gt;" in page
    assert "13912345678" not in page and "1391" not in page


def test_feedback_report_lists_published_answers_and_summary(client, people):
    c, a, b, fa, fb = _forwarded(people)
    services.opinion_answer(
        opinion=b, by=people.finance_contact, result="adopted", answer="已采纳并修改第四条", now=NOW
    )
    url = reverse("consultations:consultation_feedback", args=[c.pk])
    assert client.get(url).status_code == 404
    services.feedback_publish(consultation=c, by=people.manager, now=NOW)
    page = client.get(url).content.decode()
    assert "已采纳并修改第四条" in page
    xlsx = client.get(url + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_department_contact_pages_see_only_their_forward(client, people):
    c, a, b, fa, fb = _forwarded(people)
    client.force_login(people.civil_contact)
    assert client.get(reverse("consultations:forward_detail", args=[fa.pk])).status_code == 200
    assert client.get(reverse("consultations:forward_detail", args=[fb.pk])).status_code == 404
    listing = client.get(reverse("consultations:forward_list")).content.decode()
    assert "区民政局" in listing and "区财政局" not in listing
    response = client.post(
        reverse("consultations:forward_detail", args=[fb.pk]),
        {"opinion": b.pk, "result": "adopted", "answer": "x"},
    )
    assert response.status_code == 404
    b.refresh_from_db()
    assert b.result == ""
    client.force_login(people.alice)
    assert client.get(reverse("consultations:forward_list")).status_code == 403
    client.logout()
    assert client.get(reverse("consultations:forward_list")).status_code == 302


def test_opinion_form_page_with_bad_input_shows_a_clear_error(client, people):
    c = make_consultation()
    url = reverse("consultations:opinion_create", args=[c.pk])
    import time_machine

    with time_machine.travel(NOW, tick=False):
        response = client.post(url, {"body": "长" * 10_000, "name": "王"})
    assert response.status_code == 200 and "3000" in response.content.decode().replace(",", "")
    assert Opinion.objects.count() == 0


def test_speaker_application_selected_by_staff(people):
    from tests.consultations.factories import make_event

    c = make_consultation(event=make_event(kind=None))
    app = services.speaker_apply(consultation=c, name="李四", topic="资金扶持标准", by=people.alice)
    with pytest.raises(PermissionDeniedError):
        services.speaker_decide(application=app, selected=True, by=people.alice)
    services.speaker_decide(application=app, selected=True, by=people.manager)
    assert app.status == "selected"
    with pytest.raises(DomainError):
        services.speaker_apply(consultation=make_consultation(), name="x", topic="y")
