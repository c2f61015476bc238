"""Demo data: about 300 organizations over Haishu's streets, two inspection campaigns, the
abnormal list and graded organizations; and the bench seeder (100,000 × scale organizations).

Idempotent: once the 2025 campaign exists, the demo is considered loaded. Everything is
written with bulk_create so it loads in a few seconds.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from center.models import NetworkUnit, User
from organizations.credit_codes import make_credit_code
from organizations.models import (
    AnnualReport,
    AnnualReportStatusChange,
    GradingEvaluation,
    GradingThreshold,
    InspectionCampaign,
    JoinRequest,
    Membership,
    Organization,
    OrganizationStatusChange,
    ServiceArea,
)

T = Organization.Type
S = Organization.Status
R = AnnualReport.Status
RES = AnnualReport.Result

STARS = "星星的孩子家长互助论坛"
THEMES = [
    ("夕阳红", "elderly"),
    ("银龄", "elderly"),
    ("助残", "disabled"),
    ("阳光", "disabled"),
    ("爱心", "poverty"),
    ("慈济", "charity"),
    ("春苗", "children"),
    ("书香", "culture"),
    ("和美", "mediation"),
    ("绿色", "environment"),
    ("红帆", "volunteering"),
    ("康乐", "health"),
    ("睦邻", "community"),
    ("启明", "education"),
    ("同心", "social_work"),
    ("暖心", "orphans"),
    ("乐龄", "elderly"),
    ("彩虹", "children"),
    ("善行", "poverty"),
    ("邻里", "community"),
]
KINDS = {
    T.SOCIAL_GROUP: ["志愿者协会", "公益联合会", "文化促进会", "互助会", "服务协会"],
    T.PRIVATE_NON_ENTERPRISE: ["社会工作服务中心", "养老服务中心", "康复服务中心", "公益服务社", "培训学校"],
    T.FOUNDATION: ["慈善基金会", "教育基金会", "公益基金会"],
    T.COMMUNITY: ["志愿服务队", "文体队", "调解小组", "读书会", "巡防队"],
}
SUPERVISORS = [
    "海曙区民政局",
    "海曙区残疾人联合会",
    "海曙区教育局",
    "海曙区文化和广电旅游体育局",
    "海曙区卫生健康局",
    "",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
OWNED_TYPES = [
    T.SOCIAL_GROUP,
    T.PRIVATE_NON_ENTERPRISE,
    T.FOUNDATION,
    T.COMMUNITY,
    T.PRIVATE_NON_ENTERPRISE,
]  # org1..org5
TYPE_MIX = [T.SOCIAL_GROUP] * 10 + [T.PRIVATE_NON_ENTERPRISE] * 11 + [T.FOUNDATION] * 2 + [T.COMMUNITY] * 7


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


DEMO_CERTIFICATE = "organizations/certificates/demo/registration-certificate.pdf"


def _demo_certificate() -> str:
    """One small PDF stands in for the scans the organizations waiting for verification uploaded."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    if not default_storage.exists(DEMO_CERTIFICATE):
        default_storage.save(
            DEMO_CERTIFICATE,
            ContentFile(
                b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
                b"trailer<</Root 1 0 R>>\n%%EOF\n"
            ),
        )
    return DEMO_CERTIFICATE


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _thresholds() -> None:
    for year in (2023, 2024, 2025, 2026):
        for grade, score in [("5A", 900), ("4A", 800), ("3A", 700), ("2A", 600), ("1A", 500)]:
            GradingThreshold.objects.get_or_create(
                year=year, grade=grade, defaults={"min_score": Decimal(score)}
            )


