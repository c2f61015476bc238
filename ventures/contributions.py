"""What ventures adds to center's registries: nav links, home figures, workbench panels,
demo data and the benchmark's seeder and pages."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from center import registry
from ventures.caching import DATA


def _org_account(user) -> bool:
    return bool(user and user.is_authenticated and user.is_organization_account)


def _reviewer(user) -> bool:
    return bool(user and user.is_authenticated and user.is_reviewer)


def _projects(user) -> bool:
    from ventures.permissions import is_projects_staff

    return is_projects_staff(user)


registry.register_nav(
    "ventures", registry.NavLink(_("Venture calls"), "ventures:round_list", lambda u: True, order=30)
)
registry.register_nav(
    "ventures_awarded",
    registry.NavLink(_("Funded projects"), "ventures:awarded_list", lambda u: True, order=31),
)
registry.register_nav(
    "ventures_mine",
    registry.NavLink(_("My applications"), "ventures:my_applications", _org_account, order=32),
)
registry.register_nav(
    "ventures_reviews", registry.NavLink(_("My reviews"), "ventures:my_reviews", _reviewer, order=33)
)
registry.register_nav(
    "ventures_manage", registry.NavLink(_("Ventures"), "ventures:manage", _projects, order=34)
)


def _awarded():
    from ventures.models import Application
    from ventures.selectors import AWARDED_STATUSES

    return Application.objects.filter(status__in=AWARDED_STATUSES)


def _funded_projects():
    return _awarded().count()


def _money_awarded():
    from ventures.selectors import AWARDED_STATUSES, money_committed

    # the one definition of committed money (a terminated project counts what was paid)
    return f"{money_committed(statuses=AWARDED_STATUSES):,.0f}"


def _expected_beneficiaries():
    from django.db.models import Sum

    d = _awarded().aggregate(d=Sum("expected_direct"), i=Sum("expected_indirect"))
    return f"{d['d'] or 0:,} / {d['i'] or 0:,}"


registry.register_home_figure(
    registry.HomeFigure("ventures_funded", _("venture projects funded"), _funded_projects, order=20)
)
registry.register_home_figure(
    registry.HomeFigure("ventures_money", _("yuan awarded to venture projects"), _money_awarded, order=21)
)
registry.register_home_figure(
    registry.HomeFigure(
        "ventures_beneficiaries",
        _("expected beneficiaries, direct / indirect"),
        _expected_beneficiaries,
        order=22,
    )
)


def _staff_panel(user):
    if not _projects(user):
        return None
    from ventures import selectors
    from ventures.models import Application, Objection

    manage = reverse("ventures:manage")
    return [
        registry.WorkbenchItem(
            _("Applications to screen"),
            Application.objects.filter(status=Application.Status.SUBMITTED).count(),
            manage,
        ),
        registry.WorkbenchItem(
            _("Reviews overdue"), selectors.reviews_overdue().count(), manage, tone="danger"
        ),
        registry.WorkbenchItem(
            _("Objections open"),
            Objection.objects.filter(status=Objection.Status.OPEN).count(),
            manage,
            tone="warn",
        ),
        registry.WorkbenchItem(_("Reports to evaluate"), selectors.reports_to_evaluate().count(), manage),
    ]


def _reviewer_panel(user):
    if not _reviewer(user):
        return None
    from ventures.models import Review

    n = Review.objects.filter(
        reviewer=user, status=Review.Status.ASSIGNED, application__status="in_review"
    ).count()
    return [registry.WorkbenchItem(_("Reviews assigned to me"), n, reverse("ventures:my_reviews"))]


registry.register_workbench_panel(
    registry.WorkbenchPanel("ventures", _("Venture philanthropy"), _staff_panel, order=30, cache=DATA)
)
registry.register_workbench_panel(
    registry.WorkbenchPanel("ventures_reviews", _("My reviews"), _reviewer_panel, order=31, cache=DATA)
)


def _load_demo(stdout=None):
    from ventures.demo import load_ventures_demo

    load_ventures_demo(stdout=stdout)


registry.register_demo_loader(registry.DemoLoader("ventures", _load_demo, order=30))


def _bench_seed(scale):
    from ventures.bench import seed

    seed(scale)


registry.register_bench_seeder(registry.BenchSeeder("ventures", _bench_seed, order=30))


def _bench_round_path():
    from ventures.bench import bench_round

    return reverse("ventures:ranking", args=[bench_round().pk])


registry.register_bench_page(
    registry.BenchPage("ventures ranking", _bench_round_path, lambda: "bench_ventures_staff")
)
registry.register_bench_page(
    registry.BenchPage(
        "ventures reviewer list", lambda: reverse("ventures:my_reviews"), lambda: "bench_reviewer_1"
    )
)
registry.register_bench_page(
    registry.BenchPage("ventures awarded list", lambda: reverse("ventures:awarded_list"))
)
registry.register_bench_page(
    registry.BenchPage("ventures 360giving", lambda: "/api/v1/ventures/360giving.json")
)


# --- My page: applications and progress reports (organizations), reviews (reviewers) -------


def _my_page_applicant(user):
    if not _org_account(user):
        return None
    from organizations.selectors import organization_ids_for_user
    from ventures import selectors
    from ventures.models import Application, ProgressReport

    org_ids = organization_ids_for_user(user)
    mine = reverse("ventures:my_applications")
    drafts = Application.objects.filter(organization_id__in=org_ids, status=Application.Status.DRAFT).count()
    reports = ProgressReport.objects.filter(
        application__organization_id__in=org_ids, status=ProgressReport.Status.DUE
    ).count()
    return [
        registry.WorkbenchItem(_("Progress reports due"), reports, mine, "warn" if reports else ""),
        registry.WorkbenchItem(_("Applications not yet submitted"), drafts, mine),
        registry.WorkbenchItem(
            _("Open calls"), selectors.open_rounds().count(), reverse("ventures:round_list")
        ),
    ]


def _my_page_reviewer(user):
    if not _reviewer(user):
        return None
    from ventures.models import Review

    mine = Review.objects.filter(reviewer=user)
    to_score = mine.filter(status=Review.Status.ASSIGNED, application__status="in_review").count()
    done = mine.filter(status=Review.Status.SUBMITTED).count()
    url = reverse("ventures:my_reviews")
    return [
        registry.WorkbenchItem(_("Reviews assigned to me"), to_score, url, "warn" if to_score else ""),
        registry.WorkbenchItem(_("Reviews submitted"), done, url),
    ]


registry.register_my_page_section(
    registry.MyPageSection("ventures", _("Venture funding"), _my_page_applicant, order=20)
)
registry.register_my_page_section(
    registry.MyPageSection("ventures_reviews", _("My reviews"), _my_page_reviewer, order=21)
)
from ventures import protected  # noqa: E402,F401
