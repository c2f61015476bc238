"""What the organizations app adds to the shared pages (center.registry)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from center import registry
from organizations.caching import DATA


def _org_account(user) -> bool:
    """Whether the nav shows "My organizations": an organization account, or anyone who is a
    member of one (asked once per user and version of the organizations' data)."""
    if not (user and user.is_authenticated):
        return False
    return user.is_organization_account or DATA.cached(
        "has-membership", lambda: user.memberships.exists(), user.pk
    )


registry.register_nav(
    "organizations", registry.NavLink(_("Directory"), "organizations:directory", lambda u: True, order=20)
)
registry.register_nav(
    "abnormal_list",
    registry.NavLink(_("Abnormal list"), "organizations:abnormal_list", lambda u: True, order=21),
)
registry.register_nav(
    "my_organizations", registry.NavLink(_("My organizations"), "organizations:mine", _org_account, order=22)
)


def _verified_count():
    from organizations.models import Organization

    return Organization.objects.filter(status=Organization.Status.VERIFIED).count()


registry.register_home_figure(
    registry.HomeFigure("organizations", _("verified social organizations"), _verified_count, order=10)
)


def _staff_panel(user):
    if not user.is_center_staff:
        return None
    from organizations import selectors
    from organizations.models import AnnualReport, GradingEvaluation, JoinRequest, Organization

    pending = Organization.objects.filter(status=Organization.Status.PENDING).count()
    reports = AnnualReport.objects.filter(status=AnnualReport.Status.SUBMITTED).count()
    grading = GradingEvaluation.objects.filter(status=GradingEvaluation.Status.APPLIED).count()
    joins = JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).count()
    campaign = selectors.campaign_list().first()
    items = [
        registry.WorkbenchItem(
            _("Organizations to verify"),
            pending,
            reverse("organizations:verify_queue"),
            "warn" if pending else "",
        ),
        registry.WorkbenchItem(
            _("Annual reports to review"),
            reports,
            reverse("organizations:campaign", args=[campaign.pk])
            if campaign
            else reverse("organizations:campaigns"),
            "warn" if reports else "",
        ),
        registry.WorkbenchItem(_("Grading applications to score"), grading, reverse("organizations:grading")),
        registry.WorkbenchItem(
            _("Join requests waiting for owners"),
            joins,
            reverse("organizations:verify_queue") + "#join-requests",
        ),
        registry.WorkbenchItem(_("Annual inspection campaigns"), None, reverse("organizations:campaigns")),
        registry.WorkbenchItem(_("Import the civil-affairs list"), None, reverse("organizations:import")),
    ]
    return items


registry.register_workbench_panel(
    registry.WorkbenchPanel("organizations", _("Social organizations"), _staff_panel, order=10, cache=DATA)
)


def _load_demo(stdout=None):
    from organizations.demo import load_organizations_demo

    load_organizations_demo(stdout=stdout)


registry.register_demo_loader(registry.DemoLoader("organizations", _load_demo, order=10))


def _seed(scale):
    from organizations.demo import bench_seed

    bench_seed(scale)


registry.register_bench_seeder(registry.BenchSeeder("organizations", _seed, order=10))


def _directory_path():
    # a common word (1 in 20 names at bench scale), second page
    return reverse("organizations:directory") + "?q=%E5%A4%95%E9%98%B3%E7%BA%A2&page=2"


def _directory_exact_path():
    return reverse("organizations:directory") + "?q=%E6%98%9F%E6%98%9F%E7%9A%84%E5%AD%A9%E5%AD%90"


def _directory_api_path():
    return reverse("api-organizations") + "?org_type=social_group"


def _detail_path():
    from organizations.models import Organization

    pk = (
        Organization.objects.filter(status=Organization.Status.VERIFIED)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return reverse("organizations:detail", args=[pk or 0])


registry.register_bench_page(
    registry.BenchPage("organizations-directory", lambda: reverse("organizations:directory"))
)
registry.register_bench_page(registry.BenchPage("organizations-directory-search", _directory_path))
registry.register_bench_page(registry.BenchPage("organizations-directory-search-name", _directory_exact_path))
registry.register_bench_page(registry.BenchPage("organizations-directory-api", _directory_api_path))
registry.register_bench_page(registry.BenchPage("organizations-detail", _detail_path))


# --- My page (organization accounts): annual reports to file, join requests to answer ------


def _my_page_items(user):
    from organizations import selectors
    from organizations.models import AnnualReport

    org_ids = selectors.organization_ids_for_user(user)
    if not org_ids and not user.is_organization_account:
        return None
    mine = reverse("organizations:mine")
    to_file = AnnualReport.objects.filter(
        organization_id__in=org_ids, status__in=[AnnualReport.Status.DRAFT, AnnualReport.Status.RETURNED]
    ).count()
    joins = selectors.join_requests_for_owner(user).count()
    return [
        registry.WorkbenchItem(_("My organizations"), len(org_ids), mine),
        registry.WorkbenchItem(_("Annual reports to file"), to_file, mine, "warn" if to_file else ""),
        registry.WorkbenchItem(_("Join requests to answer"), joins, mine, "warn" if joins else ""),
    ]


registry.register_my_page_section(
    registry.MyPageSection("organizations", _("My organizations"), _my_page_items, order=10)
)
from organizations import protected  # noqa: E402,F401
