"""What the hotline adds to the shared registries: nav links, home figures, workbench
panels, demo data, benchmark seeder and pages."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from center import registry
from hotline.caching import HOTLINE


def _is_resident(user) -> bool:
    return bool(user and user.is_authenticated and user.is_resident)


def _is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_center_staff)


def _is_dispatcher(user) -> bool:
    from hotline.permissions import is_dispatcher

    return is_dispatcher(user)


def _is_handler(user) -> bool:
    return bool(user and user.is_authenticated and user.is_handler)


registry.register_nav(
    "hotline_file", registry.NavLink(_("Ask for help"), "hotline:file", lambda u: True, order=40)
)
registry.register_nav(
    "hotline_track", registry.NavLink(_("Track a request"), "hotline:track", lambda u: True, order=41)
)
registry.register_nav(
    "hotline_mine", registry.NavLink(_("My requests"), "hotline:mine", _is_resident, order=42)
)
registry.register_nav(
    "hotline_desk", registry.NavLink(_("Dispatch desk"), "hotline:desk", _is_dispatcher, order=43)
)
registry.register_nav(
    "hotline_unit", registry.NavLink(_("Help requests"), "hotline:unit", _is_handler, order=43)
)
registry.register_nav(
    "hotline_stats", registry.NavLink(_("Hotline statistics"), "hotline:statistics", _is_staff, order=44)
)


def _requests() -> int:
    from hotline.selectors import hotline_headline_cached

    return hotline_headline_cached()["total"]


def _resolved() -> str:
    from hotline.selectors import hotline_headline_cached

    rate = hotline_headline_cached()["resolved_rate"]
    if rate is None:
        return "—"
    # One decimal unless whole: 220 of 221 due is 99.5%, not a rounded-up 100%.
    return f"{rate * 100:.1f}".rstrip("0").rstrip(".") + "%"


registry.register_home_figure(
    registry.HomeFigure("hotline_requests", _("residents' help requests"), _requests, order=30)
)
registry.register_home_figure(
    registry.HomeFigure("hotline_resolved", _("of help requests resolved"), _resolved, order=31)
)


def _dispatcher_panel(user):
    if not _is_dispatcher(user):
        return None
    from hotline.selectors import dispatcher_queue_counts_cached as dispatcher_queue_counts

    counts = dispatcher_queue_counts()
    url = reverse("hotline:desk")
    return [
        registry.WorkbenchItem(
            _("To dispatch"),
            counts["to_dispatch"],
            f"{url}?queue=to_dispatch",
            "warn" if counts["to_dispatch"] else "",
        ),
        registry.WorkbenchItem(
            _("Due today"),
            counts["due_today"],
            f"{url}?queue=due_today",
            "warn" if counts["due_today"] else "",
        ),
        registry.WorkbenchItem(
            _("Overdue"), counts["overdue"], f"{url}?queue=overdue", "danger" if counts["overdue"] else ""
        ),
        registry.WorkbenchItem(
            _("Awaiting callback"), counts["awaiting_callback"], f"{url}?queue=awaiting_callback"
        ),
        registry.WorkbenchItem(
            _("Returned"), counts["returned"], f"{url}?queue=returned", "danger" if counts["returned"] else ""
        ),
        registry.WorkbenchItem(
            _("Extension requests"),
            counts["extensions"],
            f"{url}?queue=extensions",
            "warn" if counts["extensions"] else "",
        ),
        registry.WorkbenchItem(_("Log a phone call"), None, reverse("hotline:call")),
    ]


def _handler_panel(user):
    if not _is_handler(user):
        return None
    from hotline.selectors import handler_counts_cached as handler_counts

    counts = handler_counts(user=user)
    url = reverse("hotline:unit")
    return [
        registry.WorkbenchItem(
            _("To sign for"), counts["to_sign"], f"{url}?queue=to_sign", "warn" if counts["to_sign"] else ""
        ),
        registry.WorkbenchItem(_("In hand"), counts["working"], f"{url}?queue=working"),
        registry.WorkbenchItem(
            _("Overdue"), counts["overdue"], f"{url}?queue=overdue", "danger" if counts["overdue"] else ""
        ),
    ]


registry.register_workbench_panel(
    registry.WorkbenchPanel("hotline_desk", _("Hotline dispatch"), _dispatcher_panel, order=30, cache=HOTLINE)
)
registry.register_workbench_panel(
    registry.WorkbenchPanel(
        "hotline_unit", _("Residents' help requests"), _handler_panel, order=31, cache=HOTLINE
    )
)


def _load_demo(stdout=None):
    from hotline.demo import load_hotline_demo

    load_hotline_demo(stdout=stdout)


registry.register_demo_loader(registry.DemoLoader("hotline", _load_demo, order=40))


def _seed(scale: int) -> None:
    from hotline.bench import seed

    seed(scale)


registry.register_bench_seeder(registry.BenchSeeder("hotline", _seed, order=40))


def _bench_path(name):
    def _path():
        from hotline import bench

        return bench.page_path(name)

    return _path


registry.register_bench_page(
    registry.BenchPage("hotline dispatcher queue", _bench_path("desk"), lambda: "staff_info")
)
registry.register_bench_page(
    registry.BenchPage("hotline handler list", _bench_path("unit"), lambda: "handler_nanmen")
)
registry.register_bench_page(registry.BenchPage("hotline resident tracking page", _bench_path("track")))
registry.register_bench_page(
    registry.BenchPage("hotline statistics", _bench_path("statistics"), lambda: "staff_info")
)
registry.register_bench_page(registry.BenchPage("hotline Open311 requests.json", _bench_path("open311")))


# --- My page (residents): requests awaiting my rating, requests being handled --------------


def _my_page_items(user):
    if not _is_resident(user):
        return None
    from hotline.models import Ticket

    S = Ticket.Status
    mine = Ticket.objects.filter(resident=user)
    to_rate = mine.filter(status=S.ANSWERED).count()
    open_ = mine.exclude(status__in=[S.ANSWERED, S.CLOSED]).count()
    url = reverse("hotline:mine")
    return [
        registry.WorkbenchItem(_("Requests awaiting my rating"), to_rate, url, "warn" if to_rate else ""),
        registry.WorkbenchItem(_("Requests being handled"), open_, url),
        registry.WorkbenchItem(_("Ask for help"), None, reverse("hotline:file")),
    ]


registry.register_my_page_section(
    registry.MyPageSection("hotline", _("My requests"), _my_page_items, order=30)
)
from hotline import protected  # noqa: E402,F401
