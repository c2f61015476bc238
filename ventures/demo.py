"""Ventures demo data.

Last year's round (2025) reproduces the center's published figures exactly (../shared/seed
FACTS.md): 90 applications from demo organizations, all screened and reviewed (5 reviews
each by reviewer1..reviewer12), 61 awarded sharing 1,445,000 yuan over 扶老 / 助残 / 救孤 /
济困, expected beneficiaries of the awarded projects summing to 15,000 direct and 60,000
indirect; the projects are in progress with installments paid and mid-term reports filed.
Plus one round open now. Funds: 福彩公益金 1,000,000 a year and a 社会工作专项经费 fund.

Idempotent (keyed on the rounds' titles and the organizations' credit codes) and fast
(bulk_create for the big tables; review totals are computed by one UPDATE in the database).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum
from django.utils import timezone
from stdnum.cn import uscc

from center.calendar import add_working_days
from center.models import NetworkUnit, User
from organizations.models import Membership, Organization
from ventures.models import (
    Agreement,
    Application,
    ApplicationStatusChange,
    BudgetLine,
    Criterion,
    Evaluation,
    Fund,
    Installment,
    InstallmentRule,
    Milestone,
    ProgressReport,
    Review,
    ReviewScore,
    Round,
    SpendingLine,
)
from ventures.selectors import ExactNumber
from ventures.services import application_scores_refresh_round

S = Application.Status
LAST_YEAR_TITLE = "2025年度海曙区公益创投项目"
OPEN_TITLE = "2027年度海曙区公益创投项目征集"
N_APPLICATIONS = 90
N_AWARDED = 61
TOTAL_AWARDED = Decimal("1445000")
DIRECT_TOTAL = 15000
INDIRECT_TOTAL = 60000
CATEGORIES = ["elderly", "disabled", "orphans", "poor"]
THEMES = {
    "elderly": ["银龄互助", "独居老人关爱", "老年助餐", "认知症友好社区", "老年智能手机课堂"],
    "disabled": ["残障青年就业", "康复陪伴", "无障碍出行", "手语志愿服务", "特殊儿童融合"],
    "orphans": ["困境儿童成长", "孤儿助学", "留守儿童陪伴", "儿童心理支持", "事实无人抚养儿童关爱"],
    "poor": ["困难家庭帮扶", "低保户技能培训", "临时救助对接", "爱心超市", "社区微心愿"],
}
ORG_KINDS = ["社工服务中心", "公益服务中心", "志愿服务中心", "助老服务中心", "社区服务中心", "家庭服务中心"]
AMOUNT_PATTERN = [Decimal(x) for x in (15000, 20000, 25000, 30000, 35000, 18000, 22000, 24000)]
DIRECT_PATTERN = [200, 240, 260, 280, 220, 250, 230, 260]
REVIEWER_COUNT = 12


def demo_credit_code(n: int) -> str:
    base = f"52330203MJD{n:06d}"
    return base + uscc.calc_check_digit(base)


def _amounts() -> list[Decimal]:
    out = [AMOUNT_PATTERN[i % len(AMOUNT_PATTERN)] for i in range(N_AWARDED - 1)]
    out.append(TOTAL_AWARDED - sum(out))
    assert Decimal("5000") <= out[-1] <= Decimal("50000")
    return out


def _direct() -> list[int]:
    out = [DIRECT_PATTERN[i % len(DIRECT_PATTERN)] for i in range(N_AWARDED - 1)]
    out.append(DIRECT_TOTAL - sum(out))
    assert out[-1] > 0
    return out


def _aware(d: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(d.year, d.month, d.day, hour))


def _funds():
    lottery25, _ = Fund.objects.get_or_create(
        source=Fund.Source.WELFARE_LOTTERY,
        year=2025,
        defaults={"name": "福彩公益金", "budget": Decimal("1000000")},
    )
    social25, _ = Fund.objects.get_or_create(
        source=Fund.Source.SOCIAL_WORK,
        year=2025,
        defaults={"name": "社会工作专项经费", "budget": Decimal("500000")},
    )
    lottery27, _ = Fund.objects.get_or_create(
        source=Fund.Source.WELFARE_LOTTERY,
        year=2027,
        defaults={"name": "福彩公益金", "budget": Decimal("1000000")},
    )
    Fund.objects.get_or_create(
        source=Fund.Source.SOCIAL_WORK,
        year=2027,
        defaults={"name": "社会工作专项经费", "budget": Decimal("500000")},
    )
    return lottery25, social25, lottery27


def _configure(rnd: Round) -> None:
    if not rnd.criteria.exists():
        Criterion.objects.bulk_create(
            [
                Criterion(round=rnd, name=n, name_en=en, weight=w, order=i)
                for i, (n, en, w) in enumerate(
                    [
                        ("需求与服务对象", "Needs and beneficiaries", 25),
                        ("项目设计与可行性", "Design and feasibility", 25),
                        ("组织能力与团队", "Organization and team", 20),
                        ("预算合理性", "Budget", 15),
                        ("可持续性与成效", "Sustainability and results", 15),
                    ]
                )
            ]
        )
    if not rnd.installment_rules.exists():
        InstallmentRule.objects.bulk_create(
            [
                InstallmentRule(round=rnd, order=0, percent=50, trigger="signing"),
                InstallmentRule(round=rnd, order=1, percent=30, trigger="midterm_passed"),
                InstallmentRule(round=rnd, order=2, percent=20, trigger="final_passed"),
            ]
        )


def _organizations(n: int) -> list[Organization]:
    streets = list(NetworkUnit.objects.filter(level=NetworkUnit.Level.STREET).order_by("sort_order", "pk"))
    communities = {}
    for c in NetworkUnit.objects.filter(level=NetworkUnit.Level.COMMUNITY).order_by("sort_order", "pk"):
        communities.setdefault(c.parent_id, []).append(c)
    codes = [demo_credit_code(i + 1) for i in range(n)]
    existing = {o.credit_code: o for o in Organization.objects.filter(credit_code__in=codes)}
    new = []
    for i, code in enumerate(codes):
        if code in existing:
            continue
        street = streets[i % len(streets)] if streets else None
        kind = ORG_KINDS[(i // max(len(streets), 1)) % len(ORG_KINDS)]
        prefix = street.name[:2] if street else f"{i + 1}号"
        comm = communities.get(street.pk, [None])[0] if street else None
        new.append(
            Organization(
                name=f"海曙区{prefix}{kind}",
                short_name=f"{prefix}{kind}",
                credit_code=code,
                org_type=Organization.Type.PRIVATE_NON_ENTERPRISE
                if i % 5
                else Organization.Type.SOCIAL_GROUP,
                status=Organization.Status.VERIFIED,
                street=street,
                community=comm,
                registration_date=date(2012 + i % 12, 1 + i % 12, 1 + i % 28),
            )
        )
    Organization.objects.bulk_create(new)
    orgs = {o.credit_code: o for o in Organization.objects.filter(credit_code__in=codes)}
    result = [orgs[c] for c in codes]
    for i in range(1, 6):  # the center's demo organization accounts own the first five
        user = User.objects.filter(username=f"org{i}").first()
        if user:
            Membership.objects.get_or_create(
                organization=result[i - 1], user=user, defaults={"role": "owner"}
            )
    return result


def _reviewers() -> list[User]:
    users = []
    for i in range(1, REVIEWER_COUNT + 1):
        user, created = User.objects.get_or_create(
            username=f"reviewer{i}",
            defaults={
                "role": User.Role.REVIEWER,
                "display_name": f"评审专家{i}",
                "email": f"reviewer{i}@example.cn",
            },
        )
        if created:
            user.set_password("demo12345")
            user.save(update_fields=["password"])
        users.append(user)
    return users


def _last_year(orgs, reviewers, lottery, social, staff) -> Round:
    rnd = Round.objects.create(
        fund=lottery,
        year=2025,
        title=LAST_YEAR_TITLE,
        description="区福彩公益金与社会工作专项经费资助，重点支持扶老、助残、救孤、济困类项目。",
        categories=CATEGORIES,
        cap=Decimal("50000"),
        budget=Decimal("1500000"),
        call_opens=_aware(date(2025, 9, 1), 9),
        call_closes=_aware(date(2025, 10, 15), 17),
        screening_deadline=date(2025, 10, 31),
        review_deadline=date(2025, 11, 20),
        notice_starts=date(2025, 12, 1),
        notice_ends=date(2025, 12, 9),
        reviewers_per_application=5,
        blind_review=True,
    )
    _configure(rnd)
    criteria = list(rnd.criteria.order_by("order"))
    amounts, direct = _amounts(), _direct()
    awarded_at, start = date(2025, 12, 10), date(2026, 1, 1)
    apps = []
    lottery_left = lottery.budget
    for i in range(N_APPLICATIONS):
        cat = CATEGORIES[i % 4]
        org = orgs[i]
        theme = THEMES[cat][(i // 4) % len(THEMES[cat])]
        awarded = i < N_AWARDED
        amount = amounts[i] if awarded else Decimal(20000 + (i % 6) * 5000)
        fund = None
        if awarded:
            fund = lottery if amount <= lottery_left else social
            if fund is lottery:
                lottery_left -= amount
        d = direct[i] if awarded else 150 + (i % 5) * 30
        apps.append(
            Application(
                round=rnd,
                organization=org,
                category=cat,
                # titles never carry the organization's name: the round is reviewed blind
                title=f"{(org.street.name if org.street else '海曙')[:2]}{theme}项目（{i + 1:02d}）",
                summary=f"面向{org.street.name if org.street else '海曙区'}的{theme}服务。",
                need="服务对象需求调研显示缺口明显。",
                target_group={
                    "elderly": "老年人",
                    "disabled": "残疾人",
                    "orphans": "困境儿童",
                    "poor": "困难家庭",
                }[cat],
                activity_plan="需求评估；小组活动；个案服务；志愿者培训；成效评估。",
                street=org.street,
                community=org.community,
                duration_months=12,
                start_date=start,
                requested_amount=amount,
                co_funding=Decimal(i % 3 * 2000),
                expected_direct=d,
                expected_indirect=d * 4,
                team=[{"name": "项目负责人", "role": "社会工作师"}, {"name": "项目助理", "role": "助理社工"}],
                status=(S.MIDTERM_EVALUATED if i < N_AWARDED - 6 else S.IN_PROGRESS)
                if awarded
                else S.NOT_RECOMMENDED,
                submitted_at=_aware(date(2025, 10, 1) + timedelta(days=i % 14)),
                screening_reason="资格审查通过",
                fund=fund,
                award_amount=amount if awarded else None,
                awarded_at=awarded_at if awarded else None,
                created_at=_aware(date(2025, 9, 10) + timedelta(days=i % 20)),
            )
        )
    apps = Application.objects.bulk_create(apps)
    apps = list(Application.objects.filter(round=rnd).order_by("pk"))

    lines, miles, reviews, changes = [], [], [], []
    for i, app in enumerate(apps):
        staff_part = (app.requested_amount * Decimal("0.3")).quantize(Decimal("1"))
        lines += [
            BudgetLine(application=app, item="活动费用", amount=app.requested_amount - staff_part, order=0),
            BudgetLine(application=app, item="人员经费", amount=staff_part, order=1),
        ]
        miles += [
            Milestone(application=app, month=3, description="完成需求评估与招募"),
            Milestone(application=app, month=6, description="中期评估"),
            Milestone(application=app, month=12, description="结项评估"),
        ]
        for k in range(5):
            reviews.append(
                Review(
                    application=app,
                    reviewer=reviewers[(i * 5 + k) % len(reviewers)],
                    status=Review.Status.SUBMITTED,
                    comment="整体设计合理。",
                    assigned_at=_aware(date(2025, 11, 1)),
                    submitted_at=_aware(date(2025, 11, 15)),
                )
            )
        path = [S.DRAFT, S.SUBMITTED, S.ELIGIBLE, S.IN_REVIEW, S.REVIEWED]
        if app.status == S.NOT_RECOMMENDED:
            path.append(S.NOT_RECOMMENDED)
        else:
            path += [S.RECOMMENDED, S.ON_NOTICE, S.AWARDED, S.AGREEMENT_SIGNED, S.IN_PROGRESS]
            if app.status == S.MIDTERM_EVALUATED:
                path.append(S.MIDTERM_EVALUATED)
        day = date(2025, 10, 1)
        for a, b in zip(path, path[1:], strict=False):
            changes.append(
                ApplicationStatusChange(application=app, from_status=a, to_status=b, by=staff, at=_aware(day))
            )
            day += timedelta(days=9)
    BudgetLine.objects.bulk_create(lines)
    Milestone.objects.bulk_create(miles)
    ApplicationStatusChange.objects.bulk_create(changes)
    Review.objects.bulk_create(reviews)

    # scores: awarded projects rank above the others; per-criterion scores vary by reviewer.
    rank_of = {app.pk: i for i, app in enumerate(apps)}
    scores = []
    for review in Review.objects.filter(application__round=rnd).order_by("pk").only("pk", "application_id"):
        i = rank_of[review.application_id]
        base = 92 - i * 0.45 if i < N_AWARDED else 62 - (i - N_AWARDED) * 0.4
        for j, c in enumerate(criteria):
            wobble = ((review.pk * 7 + j * 3) % 9) - 4
            scores.append(
                ReviewScore(
                    review=review, criterion=c, score=Decimal(str(round(min(100, max(0, base + wobble)), 2)))
                )
            )
    ReviewScore.objects.bulk_create(scores, batch_size=2000)
    weighted = (
        ReviewScore.objects.filter(review=OuterRef("pk"))
        .order_by()
        .values("review")
        .annotate(t=Sum(F("score") * F("criterion__weight")))
        .values("t")[:1]
    )
    Review.objects.filter(application__round=rnd).update(
        total=ExpressionWrapper(
            ExactNumber(Subquery(weighted), output_field=DecimalField(max_digits=12, decimal_places=4)) / 100,
            output_field=DecimalField(max_digits=6, decimal_places=2),
        )
    )
    application_scores_refresh_round(rnd.pk)  # the ranking reads the stored aggregate

    # after the award: agreements, installments, mid-term reports and evaluations
    awarded = [a for a in apps if a.award_amount]
    Agreement.objects.bulk_create(
        [
            Agreement(
                application=a,
                terms=f"资助金额{a.award_amount}元，分三期拨付（50%/30%/20%）。",
                accepted_at=_aware(date(2025, 12, 20)),
                created_at=_aware(awarded_at),
            )
            for a in awarded
        ]
    )
    installments, reports = [], []
    for a in awarded:
        p1 = (a.award_amount * Decimal("0.5")).quantize(Decimal("0.01"))
        p2 = (a.award_amount * Decimal("0.3")).quantize(Decimal("0.01"))
        evaluated = a.status == S.MIDTERM_EVALUATED
        installments += [
            Installment(
                application=a,
                order=0,
                trigger="signing",
                planned_amount=p1,
                status="paid",
                paid_date=date(2025, 12, 25),
            ),
            Installment(
                application=a,
                order=1,
                trigger="midterm_passed",
                planned_amount=p2,
                status="paid" if evaluated else "planned",
                paid_date=date(2026, 7, 20) if evaluated else None,
            ),
            Installment(
                application=a, order=2, trigger="final_passed", planned_amount=a.award_amount - p1 - p2
            ),
        ]
        reports += [
            ProgressReport(
                application=a,
                kind="midterm",
                due_date=date(2026, 7, 1),
                status="evaluated" if evaluated else "submitted",
                activities="开展小组活动与个案服务，按计划推进。",
                actual_direct=a.expected_direct // 2,
                actual_indirect=a.expected_indirect // 2,
                submitted_at=_aware(date(2026, 6, 28)),
            ),
            ProgressReport(application=a, kind="final", due_date=date(2027, 1, 1)),
        ]
    Installment.objects.bulk_create(installments)
    ProgressReport.objects.bulk_create(reports)
    mids = list(
        ProgressReport.objects.filter(application__round=rnd, kind="midterm").select_related("application")
    )
    line_map = {}
    for b in BudgetLine.objects.filter(application__round=rnd):
        line_map.setdefault(b.application_id, []).append(b)
    spending, evaluations = [], []
    for n, r in enumerate(mids):
        for b in line_map[r.application_id]:
            ratio = Decimal("0.62") if n % 10 == 0 and b.order == 0 else Decimal("0.48")  # a few over plan
            spending.append(
                SpendingLine(report=r, budget_line=b, spent=(b.amount * ratio).quantize(Decimal("0.01")))
            )
        if r.status == "evaluated":
            evaluations.append(
                Evaluation(
                    report=r,
                    score=Decimal(85 + n % 10),
                    result="rectify" if n % 13 == 0 else "pass",
                    comment="按计划推进。",
                    evaluated_by=staff,
                    evaluated_at=_aware(date(2026, 7, 15)),
                )
            )
    SpendingLine.objects.bulk_create(spending)
    Evaluation.objects.bulk_create(evaluations)
    return rnd


def _open_round(orgs, lottery27, staff) -> Round:
    today = timezone.localdate()
    opens = min(date(2026, 11, 10), today - timedelta(days=1))
    closes = max(date(2026, 12, 31), today + timedelta(days=30))
    rnd = Round.objects.create(
        fund=lottery27,
        year=2027,
        title=OPEN_TITLE,
        description="区福彩公益金资助的公益创投项目现开始征集，重点支持扶老、助残、救孤、济困类项目，兼顾社工服务与社区营造。",
        categories=CATEGORIES + ["social_work", "community"],
        cap=Decimal("50000"),
        budget=Decimal("1000000"),
        call_opens=_aware(opens, 9),
        call_closes=_aware(closes, 17),
        screening_deadline=add_working_days(closes, 10),
        review_deadline=add_working_days(closes, 25),
    )
    _configure(rnd)
    # a draft and three submissions waiting for screening
    for i, status in enumerate([S.DRAFT, S.SUBMITTED, S.SUBMITTED, S.SUBMITTED]):
        org = orgs[i]
        app = Application.objects.create(
            round=rnd,
            organization=org,
            category=CATEGORIES[i],
            title=f"2027年度{THEMES[CATEGORIES[i]][0]}服务项目",
            summary="延续并深化上一年度服务。",
            need="需求评估",
            target_group="社区居民",
            activity_plan="活动计划",
            street=org.street,
            duration_months=12,
            requested_amount=Decimal("30000"),
            expected_direct=200,
            expected_indirect=800,
            status=status,
            submitted_at=timezone.now() if status == S.SUBMITTED else None,
        )
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(application=app, item="活动费用", amount=Decimal("21000")),
                BudgetLine(application=app, item="人员经费", amount=Decimal("9000"), order=1),
            ]
        )
        if status == S.SUBMITTED:
            ApplicationStatusChange.objects.create(
                application=app, from_status=S.DRAFT, to_status=S.SUBMITTED
            )
    return rnd


@transaction.atomic
def load_ventures_demo(stdout=None) -> None:
    lottery25, social25, lottery27 = _funds()
    staff = User.objects.filter(username="staff_projects").first()
    orgs = _organizations(N_APPLICATIONS)
    reviewers = _reviewers()
    if not Round.objects.filter(title=LAST_YEAR_TITLE).exists():
        _last_year(orgs, reviewers, lottery25, social25, staff)
    if not Round.objects.filter(title=OPEN_TITLE).exists():
        _open_round(orgs, lottery27, staff)
    if stdout:
        rnd = Round.objects.get(title=LAST_YEAR_TITLE)
        awarded = rnd.applications.filter(award_amount__isnull=False)
        total = awarded.aggregate(s=Sum("award_amount"))["s"]
        stdout.write(
            f"ventures: {rnd.applications.count()} applications, {awarded.count()} awarded, {total} yuan"
        )
