"""Incubation demo data, relative to today (the same shape on any day):

- the district base (about 3,500 m²): 20 offices, 40 open desks, 3 meeting rooms (one needs
  approval) and a training room over three floors; a street sub-base (南门街道) with two
  offices and a meeting room, managed by handler_nanmen;
- 15 current incubatees with agreements and waivers (org1 is one of them), one agreement
  ending within 30 days, one quarterly report overdue, earlier reports filed and assessed;
- 星星的孩子 (org_stars's 星星的孩子家长互助论坛) as a 2011–2012 graduate, listed publicly;
- an open call with two applications in different states (submitted, screened), one of
  them from a grassroots group;
- this week's bookings of the meeting rooms, including a weekly recurring one.

Idempotent: keyed on the district base's name.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from center.calendar import add_working_days, is_working_day
from center.dates import add_months
from center.models import NetworkUnit, User
from incubation import services
from incubation.models import (
    Agreement,
    AgreementStatusChange,
    Application,
    Base,
    Booking,
    BookingSeries,
    EntryCall,
    GraduationEvaluation,
    Handover,
    Incubatee,
    Indicator,
    IndicatorSheet,
    QuarterlyReport,
    ServiceLogEntry,
    Space,
    Waiver,
)
from organizations.models import Membership, Organization

BASE_NAME = "海曙区社会组织孵化基地"
SUB_BASE_NAME = "南门街道社会组织孵化分基地"
STARS = "星星的孩子家长互助论坛"
GROUP_NAMES = ["银杏树下读书会（筹）", "海曙护河志愿小队（筹）"]


def _aware(day: date, hh: int, mm: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


def _user(username: str, **fields) -> User:
    from center.demo import DEMO_PASSWORD

    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _sheets():
    entry = IndicatorSheet.objects.create(name="入驻评估指标", kind=IndicatorSheet.Kind.ENTRY, pass_mark=60)
    for i, (name, w) in enumerate(
        [("公益使命与服务需求", 30), ("团队与治理", 25), ("项目方案可行性", 30), ("发展潜力", 15)]
    ):
        Indicator.objects.create(sheet=entry, name=name, weight=w, order=i)
    quarterly = IndicatorSheet.objects.create(
        name="季度考核指标", kind=IndicatorSheet.Kind.QUARTERLY, pass_mark=60
    )
    for i, (name, w) in enumerate([("活动开展", 40), ("服务人数", 30), ("规范管理", 30)]):
        Indicator.objects.create(sheet=quarterly, name=name, weight=w, order=i)
    grad = IndicatorSheet.objects.create(
        name="出壳评估指标", kind=IndicatorSheet.Kind.GRADUATION, pass_mark=70
    )
    for i, (name, w) in enumerate([("依法登记", 30), ("治理结构", 25), ("品牌项目", 25), ("资金来源", 20)]):
        Indicator.objects.create(sheet=grad, name=name, weight=w, order=i)
    return entry, quarterly


def _spaces(base: Base) -> dict[str, list[Space]]:
    out: dict[str, list[Space]] = {"office": [], "desk": [], "room": []}
    rows = []
    # floor 1: roadshow-free lobby side: meeting rooms and the training room
    rows.append(
        Space(
            base=base,
            code="M101",
            name="第一会议室",
            kind="meeting_room",
            floor=1,
            grid_x=0,
            grid_y=0,
            grid_w=2,
            capacity=12,
            area_m2=Decimal("40"),
            equipment="投影仪、白板、视频会议",
        )
    )
    rows.append(
        Space(
            base=base,
            code="M102",
            name="第二会议室",
            kind="meeting_room",
            floor=1,
            grid_x=2,
            grid_y=0,
            grid_w=2,
            capacity=8,
            area_m2=Decimal("28"),
            equipment="电视屏、白板",
        )
    )
    rows.append(
        Space(
            base=base,
            code="M103",
            name="洽谈室",
            kind="meeting_room",
            floor=1,
            grid_x=4,
            grid_y=0,
            capacity=6,
            area_m2=Decimal("18"),
            equipment="白板",
            needs_approval=True,
        )
    )
    rows.append(
        Space(
            base=base,
            code="T101",
            name="培训教室",
            kind="training_room",
            floor=1,
            grid_x=5,
            grid_y=0,
            grid_w=3,
            grid_h=2,
            capacity=60,
            area_m2=Decimal("120"),
            equipment="音响、投影、60座",
            needs_approval=True,
            max_booking_minutes=480,
            bookable_by=Space.BookableBy.INCUBATEES,
        )
    )
    # floors 2 and 3: ten offices each
    for floor in (2, 3):
        for i in range(10):
            rows.append(
                Space(
                    base=base,
                    code=f"{floor}{i + 1:02d}",
                    name=f"{floor}{i + 1:02d} 办公室",
                    kind="office",
                    floor=floor,
                    grid_x=(i % 5) * 2,
                    grid_y=(i // 5) * 2,
                    grid_w=2,
                    grid_h=2,
                    capacity=4,
                    area_m2=Decimal("30"),
                    monthly_rent=Decimal("1800"),
                    equipment="办公桌椅、网络",
                )
            )
    # floor 1: forty open desks
    for i in range(40):
        rows.append(
            Space(
                base=base,
                code=f"D{i + 1:02d}",
                kind="desk",
                floor=1,
                grid_x=i % 10,
                grid_y=3 + i // 10,
                capacity=1,
                area_m2=Decimal("4"),
                monthly_rent=Decimal("300"),
            )
        )
    Space.objects.bulk_create(rows)
    for sp in Space.objects.filter(base=base).order_by("floor", "code"):
        out["room" if sp.is_facility else sp.kind].append(sp)
    return out


def _org_incubatees(owner_users: dict[str, User], staff: User) -> list[Incubatee]:
    """Fifteen current incubatees: org1's organization, 12 other registered organizations and
    two grassroots groups."""
    result = []
    org1 = owner_users.get("org1")
    taken: set[int] = set()
    if org1 is not None:
        m = Membership.objects.filter(user=org1, role="owner").select_related("organization").first()
        if m:
            result.append(
                Incubatee(
                    name=m.organization.name,
                    organization=m.organization,
                    contact=org1,
                    service_area="社区服务",
                )
            )
            taken.add(m.organization_id)
    for org in (
        Organization.objects.filter(status="verified")
        .exclude(name=STARS)
        .exclude(pk__in=taken)
        .order_by("pk")[:12]
    ):
        owner = User.objects.filter(memberships__organization=org, memberships__role="owner").first() or staff
        result.append(Incubatee(name=org.name, organization=org, contact=owner, service_area="公益服务"))
    for i, name in enumerate(GROUP_NAMES):
        contact = _user(f"group{i + 1}", role=User.Role.RESIDENT, display_name=f"{name} 联系人")
        result.append(
            Incubatee(name=name, contact=contact, members="发起人及志愿者约10人", service_area="社区公益")
        )
    for inc in result:
        inc.status = Incubatee.Status.INCUBATING
        inc.listed_publicly = True
    Incubatee.objects.bulk_create(result)
    return list(Incubatee.objects.filter(status=Incubatee.Status.INCUBATING).order_by("pk"))


def _agreements(incubatees, offices, desks, staff, today, quarterly_sheet) -> None:
    for i, inc in enumerate(incubatees):
        space = offices[i] if i < 12 else desks[i - 12]
        starts = add_months(today, -(3 + (i * 2) % 10))
        ends = add_months(starts, 12) - timedelta(days=1)
        if i == 0:
            ends = today + timedelta(days=20)  # ending within 30 days
            starts = add_months(ends, -12) + timedelta(days=1)
        agreement = services.agreement_create(
            incubatee=inc,
            space=space,
            starts_on=starts,
            ends_on=ends,
            by=staff,
            deposit=Decimal("2000") if space.kind == "office" else Decimal("500"),
            conditions="遵守基地管理制度，按时提交季度报告。",
            waivers=[
                {
                    "item": "rent",
                    "percent": 100,
                    "monthly_value": space.monthly_rent,
                    "starts_on": starts,
                    "ends_on": min(ends, add_months(starts, 6) - timedelta(days=1)),
                },
                {
                    "item": "rent",
                    "percent": 50,
                    "monthly_value": space.monthly_rent,
                    "starts_on": min(ends, add_months(starts, 6)),
                    "ends_on": ends,
                },
                {
                    "item": "electricity",
                    "percent": 50,
                    "monthly_value": Decimal("200"),
                    "starts_on": starts,
                    "ends_on": ends,
                },
                {
                    "item": "water",
                    "percent": 100,
                    "monthly_value": Decimal("40"),
                    "starts_on": starts,
                    "ends_on": ends,
                },
            ],
        )
        Space.objects.filter(pk=space.pk).update(status=Space.Status.OCCUPIED)
        # reports already due: filed and assessed, except the latest one of the second
        # incubatee (overdue)
        past = list(
            QuarterlyReport.objects.filter(agreement=agreement, due_on__lt=today).order_by("year", "quarter")
        )
        for j, report in enumerate(past):
            if i == 1 and j == len(past) - 1:
                continue
            report.status = QuarterlyReport.Status.ASSESSED
            report.activities = "开展社区活动、志愿者培训"
            report.people_served = 120 + 10 * j
            report.volunteers = 15
            report.income = Decimal("8000")
            report.submitted_at = _aware(report.due_on, 10)
            report.score = Decimal("78")
            report.passed = True
            report.assessed_by = staff
            report.assessed_at = _aware(report.due_on, 15)
            report.save()
        ServiceLogEntry.objects.create(
            incubatee=inc,
            kind=ServiceLogEntry.Kind.MENTORING,
            date=starts + timedelta(days=20),
            hours=Decimal("2"),
            given_by=staff,
            summary="入驻辅导：财务与治理",
            outcome="建立财务制度",
        )
        if i % 3 == 0:
            ServiceLogEntry.objects.create(
                incubatee=inc,
                kind=ServiceLogEntry.Kind.FUNDER_INTRO,
                date=starts + timedelta(days=60),
                hours=Decimal("1.5"),
                expert="宁波市慈善总会 项目官员",
                summary="对接基金会资助",
                outcome="提交资助申请一份",
            )


def _stars(staff: User) -> None:
    org = Organization.objects.filter(name=STARS).first()
    contact = User.objects.filter(username="org_stars").first() or staff
    inc = Incubatee.objects.create(
        name=STARS if org else "星星的孩子家长互助小组",
        organization=org,
        contact=contact,
        members="自闭症儿童家长",
        service_area="自闭症儿童家庭互助",
        status=Incubatee.Status.GRADUATED,
        graduated_on=date(2012, 2, 29),
        listed_publicly=True,
        created_at=_aware(date(2011, 2, 20), 9),
    )
    agreement = Agreement.objects.create(
        number="FH2011-0001",
        incubatee=inc,
        space=None,
        starts_on=date(2011, 3, 1),
        ends_on=date(2012, 2, 29),
        status=Agreement.Status.GRADUATED,
        deposit=Decimal("0"),
        conditions="2009年起为家长自发互助小组，2011年入驻孵化，2012年2月在中心帮助下登记注册。",
    )
    AgreementStatusChange.objects.create(
        agreement=agreement,
        by=staff,
        at=_aware(date(2012, 2, 29), 10),
        from_status="active",
        to_status="graduated",
        reason="登记注册成立，顺利出壳",
    )
    GraduationEvaluation.objects.create(
        agreement=agreement,
        registered=True,
        governance=True,
        running_project=True,
        funding_secured=True,
        panel="中心出壳评估小组",
        notes="已登记为社会团体，治理结构健全，品牌项目持续运行。",
        outcome=GraduationEvaluation.Outcome.GRADUATE,
        decided_by=staff,
        decided_on=date(2012, 2, 29),
    )
    Handover.objects.create(
        agreement=agreement,
        started_on=date(2012, 2, 29),
        due_on=date(2012, 3, 21),
        keys_returned=True,
        desks_cleared=True,
        deposit_refunded=True,
        status=Handover.Status.DONE,
        done_at=_aware(date(2012, 3, 9), 16),
    )


def _call_and_applications(base, entry_sheet, staff, today) -> None:
    now = timezone.now()
    call = EntryCall.objects.create(
        base=base,
        title=f"{today.year}年度社会组织入驻孵化招募",
        places=6,
        opens_at=now - timedelta(days=20),
        closes_at=now + timedelta(days=25),
        criteria="在海曙区开展公益服务的社会组织或尚未登记的社区社会组织（草根团队）；有明确的服务对象与项目计划；团队至少3人。",
        sheet=entry_sheet,
    )
    org2 = User.objects.filter(username="org2").first()
    org2_org = (
        Organization.objects.filter(memberships__user=org2, memberships__role="owner").first()
        if org2
        else None
    )
    if org2 and org2_org:
        app = services.application_create(
            call=call,
            user=org2,
            organization_id=org2_org.pk,
            service_area="助老服务",
            team="社工3人、志愿者12人",
            plan="在入驻期间建立社区老年助餐点志愿者队伍，一年服务老人200名。",
            space_need="office",
            now=now,
        )
        services.application_transition(app, to="submitted", by=org2)
    contact = _user("group_new", role=User.Role.RESIDENT, display_name="青苗亲子共读小组 联系人")
    app = services.application_create(
        call=call,
        user=contact,
        group_name="青苗亲子共读小组",
        members="家长志愿者8人",
        service_area="亲子阅读",
        team="发起人2名，家长志愿者8名",
        plan="每周末在社区开展亲子共读，筹备登记注册。",
        space_need="desks",
        desks_needed=2,
        now=now,
    )
    services.application_transition(app, to="submitted", by=contact)
    services.application_transition(app, to="screened", by=staff)


def _bookings(rooms, incubatees, staff, today) -> None:
    monday = today - timedelta(days=today.weekday())
    slots = [(9, 0, 60), (10, 30, 90), (14, 0, 120), (16, 0, 60)]
    titles = ["项目例会", "志愿者培训", "理事会", "资助方座谈", "新入驻辅导", "财务培训"]
    rows = []
    k = 0
    for d in range(5):
        day = monday + timedelta(days=d)
        if not is_working_day(day):
            continue
        for r, room in enumerate(rooms[:3]):
            for s, (hh, mm, minutes) in enumerate(slots):
                if (d + r + s) % 3 == 0:
                    continue
                inc = incubatees[k % len(incubatees)]
                start = _aware(day, hh, mm)
                rows.append(
                    Booking(
                        space=room,
                        booked_by=inc.contact,
                        incubatee=inc,
                        organization=inc.organization,
                        title=titles[k % len(titles)],
                        starts_at=start,
                        ends_at=start + timedelta(minutes=minutes),
                        status=Booking.Status.CONFIRMED,
                        checked_in_at=start if start < timezone.now() else None,
                    )
                )
                k += 1
    # one pending pre-booking of the room that needs approval
    day = add_working_days(today, 2)
    rows.append(
        Booking(
            space=rooms[2],
            booked_by=incubatees[2].contact,
            incubatee=incubatees[2],
            title="合作洽谈",
            starts_at=_aware(day, 15),
            ends_at=_aware(day, 16),
            status=Booking.Status.PENDING,
        )
    )
    Booking.objects.bulk_create(rows)
    # a weekly recurring booking (every Monday 08:30–09:30 for six weeks, training room)
    owner = incubatees[0]
    training = rooms[3]
    series = BookingSeries.objects.create(
        space=training,
        booked_by=owner.contact,
        title="每周一晨会",
        rrule="FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;COUNT=6",
    )
    weekly = []
    for w in range(6):
        day = monday + timedelta(weeks=w)
        if not is_working_day(day):
            continue
        weekly.append(
            Booking(
                space=training,
                booked_by=owner.contact,
                incubatee=owner,
                organization=owner.organization,
                series=series,
                title="每周一晨会",
                starts_at=_aware(day, 8, 30),
                ends_at=_aware(day, 9, 30),
                status=Booking.Status.CONFIRMED,
            )
        )
    Booking.objects.bulk_create(weekly)


@transaction.atomic
def load_incubation_demo(stdout=None) -> None:
    if Base.objects.filter(name=BASE_NAME).exists():
        if stdout:
            stdout.write("incubation demo already loaded")
        return
    today = timezone.localdate()
    staff = User.objects.filter(username="staff_operations").first() or _user(
        "staff_operations",
        role=User.Role.STAFF,
        department=User.Department.OPERATIONS,
        is_staff=True,
        display_name="项目运作部 张老师",
    )
    base = Base.objects.create(
        name=BASE_NAME,
        address="宁波市海曙区（区社会组织服务中心内）",
        area_m2=Decimal("3500"),
        opened_on=date(2010, 12, 1),
        description="区社会组织服务中心的孵化基地：独立办公室、开放工位、会议室和培训教室，提供入驻辅导、培训、咨询和资源对接。",
        how_to_apply="关注入驻批次公告，通过门户在线提交入驻申请；尚未登记的社区社会组织（草根团队）由联系人注册账户后申请。",
    )
    nanmen = NetworkUnit.objects.filter(code="nanmen").first()
    sub = Base.objects.create(
        name=SUB_BASE_NAME,
        address="海曙区南门街道",
        area_m2=Decimal("260"),
        street=nanmen,
        opened_on=date(2019, 5, 1),
        description="南门街道社会组织服务站内的孵化分基地，由街道社会组织联合会管理。",
    )
    Space.objects.bulk_create(
        [
            Space(
                base=sub,
                code="N201",
                name="分基地办公室一",
                kind="office",
                floor=2,
                grid_x=0,
                grid_y=0,
                grid_w=2,
                grid_h=2,
                area_m2=Decimal("25"),
                monthly_rent=Decimal("800"),
            ),
            Space(
                base=sub,
                code="N202",
                name="分基地办公室二",
                kind="office",
                floor=2,
                grid_x=2,
                grid_y=0,
                grid_w=2,
                grid_h=2,
                area_m2=Decimal("25"),
                monthly_rent=Decimal("800"),
            ),
            Space(
                base=sub,
                code="NM1",
                name="分基地会议室",
                kind="meeting_room",
                floor=2,
                grid_x=4,
                grid_y=0,
                grid_w=2,
                grid_h=2,
                capacity=10,
                area_m2=Decimal("30"),
            ),
        ]
    )
    entry_sheet, quarterly_sheet = _sheets()
    spaces = _spaces(base)
    Space.objects.filter(base=base, code__in=["309", "310"]).update(status=Space.Status.MAINTENANCE)
    owners = {u.username: u for u in User.objects.filter(username__in=["org1", "org2"])}
    incubatees = _org_incubatees(owners, staff)
    _agreements(incubatees, spaces["office"], spaces["desk"], staff, today, quarterly_sheet)
    _stars(staff)
    _call_and_applications(base, entry_sheet, staff, today)
    _bookings(spaces["room"], incubatees, staff, today)
    # a waiver line is staff-decided: nothing more to add; count for the log line
    if stdout:
        stdout.write(
            f"incubation: {Space.objects.count()} spaces, {Agreement.objects.count()} agreements, "
            f"{Waiver.objects.count()} waivers, {Booking.objects.count()} bookings, "
            f"{Application.objects.count()} applications"
        )
