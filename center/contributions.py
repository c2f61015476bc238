"""What `center` itself puts in the shared registries."""

from django.utils.translation import gettext_lazy as _

from center import registry


def _is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_center_staff)


def _is_worker(user) -> bool:
    return bool(
        user and user.is_authenticated and (user.is_center_staff or user.is_handler or user.is_reviewer)
    )


registry.register_nav("home", registry.NavLink(_("Home"), "center:home", lambda u: True, order=0))
registry.register_nav(
    "announcements", registry.NavLink(_("Announcements"), "center:announcements", lambda u: True, order=90)
)
registry.register_nav("workbench", registry.NavLink(_("Workbench"), "center:workbench", _is_worker, order=5))


def _streets():
    from center.models import NetworkUnit

    return NetworkUnit.objects.filter(level=NetworkUnit.Level.STREET).count()


def _communities():
    from center.models import NetworkUnit

    return NetworkUnit.objects.filter(level=NetworkUnit.Level.COMMUNITY).count()


registry.register_home_figure(
    registry.HomeFigure("streets", _("street federations in the network"), _streets, order=80)
)
registry.register_home_figure(
    registry.HomeFigure("communities", _("communities in the network"), _communities, order=81)
)


def _load(stdout=None):
    from center.demo import load_center_demo

    load_center_demo(stdout=stdout)


registry.register_demo_loader(registry.DemoLoader("center", _load, order=0))


# `make bench`: the public home page, a public API list and the staff workbench (which
# every module fills with its queues). Module pages register in their own contributions.
registry.register_bench_page(registry.BenchPage("center: home", lambda: "/"))
registry.register_bench_page(
    registry.BenchPage("center: network units API", lambda: "/api/v1/network-units/")
)
registry.register_bench_page(registry.BenchPage("center: workbench", lambda: "/workbench/", lambda: "admin"))


# --- My page: where organization, reviewer and resident accounts land after logging in ----


def _has_my_page(user) -> bool:
    return bool(user and user.is_authenticated and not (user.is_center_staff or user.is_handler))


registry.register_nav("my_page", registry.NavLink(_("My page"), "center:my_page", _has_my_page, order=4))
