"""Research topics: proposed → approved → assigned → milestones → report submitted to
departments → their feedback → published; refusals; milestone reminders sent once."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from center.errors import DomainError, PermissionDeniedError, TransitionError
from center.models import Notification
from consultations import services
from consultations.models import Milestone, ReportSubmission, ResearchTopic
from tests.consultations.factories import make_department

pytestmark = pytest.mark.django_db
R = ResearchTopic.Status
TZ = ZoneInfo("Asia/Shanghai")
# Working weeks of September 2026, away from the Mid-Autumn and National Day holidays.
MONDAY = datetime(2026, 9, 7, 10, 0, tzinfo=TZ)


def at(day: int, hour: int = 10) -> datetime:
    return MONDAY.replace(day=day, hour=hour)


@pytest.fixture
def topic(people):
    return ResearchTopic.objects.create(
        year=2026,
        title="社区社会组织参与基层治理的路径研究",
        summary="来自热线诉求中反复出现的议题。",
        source=ResearchTopic.Source.HOTLINE,
    )


def test_the_whole_research_workflow(client, people, topic):
    civil = make_department("civil", "区民政局", contact_user=people.civil_contact)
    finance = make_department("finance", "区财政局", contact_user=people.finance_contact)
    m = people.manager

    assert services.research_transition(topic=topic, to=R.APPROVED, by=m, now=at(7)).changed
    topic.team = "宁波大学公共管理学院课题组"
    topic.lead = people.carol
    topic.save()
    services.research_transition(topic=topic, to=R.ASSIGNED, by=m, now=at(8))
    plan = Milestone.objects.create(topic=topic, kind="plan", due_date=date(2026, 9, 18))
    Milestone.objects.create(topic=topic, kind="midterm", due_date=date(2026, 10, 30))
    Milestone.objects.create(topic=topic, kind="final", due_date=date(2026, 11, 30))

    # the team lead marks the plan done (not the department contacts)
    with pytest.raises(PermissionDeniedError):
        services.milestone_complete(milestone=plan, by=people.civil_contact)
    services.milestone_complete(milestone=plan, by=people.carol, note="研究方案已评审", now=at(16))
    with pytest.raises(DomainError):
        services.milestone_complete(milestone=plan, by=people.carol, now=at(17))

    # no report yet: nothing is submitted
    with pytest.raises(DomainError) as exc:
        services.report_submit(topic=topic, departments=[civil, finance], by=m, now=at(17))
    assert exc.value.code == "report_required"
    topic.refresh_from_db()
    assert topic.status == R.ASSIGNED and not ReportSubmission.objects.exists()

    topic.report_summary = "建议建立社区社会组织孵化清单。"
    topic.save()
    subs = services.report_submit(topic=topic, departments=[civil, finance], by=m, now=at(17))
    topic.refresh_from_db()
    assert topic.status == R.SUBMITTED and topic.submitted_at == at(17)
    assert {s.department for s in subs} == {civil, finance}

    # each department sees and answers only its own submission, through the topic's page
    client.force_login(people.civil_contact)
    url = reverse("consultations:research_detail", args=[topic.pk])
    assert client.get(url).status_code == 200
    civil_sub = ReportSubmission.objects.get(department=civil)
    finance_sub = ReportSubmission.objects.get(department=finance)
    client.post(url, {"action": "feedback", "submission": finance_sub.pk, "feedback": "冒充财政局"})
    finance_sub.refresh_from_db()
    assert finance_sub.feedback == ""
    client.post(
        url, {"action": "feedback", "submission": civil_sub.pk, "feedback": "建议已纳入明年工作要点。"}
    )
    civil_sub.refresh_from_db()
    topic.refresh_from_db()
    assert civil_sub.feedback == "建议已纳入明年工作要点。" and topic.status == R.FEEDBACK

    # not public until published
    client.logout()
    assert client.get(url).status_code == 404
    assert topic.title not in client.get(reverse("consultations:research_list")).text
    services.research_transition(topic=topic, to=R.PUBLISHED, by=m, now=at(18))
    topic.refresh_from_db()
    assert topic.published_at == at(18)
    assert topic.title in client.get(reverse("consultations:research_list")).text
    assert client.get(url).status_code == 200
    assert list(topic.status_changes.values_list("to_status", flat=True)) == [
        R.APPROVED,
        R.ASSIGNED,
        R.SUBMITTED,
        R.FEEDBACK,
        R.PUBLISHED,
    ]


def test_refused_transitions_write_nothing(people, topic):
    with pytest.raises(TransitionError):
        services.research_transition(topic=topic, to=R.PUBLISHED, by=people.manager)
    with pytest.raises(PermissionDeniedError):
        services.research_transition(topic=topic, to=R.APPROVED, by=people.info)
    services.research_transition(topic=topic, to=R.APPROVED, by=people.manager)
    with pytest.raises(DomainError) as exc:  # no expert team named yet
        services.research_transition(topic=topic, to=R.ASSIGNED, by=people.manager)
    assert exc.value.code == "team_required"
    topic.refresh_from_db()
    assert topic.status == R.APPROVED
    assert list(topic.status_changes.values_list("to_status", flat=True)) == [R.APPROVED]


def test_a_rejected_topic_goes_no_further(people, topic):
    services.research_transition(topic=topic, to=R.REJECTED, by=people.manager, reason="与去年课题重复")
    with pytest.raises(TransitionError):
        services.research_transition(topic=topic, to=R.APPROVED, by=people.manager)


def test_milestone_reminders_five_working_days_before_each_sent_once(people, topic):
    topic.status, topic.lead = R.ASSIGNED, people.carol
    topic.save()
    # Friday 18 September: five working days before is Friday 11 September
    plan = Milestone.objects.create(topic=topic, kind="plan", due_date=date(2026, 9, 18))
    Milestone.objects.create(topic=topic, kind="midterm", due_date=date(2026, 10, 30))

    assert services.milestone_reminders(today=date(2026, 9, 10)) == 0
    assert services.milestone_reminders(today=date(2026, 9, 11)) == 1
    assert services.milestone_reminders(today=date(2026, 9, 11)) == 0
    assert services.milestone_reminders(today=date(2026, 9, 14)) == 0
    lead_notes = Notification.objects.filter(user=people.carol)
    assert lead_notes.count() == 1 and "2026-09-18" in lead_notes.get().title
    # the staff in charge (resource department, administration) hear of it too; other staff not
    assert Notification.objects.filter(user=people.manager).count() == 1
    assert not Notification.objects.filter(user=people.info).exists()

    # a milestone already done is not reminded
    plan.delete()
    done = Milestone.objects.create(topic=topic, kind="final", due_date=date(2026, 9, 18), done_at=at(10))
    assert services.milestone_reminders(today=date(2026, 9, 14)) == 0
    assert done.pk
