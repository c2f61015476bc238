"""Staff set up events and consultations in the portal: create, edit, publish, cancel;
everyone else is refused and nothing is written; bad input is shown next to its field."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from center.errors import DomainError, PermissionDeniedError, TransitionError
from consultations import services
from consultations.models import (
    AgendaItem,
    Consultation,
    Event,
    EventStatusChange,
    Opinion,
    Paragraph,
    Registration,
)
from organizations.models import ServiceArea
from tests.consultations.factories import NOW, kind, make_consultation, make_department, make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def event_post(**over) -> dict:
    """A valid event form, agenda rows included (datetime-local values, as a browser sends)."""
    data = {
        "title": "社会组织年检政策解读会",
        "kind": kind("policy_session", "政策咨询会", training=False).pk,
        "organizer_department": "resource",
        "description": "解读年度检查新规。",
        "venue": "海曙区社会组织服务中心 3楼会议室",
        "online_url": "",
        "starts_at": "2026-05-27T09:00",
        "ends_at": "2026-05-27T11:30",
        "registration_opens_at": "2026-05-13T09:00",
        "registration_closes_at": "2026-05-26T17:00",
        "capacity": "40",
        "max_per_organization": "2",
        "audience": "organizations",
        "requires_approval": "on",
        "sessions": "1",
        "attendance_threshold": "1",
        "agenda-TOTAL_FORMS": "3",
        "agenda-INITIAL_FORMS": "0",
        "agenda-MIN_NUM_FORMS": "0",
        "agenda-MAX_NUM_FORMS": "40",
        "agenda-0-starts_at": "09:00",
        "agenda-0-title": "签到",
        "agenda-0-speaker": "",
        "agenda-1-starts_at": "09:30",
        "agenda-1-title": "年检新规解读",
        "agenda-1-speaker": "区民政局 张科长",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def draft_post(**over) -> dict:
    data = {
        "title": "海曙区社会组织培育扶持办法（征求意见稿）",
        "summary": "向社会公开征求意见。",
        "body": "# 第一条 目的\n为培育发展社会组织，制定本办法。\n\n# 第二条 范围\n本办法适用于本区登记的社会组织。\n\n"
        "附则：本办法自发布之日起施行。",
        "event": "",
        "opens_at": "2026-05-15T09:00",
        "closes_at": "2026-06-15T17:00",
        "reply_working_days": "10",
    }
    data.update(over)
    return data


# --- events ---------------------------------------------------------------------------------


def test_staff_create_an_event_as_a_draft_with_agenda_and_areas_then_publish(client, people, pinned):
    areas = list(ServiceArea.objects.order_by("pk")[:2])
    client.force_login(people.manager)
    page = client.get(reverse("consultations:event_manage_list"))
    assert reverse("consultations:event_create") in page.text
    r = client.post(reverse("consultations:event_create"), event_post(service_areas=[a.pk for a in areas]))
    event = Event.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("consultations:event_manage", args=[event.pk])
    assert event.status == Event.Status.DRAFT and event.organizer == people.manager
    assert event.capacity == 40 and event.max_per_organization == 2 and event.requires_approval
    assert event.audience == "organizations" and not event.gives_certificate
    assert list(event.agenda.values_list("title", "speaker")) == [
        ("签到", ""),
        ("年检新规解读", "区民政局 张科长"),
    ]
    assert set(event.service_areas.all()) == set(areas)
    # a draft is not public
    assert client.get(reverse("consultations:event_detail", args=[event.pk])).status_code == 404

    r = client.post(
        reverse("consultations:event_manage", args=[event.pk]), {"action": "move", "to": "published"}
    )
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert list(event.status_changes.values_list("from_status", "to_status", "by")) == [
        ("", "draft", people.manager.pk),
        ("draft", "published", people.manager.pk),
    ]
    public = client.get(reverse("consultations:event_detail", args=[event.pk])).text
    assert "年检新规解读" in public and "区民政局 张科长" in public


def test_staff_edit_an_event_its_agenda_and_capacity_offers_new_seats(client, people, pinned):
    event = make_event(capacity=1)
    event.agenda.create(starts_at="09:00", title="旧议程")
    services.registration_create(event=event, by=people.alice, kind="resident", name="甲", now=NOW)
    waiting = services.registration_create(event=event, by=people.bob, kind="resident", name="乙", now=NOW)
    assert waiting.status == Registration.Status.WAITLISTED
    client.force_login(people.manager)
    edit = client.get(reverse("consultations:event_edit", args=[event.pk]))
    assert edit.status_code == 200 and "旧议程" in edit.text and event.title in edit.text
    r = client.post(
        reverse("consultations:event_edit", args=[event.pk]),
        event_post(
            title="改期后的培训",
            capacity="2",
            **{
                "agenda-TOTAL_FORMS": "2",
                "agenda-INITIAL_FORMS": "1",
                "agenda-0-starts_at": "14:00",
                "agenda-0-title": "新议程",
                "agenda-1-starts_at": "",
                "agenda-1-title": "",
            },
        ),
    )
    assert r.status_code == 302
    event.refresh_from_db()
    waiting.refresh_from_db()
    assert event.title == "改期后的培训" and event.capacity == 2 and event.seats_taken == 2
    assert list(event.agenda.values_list("title", flat=True)) == ["新议程"]
    assert waiting.status == Registration.Status.OFFERED


def test_cancelling_an_event_needs_a_reason_and_cancels_its_registrations(client, people, pinned):
    from center.models import Notification

    event = make_event(capacity=1)
    seat = services.registration_create(event=event, by=people.alice, kind="resident", name="甲", now=NOW)
    services.registration_create(event=event, by=people.bob, kind="resident", name="乙", now=NOW)
    client.force_login(people.manager)
    url = reverse("consultations:event_manage", args=[event.pk])
    page = client.post(url, {"action": "move", "to": "cancelled", "reason": ""}, follow=True)
    assert "请填写理由。" in page.text
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED and not EventStatusChange.objects.exists()

    client.post(url, {"action": "move", "to": "cancelled", "reason": "场地临时维修"})
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED and event.seats_taken == 0
    assert set(Registration.objects.values_list("status", flat=True)) == {"cancelled"}
    assert Notification.objects.filter(user=people.alice, body="场地临时维修").exists()
    seat.refresh_from_db()
    assert seat.status_changes.last().reason == "场地临时维修"
    # a cancelled event is not published again, nor edited
    with pytest.raises(TransitionError):
        services.event_transition(event=event, to="published", by=people.manager, now=NOW)
    assert client.get(reverse("consultations:event_edit", args=[event.pk])).status_code == 302


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"ends_at": "2026-05-27T08:00"}, "ends_at", "The event must end after it starts."),
        (
            {"registration_closes_at": "2026-05-28T09:00"},
            "registration_closes_at",
            "Registration must close before the event starts.",
        ),
        (
            {"registration_opens_at": "2026-05-27T10:00"},
            "registration_opens_at",
            "Registration must open before the event starts.",
        ),
        ({"capacity": "0"}, "capacity", "The capacity must be at least 1."),
        ({"venue": "", "online_url": ""}, "venue", "Give a venue or an online link."),
        ({"title": ""}, "title", "This field is required."),
        ({"agenda-0-starts_at": ""}, "agenda-0-starts_at", "Give the time of this item."),
    ],
)
def test_bad_event_input_is_shown_next_to_its_field_and_nothing_written(
    client, people, pinned, over, field, message
):
    client.force_login(people.manager)
    r = client.post(reverse("consultations:event_create"), event_post(**over), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    # the message sits in the field's own error block, tied to it by its id
    assert f'id="id_{field}_error"><p>{message}</p>' in r.text
    assert not Event.objects.exists() and not AgendaItem.objects.exists()


def test_bad_edit_is_refused_and_the_event_unchanged(client, people, pinned):
    event = make_event(capacity=3)
    services.registration_create(event=event, by=people.alice, kind="resident", name="甲", now=NOW)
    services.registration_create(event=event, by=people.bob, kind="resident", name="乙", now=NOW)
    client.force_login(people.manager)
    url = reverse("consultations:event_edit", args=[event.pk])
    r = client.post(url, event_post(title="新标题", capacity="1"), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and 'id="id_capacity_error"><p>2 seats are already taken.</p>' in r.text
    event.refresh_from_db()
    assert event.title != "新标题" and event.capacity == 3 and not event.agenda.exists()


def test_event_services_refuse_bad_schedules(people):
    data = {
        "title": "培训",
        "kind": kind(),
        "venue": "会议室",
        "starts_at": NOW + timedelta(days=3),
        "ends_at": NOW + timedelta(days=3, hours=2),
        "registration_closes_at": NOW + timedelta(days=4),
        "capacity": 10,
    }
    with pytest.raises(DomainError) as exc:
        services.event_create(by=people.manager, data=data, now=NOW)
    assert exc.value.details["field"] == "registration_closes_at"
    with pytest.raises(PermissionDeniedError):
        services.event_create(by=people.info, data={**data, "registration_closes_at": None}, now=NOW)
    assert not Event.objects.exists()
    past = services.event_create(
        by=people.manager,
        data={**data, "registration_closes_at": None, "starts_at": NOW - timedelta(days=1)},
        now=NOW - timedelta(days=2),
    )
    with pytest.raises(DomainError) as exc:
        services.event_transition(event=past, to="published", by=people.manager, now=NOW)
    assert exc.value.code == "event_past"


# --- consultations --------------------------------------------------------------------------


def test_staff_create_a_consultation_split_into_paragraphs_then_edit_and_publish(client, people, pinned):
    client.force_login(people.manager)
    listing = client.get(reverse("consultations:consultation_manage_list"))
    assert reverse("consultations:consultation_create") in listing.text
    r = client.post(reverse("consultations:consultation_create"), draft_post())
    c = Consultation.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("consultations:consultation_manage", args=[c.pk])
    assert (
        c.status == Consultation.Status.DRAFT
        and c.reply_working_days == 10
        and c.created_by == people.manager
    )
    assert list(c.paragraphs.values_list("number", "heading", "text")) == [
        (1, "第一条 目的", "为培育发展社会组织，制定本办法。"),
        (2, "第二条 范围", "本办法适用于本区登记的社会组织。"),
        (3, "", "附则：本办法自发布之日起施行。"),
    ]
    edit = client.get(reverse("consultations:consultation_edit", args=[c.pk]))
    assert "# 第一条 目的" in edit.text
    r = client.post(
        reverse("consultations:consultation_edit", args=[c.pk]),
        draft_post(body="# 第一条\n修改后的条文。", reply_working_days="15"),
    )
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.reply_working_days == 15
    assert list(c.paragraphs.values_list("heading", "text")) == [("第一条", "修改后的条文。")]
    # published through the existing phase buttons of its staff page
    client.post(
        reverse("consultations:consultation_manage", args=[c.pk]), {"action": "move", "to": "published"}
    )
    c.refresh_from_db()
    assert c.status == Consultation.Status.PUBLISHED
    assert client.get(reverse("consultations:consultation_detail", args=[c.pk])).status_code == 200


def test_the_text_is_locked_once_opinions_are_given_but_dates_may_change(client, people, pinned):
    c = make_consultation()
    services.opinion_create(consultation=c, body="意见", name="王", now=NOW)
    client.force_login(people.manager)
    url = reverse("consultations:consultation_edit", args=[c.pk])
    body = "\n\n".join(f"# 第{i}条\n条文内容{i}" for i in range(1, 4))
    r = client.post(url, draft_post(body="# 第一条\n新的条文。"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'id="id_body_error"><p>The text cannot change once opinions have been given on it.</p>' in r.text
    assert Paragraph.objects.filter(consultation=c).count() == 3
    r = client.post(url, draft_post(body=body, title="新标题"))
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.title == "新标题" and Opinion.objects.get().paragraph is None


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"closes_at": "2026-05-14T09:00"}, "closes_at", "Opinions must close after they open."),
        ({"reply_working_days": "0"}, "reply_working_days", "Between 1 and 60 working days."),
        ({"body": "\n\n   \n"}, "body", "This field is required."),
        ({"body": "# 只有标题"}, "body", "The draft text is empty."),
    ],
)
def test_bad_consultation_input_is_shown_next_to_its_field_and_nothing_written(
    client, people, pinned, over, field, message
):
    client.force_login(people.manager)
    r = client.post(
        reverse("consultations:consultation_create"), draft_post(**over), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 200 and f'id="id_{field}_error"><p>{message}</p>' in r.text
    assert not Consultation.objects.exists() and not Paragraph.objects.exists()


def test_paragraph_splitting():
    assert services.paragraphs_from_text("# 第一章 总则\n\n第一条 内容\n\n\n第二条\n内容") == [
        ("第一章 总则", "第一条 内容"),
        ("", "第二条\n内容"),
    ]
    assert services.paragraphs_from_text("  \n\n") == []


# --- refusals from the refused side ---------------------------------------------------------


def test_residents_organizations_department_contacts_and_other_staff_are_refused(client, people, pinned):
    make_department(contact_user=people.civil_contact)
    event = make_event(status=Event.Status.DRAFT)
    c = make_consultation(status=Consultation.Status.DRAFT)
    before = (Event.objects.count(), Consultation.objects.count(), AgendaItem.objects.count())
    posts = [
        (reverse("consultations:event_create"), event_post()),
        (reverse("consultations:event_edit", args=[event.pk]), event_post(title="被改")),
        (reverse("consultations:event_manage", args=[event.pk]), {"action": "move", "to": "published"}),
        (reverse("consultations:consultation_create"), draft_post()),
        (reverse("consultations:consultation_edit", args=[c.pk]), draft_post(title="被改")),
    ]
    for user in (people.alice, people.owner, people.civil_contact, people.info):
        client.force_login(user)
        for url, data in posts:
            if "/edit/" in url or "/new/" in url:  # other staff may look at the desk, not change it
                assert client.get(url).status_code == 403, (user, url)
            assert client.post(url, data).status_code == 403, (user, url)
    client.logout()
    for url, data in posts:
        r = client.post(url, data)
        assert r.status_code == 302 and "/login" in r["Location"]
    assert (Event.objects.count(), Consultation.objects.count(), AgendaItem.objects.count()) == before
    event.refresh_from_db()
    c.refresh_from_db()
    assert event.status == "draft" and event.title != "被改" and c.title != "被改"


def test_a_new_time_or_place_is_told_to_those_registered_once_per_change(people, pinned):
    from center.models import Notification

    event = make_event(capacity=1, status=Event.Status.PUBLISHED)
    services.registration_create(event=event, by=people.alice, kind="resident", name="甲", now=NOW)
    services.registration_create(event=event, by=people.bob, kind="resident", name="乙", now=NOW)  # waiting
    data = {
        "title": event.title,
        "kind": event.kind,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "capacity": 1,
        "venue": event.venue,
    }
    services.event_update(event=event, by=people.manager, data={**data, "title": "新标题"}, now=NOW)
    assert not Notification.objects.filter(title__startswith="活动变更").exists()  # the title is no news
    later = event.starts_at + timedelta(days=1)
    services.event_update(
        event=event,
        by=people.manager,
        data={**data, "starts_at": later, "ends_at": later + timedelta(hours=2)},
        now=NOW,
    )
    for person in (people.alice, people.bob):
        notes = Notification.objects.filter(user=person, title__startswith="活动变更")
        assert (
            notes.count() == 1 and later.astimezone(NOW.tzinfo).strftime("%Y-%m-%d %H:%M") in notes.get().body
        )
    assert not Notification.objects.filter(user=people.carol).exists()
