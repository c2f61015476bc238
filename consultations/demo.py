"""Demo data for consultations (idempotent; dates relative to today, working days from the
center's calendar, so the demo has the same shape on any day):

- 28 trainings and professional support sessions this year, held, with attendance and
  certificates (the center's "nearly 30" a year);
- 3 upcoming events, one of them full with a waitlist;
- a hearing on a draft policy with 40 opinions forwarded to two departments: 区民政局 is
  overdue in replying, 区财政局 answered and its answers are in the published feedback report;
- research: 2 reports submitted to departments in the previous year, one topic in progress.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from center import calendar
from consultations import services
from consultations.models import (
    AgendaItem,
    Attendance,
    Certificate,
    CheckIn,
    Consultation,
    DepartmentContact,
    Event,
    EventKind,
    Forward,
    GovernmentDepartment,
    Milestone,
    Minutes,
    Opinion,
    Paragraph,
    Registration,
    ReportSubmission,
    ResearchTopic,
)

DEMO_PASSWORD = "demo12345"

KINDS = [
    ("policy_session", "政策咨询会", False),
    ("hearing", "听证会", False),
    ("training", "培训", True),
    ("support", "专业支持活动", True),
    ("salon", "沙龙", False),
    ("lecture", "讲座", False),
]

DEPARTMENTS = [
    ("civil_affairs", "区民政局", "dept_civil", "民政局 周科长"),
    ("finance", "区财政局", "dept_finance", "财政局 吴科长"),
    ("human_resources", "区人力社保局", "", ""),
    ("health", "区卫生健康局", "", ""),
]

TRAININGS = [
    "社会组织财务管理实务培训",
    "年检年报填报辅导",
    "公益项目设计与申报",
    "志愿者管理专题培训",
    "社会组织党建工作培训",
    "公益创投项目中期辅导",
    "社区社会组织能力建设",
    "社会工作专业方法入门",
    "公益传播与新媒体运营",
    "社会组织规范化建设评估辅导",
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"

DRAFT_TITLE = "海曙区社区社会组织培育扶持办法（征求意见稿）"
DRAFT = [
    ("总则", "为培育发展社区社会组织，发挥其在基层治理中的作用，制定本办法。"),
    ("登记与备案", "社区社会组织可以在街道（乡镇）备案，符合条件的依法登记。"),
    ("场地支持", "街道社会组织服务中心为社区社会组织提供免费活动场地。"),
    ("资金扶持", "区财政每年安排专项资金，以项目补贴方式扶持社区社会组织开展服务。"),
    ("人才培养", "每年组织不少于两次骨干培训，提升社区社会组织负责人能力。"),
    ("监督管理", "民政部门对社区社会组织开展年度评估，评估结果向社会公开。"),
]
OPINIONS = [
    "建议明确备案所需材料清单，减少重复提交。",
    "活动场地应当按时段预约，避免冲突。",
    "专项资金的申请门槛过高，小型组织难以达到。",
    "建议增加对老年人服务类组织的倾斜。",
    "培训次数建议增加到每季度一次。",
    "评估结果公开时应保护志愿者个人信息。",
    "希望资金拨付时间提前，方便项目开展。",
    "建议设立线上备案渠道。",
    "场地开放时间应延长至晚上九点。",
    "评估指标应区分不同类型组织。",
]


def _aware(day: date, hour: int = 14, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def ensure_kinds() -> dict[str, EventKind]:
    for i, (code, name, training) in enumerate(KINDS):
        EventKind.objects.get_or_create(
            code=code, defaults={"name": name, "counts_as_training": training, "sort_order": i}
        )
    return {k.code: k for k in EventKind.objects.all()}


def _user(username: str, **fields):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _departments() -> dict[str, GovernmentDepartment]:
    result = {}
    for i, (code, name, username, contact) in enumerate(DEPARTMENTS):
        dept, _ = GovernmentDepartment.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": i}
        )
        if username:
            user = _user(username, role="resident", display_name=contact, email=f"{username}@example.gov.cn")
            DepartmentContact.objects.get_or_create(
                user=user, defaults={"department": dept, "name": contact, "phone": "057487000000"}
            )
        result[code] = dept
    return result


def _past_training_days(today: date, count: int) -> list[date]:
    """`count` working days spread over this year before today (or over the last ten months
    early in the year), oldest first."""
    start = date(today.year, 1, 8)
    end = today - timedelta(days=3)
    if (end - start).days < count * 3:
        start = today - timedelta(days=300)
    step = (end - start).days / count
    return [calendar.next_working_day(start + timedelta(days=int(i * step))) for i in range(count)]


def _held_event(*, title, kind, day, organizer, rng, areas, certificate=True, capacity=40) -> Event:
    event, created = Event.objects.get_or_create(
        title=title,
        defaults={
            "kind": kind,
            "organizer": organizer,
            "organizer_department": "resource",
            "description": "面向社会组织负责人和骨干的能力建设活动。",
            "venue": "海曙区社会组织服务中心 3楼培训室",
            "starts_at": _aware(day, 14),
            "ends_at": _aware(day, 16, 30),
            "registration_opens_at": _aware(day - timedelta(days=20), 9),
            "registration_closes_at": _aware(day - timedelta(days=1), 17),
            "capacity": capacity,
            "gives_certificate": certificate,
            "audience": "organizations",
            "created_at": _aware(day - timedelta(days=25), 9),
        },
    )
    if not created:
        return event
    event.service_areas.set(areas)
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                event=event, starts_at=time(14, 0), title="签到与开场", speaker="资源开发部", sort_order=1
            ),
            AgendaItem(
                event=event, starts_at=time(14, 15), title="专题讲解", speaker="特邀专家", sort_order=2
            ),
            AgendaItem(event=event, starts_at=time(15, 45), title="案例交流与答疑", speaker="", sort_order=3),
        ]
    )
    n = rng.randint(22, 34)
    regs = Registration.objects.bulk_create(
        [
            Registration(
                event=event,
                kind="phone",
                name=_person(rng),
                phone=f"139{rng.randint(10000000, 99999999)}",
                status="confirmed",
                created_at=event.registration_opens_at + timedelta(days=rng.randint(0, 15)),
            )
            for _ in range(n)
        ]
    )
    Event.objects.filter(pk=event.pk).update(seats_taken=n)
    present = [r for r in regs if rng.random() < 0.9]
    CheckIn.objects.bulk_create(
        [
            CheckIn(
                registration=r,
                session=1,
                at=event.starts_at - timedelta(minutes=rng.randint(0, 25)),
                by=organizer,
            )
            for r in present
        ]
    )
    Attendance.objects.bulk_create(
        [Attendance(registration=r, session=1, status="present" if r in present else "absent") for r in regs]
    )
    if certificate:
        Certificate.objects.bulk_create(
            [
                Certificate(
                    registration=r,
                    number=f"HS{day:%Y}-{event.pk:05d}-{r.pk:07d}",
                    holder_name=r.name,
                    issued_at=event.ends_at + timedelta(days=1),
                )
                for r in present
            ]
        )
    Minutes.objects.create(event=event, body=f"{title}顺利举行，{len(present)}人参加。", published=True)
    return event


@transaction.atomic
def load_consultations_demo(stdout=None) -> None:
    rng = random.Random(2026)
    today = timezone.localdate()
    User = get_user_model()
    kinds = ensure_kinds()
    depts = _departments()
    organizer = (
        User.objects.filter(username="staff_resource").first()
        or User.objects.filter(is_superuser=True).first()
    )
    from organizations.selectors import memberships_of_user, service_areas

    areas = list(service_areas())

    # 28 trainings and support sessions held this year
    for i, day in enumerate(_past_training_days(today, 28)):
        kind = kinds["training"] if i % 3 else kinds["support"]
        _held_event(
            title=f"{TRAININGS[i % len(TRAININGS)]}（第{i // len(TRAININGS) + 1}期）",
            kind=kind,
            day=day,
            organizer=organizer,
            rng=rng,
            areas=areas[i % len(areas) : i % len(areas) + 1] if areas else [],
        )
    # the organization account of 星星的孩子 attended one training and got a certificate
    stars = User.objects.filter(username="org_stars").first()
    if stars is not None:
        membership = memberships_of_user(stars).first()
        first = Event.objects.filter(title__startswith=TRAININGS[0]).order_by("starts_at").first()
        if (
            membership
            and first
            and not Registration.objects.filter(event=first, organization=membership.organization).exists()
        ):
            reg = Registration.objects.create(
                event=first,
                kind="organization",
                user=stars,
                organization=membership.organization,
                name="星星的孩子 联系人",
                attendees=2,
                status="confirmed",
                created_at=first.registration_opens_at,
            )
            CheckIn.objects.create(registration=reg, at=first.starts_at - timedelta(minutes=5), by=organizer)
            Attendance.objects.create(registration=reg, session=1, status="present")
            Certificate.objects.create(
                registration=reg,
                number=f"HS{first.starts_at:%Y}-{first.pk:05d}-{reg.pk:07d}",
                holder_name=reg.name,
            )

    # 3 upcoming events; the first is full with a waitlist
    upcoming = [
        ("社会组织年报填报答疑会", kinds["policy_session"], 4, 6, "everyone"),
        ("公益项目评估方法沙龙", kinds["salon"], 9, 30, "organizations"),
        ("居民议事能力讲座", kinds["lecture"], 14, 50, "residents"),
    ]
    now = timezone.now()
    for title, kind, wd, capacity, audience in upcoming:
        day = calendar.add_working_days(today, wd)
        event, created = Event.objects.get_or_create(
            title=title,
            defaults={
                "kind": kind,
                "organizer": organizer,
                "description": "欢迎报名参加。",
                "venue": "海曙区社会组织服务中心 2楼多功能厅",
                "online_url": "https://meeting.example.cn/haishu" if kind.code == "lecture" else "",
                "starts_at": _aware(day, 9, 30),
                "ends_at": _aware(day, 11, 30),
                "registration_opens_at": now - timedelta(days=5),
                "registration_closes_at": _aware(day - timedelta(days=1), 17),
                "capacity": capacity,
                "audience": audience,
                "gives_certificate": kind.code != "lecture",
            },
        )
        if created:
            event.service_areas.set(areas[:2])
            AgendaItem.objects.create(
                event=event, starts_at=time(9, 30), title="主题发言", speaker="资源开发部", sort_order=1
            )
            AgendaItem.objects.create(
                event=event, starts_at=time(10, 30), title="互动交流", speaker="", sort_order=2
            )
    full = Event.objects.get(title=upcoming[0][0])
    if not full.registrations.exists():
        for i in range(6):
            services.registration_create(
                event=full, by=organizer, kind="phone", name=_person(rng), phone=f"1380000{i:04d}", now=now
            )
        for username in ("resident1", "resident2", "resident3"):
            user = User.objects.filter(username=username).first()
            if user is not None:
                services.registration_create(event=full, by=user, kind="resident", name=str(user), now=now)
        for i in range(2):
            services.registration_create(
                event=full, by=organizer, kind="phone", name=_person(rng), phone=f"1380001{i:04d}", now=now
            )

    # the hearing on a draft policy, 40 opinions, forwarded to two departments
    hearing_day = calendar.add_working_days(today, -30)
    hearing, _ = Event.objects.get_or_create(
        title="《社区社会组织培育扶持办法》听证会",
        defaults={
            "kind": kinds["hearing"],
            "organizer": organizer,
            "venue": "海曙区社会组织服务中心 1楼会议厅",
            "starts_at": _aware(hearing_day, 9, 30),
            "ends_at": _aware(hearing_day, 11, 30),
            "capacity": 60,
            "audience": "everyone",
        },
    )
    consultation, created = Consultation.objects.get_or_create(
        title=DRAFT_TITLE,
        defaults={
            "summary": "现就《海曙区社区社会组织培育扶持办法》公开征求意见。",
            "event": hearing,
            "status": Consultation.Status.CLOSED,
            "published_at": _aware(calendar.add_working_days(today, -40), 9),
            "opens_at": _aware(calendar.add_working_days(today, -38), 9),
            "closes_at": _aware(calendar.add_working_days(today, -25), 17),
            "reply_working_days": 15,
            "created_by": organizer,
        },
    )
    if created:
        paragraphs = [
            Paragraph.objects.create(consultation=consultation, number=i, heading=h, text=t)
            for i, (h, t) in enumerate(DRAFT, start=1)
        ]
        residents = list(User.objects.filter(username__in=["resident1", "resident2", "resident3"]))
        opinions = []
        for i in range(40):
            author = residents[i % len(residents)] if residents and i < 6 else None
            opinions.append(
                Opinion.objects.create(
                    consultation=consultation,
                    paragraph=paragraphs[i % len(paragraphs)] if i % 5 else None,
                    author=author,
                    name=str(author) if author else _person(rng),
                    name_public=i % 3 == 0,
                    phone=f"137{rng.randint(10000000, 99999999)}",
                    body=OPINIONS[i % len(OPINIONS)],
                    source="hearing" if i % 8 == 0 else "online",
                    created_at=consultation.opens_at + timedelta(days=i % 12, hours=i % 7),
                )
            )
        forwarded_at = consultation.closes_at + timedelta(days=1)
        civil = [
            o
            for o in opinions
            if o.paragraph and o.paragraph.number in (1, 2, 3, 5, 6) or o.paragraph is None
        ]
        finance = [o for o in opinions if o not in civil]
        for dept, chosen, days_ago in ((depts["civil_affairs"], civil, 24), (depts["finance"], finance, 24)):
            sent = _aware(calendar.add_working_days(today, -days_ago), 10)
            due = calendar.end_of_day(calendar.add_working_days(sent.date(), consultation.reply_working_days))
            forward = Forward.objects.create(
                consultation=consultation,
                department=dept,
                forwarded_at=max(sent, forwarded_at),
                forwarded_by=organizer,
                due_at=due,
            )
            Opinion.objects.filter(pk__in=[o.pk for o in chosen]).update(forward=forward, status="forwarded")
        finance_forward = Forward.objects.get(consultation=consultation, department=depts["finance"])
        contact = DepartmentContact.objects.filter(department=depts["finance"]).select_related("user").first()
        results = ["adopted", "partly", "not_adopted"]
        answered_at = finance_forward.due_at - timedelta(days=3)
        for i, opinion in enumerate(finance_forward.opinions.all()):
            Opinion.objects.filter(pk=opinion.pk).update(
                status="published",
                result=results[i % 3],
                answer="已在修改稿中采纳。"
                if i % 3 == 0
                else ("部分采纳，资金额度另行研究。" if i % 3 == 1 else "现行财政制度不允许，暂不采纳。"),
                answered_at=answered_at,
                answered_by=contact.user if contact else None,
                answered_on_time=True,
            )
        Forward.objects.filter(pk=finance_forward.pk).update(status="replied", replied_at=answered_at)
        Consultation.objects.filter(pk=consultation.pk).update(feedback_published=True)
        Opinion.objects.filter(pk=opinions[7].pk).update(hidden=True, hidden_reason="含有人身攻击内容")

    # research
    last_year = today.year - 1
    topics = [
        ("社区居家养老服务供需对接研究", "hotline", "published", "宁波大学 社会工作研究团队"),
        ("社区社会组织参与基层治理路径研究", "consultation", "feedback", "海曙区社会组织研究会专家组"),
    ]
    for i, (title, source, status, team) in enumerate(topics):
        topic, created = ResearchTopic.objects.get_or_create(
            year=last_year,
            title=title,
            defaults={
                "source": source,
                "status": status,
                "team": team,
                "summary": "课题研究。",
                "report_summary": "报告提出了五项政策建议。",
                "submitted_at": _aware(date(last_year, 10 + i, 15), 10),
                "published_at": _aware(date(last_year, 12, 10), 10) if status == "published" else None,
            },
        )
        if created:
            for kind, month in (("plan", 3), ("midterm", 6), ("final", 9)):
                Milestone.objects.create(
                    topic=topic,
                    kind=kind,
                    due_date=date(last_year, month, 30),
                    done_at=_aware(date(last_year, month, 28), 10),
                )
            for code in ("civil_affairs", "finance") if i == 0 else ("civil_affairs",):
                ReportSubmission.objects.create(
                    topic=topic,
                    department=depts[code],
                    submitted_at=topic.submitted_at,
                    feedback="报告建议已转相关科室研究采纳。",
                    feedback_at=topic.submitted_at + timedelta(days=20),
                )
    topic, created = ResearchTopic.objects.get_or_create(
        year=today.year,
        title="社会组织参与应急救援能力研究",
        defaults={
            "source": "staff",
            "status": "assigned",
            "team": "浙江万里学院 公共管理团队",
            "summary": "在研课题。",
        },
    )
    if created:
        Milestone.objects.create(
            topic=topic,
            kind="plan",
            due_date=today - timedelta(days=60),
            done_at=_aware(today - timedelta(days=62)),
        )
        Milestone.objects.create(topic=topic, kind="midterm", due_date=calendar.add_working_days(today, 4))
        Milestone.objects.create(topic=topic, kind="final", due_date=today + timedelta(days=90))
    if stdout is not None:
        stdout.write("consultations demo: events, a hearing with opinions, research topics")
