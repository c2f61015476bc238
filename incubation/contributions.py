"""What incubation adds to center's registries: nav links, home figures, a workbench panel,
demo data and the benchmark's seeder and pages."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from center import registry
from incubation.caching import DATA


def _manager(user) -> bool:
    from incubation.permissions import is_base_manager

    return is_base_manager(user)


def _logged_in(user) -> bool:
    return bool(user and user.is_authenticated)


registry.register_nav(
    "incubation", registry.NavLink(_("Incubation base"), "incubation:home", lambda u: True, order=40)
)
registry.register_nav(
    "incubation_rooms", registry.NavLink(_("Meeting rooms"), "incubation:room_list", lambda u: True, order=41)
)
registry.register_nav(
    "incubation_mine",
    registry.NavLink(
        _("My incubation"),
        "incubation:mine",
        lambda u: _logged_in(u) and (u.is_organization_account or u.is_resident),
        order=42,
    ),
)
registry.register_nav(
    "incubation_manage", registry.NavLink(_("Incubation"), "incubation:manage", _manager, order=43)
)


def _incubatees_now():
    from incubation.selectors import incubatees_now

    return incubatees_now()


def _graduated():
    from incubation.selectors import graduated_total

    return graduated_total()


def _occupancy():
    from incubation.selectors import occupancy

    return f"{occupancy(today=timezone.localdate())['rate']}%"


def _bookings_month():
    from incubation.selectors import bookings_in_month

    return bookings_in_month(today=timezone.localdate())


registry.register_home_figure(
    registry.HomeFigure(
        "incubation_now", _("organizations in the incubation base"), _incubatees_now, order=40
    )
)
registry.register_home_figure(
    registry.HomeFigure("incubation_graduated", _("graduated from the incubation base"), _graduated, order=41)
)
registry.register_home_figure(
    registry.HomeFigure("incubation_occupancy", _("incubation base occupancy"), _occupancy, order=42)
)
registry.register_home_figure(
    registry.HomeFigure(
        "incubation_bookings", _("meeting-room bookings this month"), _bookings_month, order=43
    )
)


def _panel(user):
    if not _manager(user):
        return None
    from incubation import selectors
    from incubation.models import Application

    today = timezone.localdate()
    counts = selectors.application_counts_by_status(user)
    return [
        registry.WorkbenchItem(
            _("Entry applications to answer"),
            counts.get(Application.Status.SUBMITTED, 0),
            reverse("incubation:application_list") + "?status=submitted",
        ),
        registry.WorkbenchItem(
            _("Agreements ending within 60 days"),
            selectors.agreements_for(user, ending_within=60, today=today).count(),
            reverse("incubation:agreement_list") + "?ending=60",
            tone="warn",
        ),
        registry.WorkbenchItem(
            _("Quarterly reports due or overdue"),
            selectors.reports_due_for(user, today=today, within_days=15).count(),
            reverse("incubation:report_list"),
        ),
        registry.WorkbenchItem(
            _("Handovers open"), selectors.handovers_open(user).count(), reverse("incubation:handover_list")
        ),
        registry.WorkbenchItem(
            _("Bookings awaiting approval"),
            selectors.bookings_pending(user).count(),
            reverse("incubation:manage"),
        ),
        registry.WorkbenchItem(_("Occupancy"), None, reverse("incubation:floor_plan")),
    ]


registry.register_workbench_panel(
    registry.WorkbenchPanel("incubation", _("Incubation base"), _panel, order=40, cache=DATA)
)


def _load_demo(stdout=None):
    from incubation.demo import load_incubation_demo

    load_incubation_demo(stdout=stdout)


registry.register_demo_loader(registry.DemoLoader("incubation", _load_demo, order=40))


def _bench_seed(scale):
    from incubation.bench import seed

    seed(scale)


registry.register_bench_seeder(registry.BenchSeeder("incubation", _bench_seed, order=40))


def _bench_room_path():
    from incubation.bench import bench_room

    return reverse("incubation:space_detail", args=[bench_room().pk]) + "?week=2026-06-01"


def _bench_floor_path():
    from incubation.bench import bench_base

    return reverse("incubation:floor_week", args=[bench_base().pk, 1]) + "?week=2026-06-01"


def _bench_availability_path():
    return reverse("incubation-api:space-list") + "?day=2026-06-02"


registry.register_bench_page(registry.BenchPage("incubation room week grid", _bench_room_path))
registry.register_bench_page(registry.BenchPage("incubation floor week grid", _bench_floor_path))
registry.register_bench_page(registry.BenchPage("incubation availability API", _bench_availability_path))
registry.register_bench_page(
    registry.BenchPage(
        "incubation floor plan", lambda: reverse("incubation:floor_plan"), lambda: "bench_incubation_staff"
    )
)
from incubation import protected  # noqa: E402,F401