@transaction.atomic
def load_organizations_demo(stdout=None) -> None:
    _thresholds()
    if InspectionCampaign.objects.filter(year=2025).exists():
        if stdout:
            stdout.write("organizations: demo already loaded")
        return
    rng = random.Random(20101201)
    streets = list(NetworkUnit.objects.filter(level=NetworkUnit.Level.STREET).order_by("sort_order", "path"))
    if not streets:
        raise RuntimeError("load the center demo (network) first")
    communities: dict[int, list[NetworkUnit]] = {}
    for c in NetworkUnit.objects.filter(level=NetworkUnit.Level.COMMUNITY):
        communities.setdefault(c.parent_id, []).append(c)
    areas = {a.code: a for a in ServiceArea.objects.all()}
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["org_stars", "org1", "org2", "org3", "org4", "org5", "admin", "staff_resource"]
        )
    }
    staff = users.get("staff_resource") or users.get("admin")

    # ---- organizations -------------------------------------------------------
    orgs: list[Organization] = []
    org_areas: list[tuple[int, list[str]]] = []
    names = set()
    stars_street = next((s for s in streets if s.code == "nanmen"), streets[0])
    orgs.append(
        Organization(
            name=STARS,
            short_name="星星论坛",
            english_name="Stars' Children Parents' Mutual-Aid Forum",
            org_type=T.SOCIAL_GROUP,
            credit_code=make_credit_code(T.SOCIAL_GROUP, "330203MJ0000001"),
            status=S.VERIFIED,
            street=stars_street,
            community=(communities.get(stars_street.pk) or [None])[0],
            registration_authority="宁波市海曙区民政局",
            registration_date=date(2012, 2, 20),
            legal_representative="陈静",
            supervising_unit="海曙区残疾人联合会",
            registered_funds=Decimal("30000.00"),
            business_scope="自闭症儿童家长互助、心理支持、专家讲座、主题沙龙、大龄患者职业技能培训",
            address="海曙区南门街道解放南路",
            contact_person="陈静",
            phone="13805740001",
            email="stars@example.cn",
            grade="4A",
            grade_valid_until=date(2029, 12, 31),
        )
    )
    org_areas.append((0, ["disabled", "children", "poverty"]))
    names.add(STARS)
    for i in range(1, 300):
        street = streets[i % len(streets)]
        org_type = OWNED_TYPES[i - 1] if i <= 5 else TYPE_MIX[i % len(TYPE_MIX)]
        theme, area = THEMES[(i * 7) % len(THEMES)]
        kind = KINDS[org_type][(i // len(THEMES)) % len(KINDS[org_type])]
        name = f"海曙区{street.name[:2]}{theme}{kind}"
        n = 2
        while name in names:
            name = f"海曙区{street.name[:2]}{theme}{kind}（{n}）"
            n += 1
        names.add(name)
        community = rng.choice(communities.get(street.pk) or [None])
        if i <= 5:
            status = S.VERIFIED
            reg = date(2015 + i, 3, 1)
        else:
            status = S.PENDING if i % 37 == 0 else (S.DEREGISTERED if i % 97 == 0 else S.VERIFIED)
            reg = date(2008, 1, 1) + timedelta(days=rng.randrange(0, 365 * 18 - 60))
        code = None if org_type == T.COMMUNITY else make_credit_code(org_type, f"330203MJ{i + 1:07d}")
        orgs.append(
            Organization(
                name=name,
                short_name=f"{theme}{kind[:2]}",
                org_type=org_type,
                credit_code=code,
                # a community organization gets its filing number when the center verifies it
                filing_number=f"HSBA{reg.year}{i:06d}"
                if org_type == T.COMMUNITY and status != S.PENDING
                else None,
                certificate=_demo_certificate() if status == S.PENDING else "",
                status=status,
                street=street,
                community=community if org_type == T.COMMUNITY or i % 3 == 0 else None,
                registration_authority=f"{street.name}办事处"
                if org_type == T.COMMUNITY
                else "宁波市海曙区民政局",
                registration_date=reg,
                legal_representative=_person(rng),
                supervising_unit="" if org_type == T.COMMUNITY else rng.choice(SUPERVISORS),
                registered_funds=None
                if org_type == T.COMMUNITY
                else Decimal(
                    rng.choice([30000, 50000, 100000, 2000000 if org_type == T.FOUNDATION else 200000])
                ),
                business_scope=f"{areas[area].name}服务、{theme}主题活动、志愿服务",
                address=f"海曙区{street.name}{rng.randint(1, 300)}号",
                contact_person=_person(rng),
                phone=f"138{rng.randint(10000000, 99999999)}",
                email=f"org{i}@example.cn",
            )
        )
        extra = rng.choice(["community", "volunteering", "culture", "health", "education"])
        org_areas.append((i, sorted({area, extra})))
    orgs = Organization.objects.bulk_create(orgs, batch_size=500)  # pks come back (RETURNING)

    through = Organization.service_areas.through
    through.objects.bulk_create(
        [
            through(organization_id=orgs[i].pk, servicearea_id=areas[c].pk)
            for i, codes in org_areas
            for c in codes
        ],
        batch_size=1000,
    )
    OrganizationStatusChange.objects.bulk_create(
        [
            OrganizationStatusChange(
                organization=o,
                from_status="",
                to_status=S.VERIFIED if o.status != S.PENDING else S.PENDING,
                reason="登记证书已核验" if o.status != S.PENDING else "平台自助登记",
                by=staff if o.status != S.PENDING else None,
                at=_aware(max(o.registration_date, date(2024, 1, 2))),
            )
            for o in orgs
        ],
        batch_size=1000,
    )
    deregistered = [o for o in orgs if o.status == S.DEREGISTERED]
    OrganizationStatusChange.objects.bulk_create(
        [
            OrganizationStatusChange(
                organization=o,
                from_status=S.VERIFIED,
                to_status=S.DEREGISTERED,
                reason="自行申请注销",
                by=staff,
                at=_aware(date(2025, 9, 1)),
            )
            for o in deregistered
        ]
    )

    # ---- owners --------------------------------------------------------------
    memberships = []
    if "org_stars" in users:
        memberships.append(
            Membership(organization=orgs[0], user=users["org_stars"], role=Membership.Role.OWNER)
        )
    for i in range(1, 6):
        if f"org{i}" in users:
            memberships.append(
                Membership(organization=orgs[i], user=users[f"org{i}"], role=Membership.Role.OWNER)
            )
    if "org1" in users and "org2" in users:
        memberships.append(Membership(organization=orgs[2], user=users["org1"], role=Membership.Role.MEMBER))
    Membership.objects.bulk_create(memberships, ignore_conflicts=True)
    if "org3" in users:
        JoinRequest.objects.get_or_create(
            organization=orgs[0], user=users["org3"], defaults={"message": "我们想一起参与家长互助活动"}
        )

    # ---- annual inspection 2025 (closed) and 2026 (open) ------------------------
    last = InspectionCampaign.objects.create(
        year=2025,
        opens_on=date(2026, 1, 5),
        deadline=date(2026, 5, 31),
        supervising_unit_deadline=date(2026, 4, 30),
        created_by=staff,
        abnormal_list_done_at=_aware(date(2026, 6, 1), 1),
    )
    this = InspectionCampaign.objects.create(
        year=2026, opens_on=date(2026, 11, 1), deadline=date(2027, 5, 31), created_by=staff
    )
    active = [o for o in orgs if o.status == S.VERIFIED]
    enrolled_2025 = [o for o in active if o.registration_date <= date(2025, 6, 30)]
    never_filed = {o.pk for o in enrolled_2025[6:][::45][:6]}  # a few end up on the abnormal list
    reports, changes = [], []
    for idx, o in enumerate(enrolled_2025):
        if o.pk in never_filed:
            reports.append(AnnualReport(campaign=last, organization=o, status=R.DRAFT))
            continue
        roll = rng.random()
        result = (
            RES.QUALIFIED
            if roll < 0.86 or idx < 6
            else (RES.BASICALLY_QUALIFIED if roll < 0.97 else RES.UNQUALIFIED)
        )
        income = Decimal(rng.randrange(20000, 900000))
        reports.append(
            AnnualReport(
                campaign=last,
                organization=o,
                status=R.ACCEPTED,
                result=result,
                activities="全年开展主题活动、志愿服务和培训。",
                event_count=rng.randint(4, 60),
                beneficiaries=rng.randint(50, 3000),
                income=income,
                expenditure=(income * Decimal("0.9")).quantize(Decimal("0.01")),
                net_assets=Decimal(rng.randrange(10000, 500000)),
                fulltime_staff=rng.randint(0, 12),
                parttime_staff=rng.randint(0, 10),
                volunteers=rng.randint(5, 200),
                has_party_organization=rng.random() < 0.4,
                submitted_at=_aware(date(2026, 3, 1) + timedelta(days=rng.randrange(0, 80))),
                reviewed_at=_aware(date(2026, 6, 10)),
                reviewed_by=staff,
            )
        )
    AnnualReport.objects.bulk_create(reports, batch_size=500)
    abnormal = [o for o in enrolled_2025 if o.pk in never_filed]
    reason = "未在2026-05-31前报送2025年度工作报告"
    Organization.objects.filter(pk__in=never_filed).update(
        status=S.ABNORMAL, abnormal_since=date(2026, 6, 1), abnormal_reason=reason
    )
    OrganizationStatusChange.objects.bulk_create(
        [
            OrganizationStatusChange(
                organization=o,
                from_status=S.VERIFIED,
                to_status=S.ABNORMAL,
                reason=reason,
                at=_aware(date(2026, 6, 1), 1),
            )
            for o in abnormal
        ]
    )
    for r in AnnualReport.objects.filter(campaign=last, status=R.ACCEPTED).only(
        "pk", "submitted_at", "reviewed_at"
    ):
        changes.append(
            AnnualReportStatusChange(report=r, from_status=R.DRAFT, to_status=R.SUBMITTED, at=r.submitted_at)
        )
        changes.append(
            AnnualReportStatusChange(
                report=r,
                from_status=R.SUBMITTED,
                to_status=R.ACCEPTED,
                by=staff,
                at=r.reviewed_at,
            )
        )

    enrolled_2026 = [
        o
        for o in orgs
        if o.status in (S.VERIFIED, S.ABNORMAL)
        and o.pk not in never_filed
        and o.registration_date <= date(2026, 6, 30)
    ]
    reports = []
    for idx, o in enumerate(enrolled_2026):
        filed = idx % 6 == 5 and idx > 5
        status = R.SUBMITTED if filed else R.DRAFT
        if filed and idx % 30 == 11:
            status = R.RETURNED
        elif filed and idx % 30 == 17:
            status = R.ACCEPTED
        income = Decimal(rng.randrange(20000, 900000))
        reports.append(
            AnnualReport(
                campaign=this,
                organization=o,
                status=status,
                result=RES.QUALIFIED if status == R.ACCEPTED else "",
                activities="全年开展主题活动、志愿服务和培训。" if filed else "",
                event_count=rng.randint(4, 60) if filed else None,
                beneficiaries=rng.randint(50, 3000) if filed else None,
                income=income if filed else None,
                expenditure=income * Decimal("0.85") if filed else None,
                net_assets=Decimal(rng.randrange(10000, 500000)) if filed else None,
                fulltime_staff=rng.randint(0, 12) if filed else None,
                parttime_staff=rng.randint(0, 10) if filed else None,
                volunteers=rng.randint(5, 200) if filed else None,
                staff_comments="请补充财务报表附件" if status == R.RETURNED else "",
                submitted_at=_aware(date(2026, 11, 10)) if filed else None,
            )
        )
    # abnormal organizations are enrolled too: they must file to get off the list
    reports += [
        AnnualReport(campaign=this, organization=o)
        for o in abnormal
        if o.registration_date <= date(2026, 6, 30)
    ]
    AnnualReport.objects.bulk_create(reports, batch_size=500)
    for r in (
        AnnualReport.objects.filter(campaign=this)
        .exclude(status=R.DRAFT)
        .only("pk", "status", "submitted_at")
    ):
        changes.append(
            AnnualReportStatusChange(report=r, from_status=R.DRAFT, to_status=R.SUBMITTED, at=r.submitted_at)
        )
        if r.status != R.SUBMITTED:
            changes.append(
                AnnualReportStatusChange(
                    report=r,
                    from_status=R.SUBMITTED,
                    to_status=r.status,
                    by=staff,
                    at=_aware(date(2026, 11, 20)),
                )
            )
    AnnualReportStatusChange.objects.bulk_create(changes, batch_size=1000)

    # ---- grading ---------------------------------------------------------------
    evaluations, graded_orgs = [], []
    candidates = [
        o for o in active[1:] if o.registration_date <= date(2022, 1, 1) and o.pk not in never_filed
    ]
    for idx, o in enumerate(candidates[::7][:30]):
        year = 2022 + idx % 4
        scores = {
            "basic_conditions": Decimal(rng.randint(60, 100)),
            "internal_governance": Decimal(rng.randint(250, 380)),
            "performance": Decimal(rng.randint(250, 370)),
            "social_evaluation": Decimal(rng.randint(90, 150)),
        }
        total = sum(scores.values())
        grade = next(
            (g for g, s in [("5A", 900), ("4A", 800), ("3A", 700), ("2A", 600), ("1A", 500)] if total >= s),
            "",
        )
        scored = date(year, 11, 15)
        valid = scored.replace(year=scored.year + 5) if grade else None
        if idx == 0:  # one whose grade expires within 90 days: the reminder job has work
            valid = date(2027, 1, 31)
        evaluations.append(
            GradingEvaluation(
                organization=o,
                year=year,
                status=GradingEvaluation.Status.GRADED if grade else GradingEvaluation.Status.NOT_GRADED,
                total=total,
                grade=grade,
                valid_until=valid,
                applied_at=_aware(date(year, 9, 1)),
                scored_at=_aware(scored),
                scored_by=staff,
                **scores,
            )
        )
        if grade:
            o.grade, o.grade_valid_until = grade, valid
            graded_orgs.append(o)
    for o in candidates[3::11][:3]:
        if all(e.organization_id != o.pk for e in evaluations):
            evaluations.append(
                GradingEvaluation(organization=o, year=2026, applied_at=_aware(date(2026, 10, 20)))
            )
    # the forum's 4A grade comes from its 2024 evaluation
    evaluations.append(
        GradingEvaluation(
            organization=orgs[0],
            year=2024,
            status=GradingEvaluation.Status.GRADED,
            basic_conditions=Decimal(90),
            internal_governance=Decimal(330),
            performance=Decimal(310),
            social_evaluation=Decimal(130),
            total=Decimal(860),
            grade="4A",
            valid_until=date(2029, 12, 31),
            applied_at=_aware(date(2024, 9, 1)),
            scored_at=_aware(date(2024, 12, 31)),
            scored_by=staff,
        )
    )
    GradingEvaluation.objects.bulk_create(evaluations)
    Organization.objects.bulk_update(graded_orgs, ["grade", "grade_valid_until"])

    if stdout:
        stdout.write(
            f"organizations: {Organization.objects.count()} organizations, "
            f"{Organization.objects.filter(status=S.ABNORMAL).count()} on the abnormal list, "
            f"{AnnualReport.objects.count()} annual reports, {GradingEvaluation.objects.count()} grading evaluations"
        )


def bench_seed(scale: int = 1) -> None:
    """100,000 × scale verified organizations for `make bench` (bulk_create, no history rows)."""
    target = int(100_000 * scale)
    have = Organization.objects.filter(name__startswith="基准组织").count()
    if have >= target:
        return
    streets = list(
        NetworkUnit.objects.filter(level=NetworkUnit.Level.STREET).values_list("pk", flat=True)
    ) or [None]
    area_ids = list(ServiceArea.objects.values_list("pk", flat=True))
    types = [T.SOCIAL_GROUP, T.PRIVATE_NON_ENTERPRISE, T.FOUNDATION]
    themes = [t for t, _a in THEMES]
    through = Organization.service_areas.through
    batch = 5000
    for start in range(have, target, batch):
        chunk = []
        for n in range(start, min(start + batch, target)):
            org_type = types[n % 3]
            chunk.append(
                Organization(
                    name=f"基准组织{themes[n % len(themes)]}{n:06d}号服务中心",
                    org_type=org_type,
                    credit_code=make_credit_code(org_type, f"330203B{n:08d}"),
                    status=S.VERIFIED,
                    street_id=streets[n % len(streets)],
                    registration_date=date(2010, 1, 1) + timedelta(days=n % 5000),
                    registration_authority="宁波市海曙区民政局",
                    grade=["", "", "", "3A", "4A"][n % 5],
                )
            )
        with transaction.atomic():
            created = Organization.objects.bulk_create(chunk, batch_size=batch)
            if area_ids and created and created[0].pk:
                through.objects.bulk_create(
                    [
                        through(organization_id=o.pk, servicearea_id=area_ids[o.pk % len(area_ids)])
                        for o in created
                    ],
                    batch_size=batch,
                )
