"""What consultations adds to the shared registries: nav links, home figures, workbench
panel, demo data, benchmark seeder and pages."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from center import registry
from consultations.caching import DATA


def _is_staff(user) -> bool:
    from consultations.permissions import is_consultation_staff

    return is_consultation_staff(user)


def _is_contact(user) -> bool:
    """Whether the nav shows the department contact's page (asked once per user and version
    of the consultations' data: this runs on every page)."""
    from consultations.caching import DATA
    from consultations.permissions import department_contact_of, may_manage

    if not (user and user.is_authenticated) or may_manage(user):
        return False
    return DATA.cached("is-contact", lambda: department_contact_of(user) is not None, user.pk)


def _registers(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_resident or user.is_organization_account))


registry.register_nav(
    "consultations_events",
    registry.NavLink(_("Events"), "consultations:event_list", lambda u: True, order=50),
)
registry.register_nav(
    "consultations_drafts",
    registry.NavLink(_("Consultations"), "consultations:consultation_list", lambda u: True, order=51),
)
registry.register_nav(
    "consultations_mine",
    registry.NavLink(_("My events"), "consultations:registration_list", _registers, order=52),
)
registry.register_nav(
    "consultations_desk",
    registry.NavLink(_("Events desk"), "consultations:event_manage_list", _is_staff, order=53),
)
registry.register_nav(
    "consultations_forwards",
    registry.NavLink(_("Opinions to answer"), "consultations:forward_list", _is_contact, order=54),
)


def _headline() -> dict:
    from django.core.cache import cache

    from consultations.selectors import headline

    year = timezone.localdate().year
    key = f"consultations:headline:{year}"
    data = cache.get(key)
    if data is None:
        data = headline(year=year)
        cache.set(key, data, 60)
    return data


def _on_time() -> str:
    data = _headline()
    return f"{data['answered_on_time']} / {data['opinions']}"


registry.register_home_figure(
    registry.HomeFigure(
        "consultations_trainings",
        _("trainings and support sessions held this year"),
        lambda: _headline()["trainings"],
        order=50,
    )
)
registry.register_home_figure(
    registry.HomeFigure(
        "consultations_trained",
        _("people trained this year"),
        lambda: _headline()["people_trained"],
        order=51,
    )
)
registry.register_home_figure(
    registry.HomeFigure(
        "consultations_opinions", _("opinions answered on time / collected"), _on_time, order=52
    )
)
registry.register_home_figure(
    registry.HomeFigure(
        "consultations_reports",
        _("research reports submitted to departments"),
        lambda: _headline()["reports"],
        order=53,
    )
)


def _panel(user):
    from consultations.permissions import department_contact_of

    if _is_staff(user):
        from consultations.selectors import manage_counts

        counts = manage_counts(now=timezone.now())
        desk = reverse("consultations:event_manage_list")
        forwards = reverse("consultations:forward_list")
        return [
            registry.WorkbenchItem(
                _("Registrations awaiting approval"),
                counts["pending"],
                desk,
                "warn" if counts["pending"] else "",
            ),
            registry.WorkbenchItem(_("People on waitlists"), counts["waitlisted"], desk),
            registry.WorkbenchItem(
                _("Opinions to moderate and forward"),
                counts["to_forward"],
                reverse("consultations:consultation_manage_list"),
                "warn" if counts["to_forward"] else "",
            ),
            registry.WorkbenchItem(
                _("Department replies due"), counts["replies_due"], f"{forwards}?state=due"
            ),
            registry.WorkbenchItem(
                _("Department replies overdue"),
                counts["replies_overdue"],
                f"{forwards}?state=overdue",
                "danger" if counts["replies_overdue"] else "",
            ),
            registry.WorkbenchItem(
                _("Research milestones in the next two weeks"),
                counts["milestones_due"],
                reverse("consultations:research_manage"),
            ),
        ]
    contact = department_contact_of(user)
    if contact is not None:
        from consultations.selectors import forwards_for

        qs = forwards_for(user, now=timezone.now())
        url = reverse("consultations:forward_list")
        overdue = qs.filter(status="open", due_at__lt=timezone.now()).count()
        return [
            registry.WorkbenchItem(
                _("Opinions to answer"), qs.filter(status="open").count(), f"{url}?state=due"
            ),
            registry.WorkbenchItem(
                _("Overdue"), overdue, f"{url}?state=overdue", "danger" if overdue else ""
            ),
        ]
    return None


registry.register_workbench_panel(
    registry.WorkbenchPanel(
        "consultations", _("Events, consultations and research"), _panel, order=50, cache=DATA
    )
)


def _organization_capacity(organization, user):
    """Capacity building on an organization's page: the events it attended and its
    certificates (each with its public verification link). Holders' names in full only for
    the organization's members and the center's staff."""
    from consultations.certificates import certificate_token, mask_name
    from consultations.selectors import organization_capacity_building
    from organizations.selectors import user_may_see_private

    data = organization_capacity_building(organization.pk)
    private = user_may_see_private(user, organization.pk)
    if not (data["attended"] or private):
        return None
    return {
        "attended": data["attended"],
        "trainings": sum(1 for r in data["attended"] if r.event.kind.counts_as_training),
        "certificates": [
            {
                "certificate": c,
                "holder": c.holder_name if private else mask_name(c.holder_name),
                "verify_url": reverse("consultations:certificate_verify", args=[certificate_token(c.number)]),
            }
            for c in data["certificates"]
        ],
    }


registry.register_organization_section(
    registry.OrganizationSection(
        "consultations_capacity",
        "consultations/_organization_capacity.html",
        _organization_capacity,
        order=50,
    )
)


def _load_demo(stdout=None):
    from consultations.demo import load_consultations_demo

    load_consultations_demo(stdout=stdout)


registry.register_demo_loader(registry.DemoLoader("consultations", _load_demo, order=50))


def _seed(scale: int) -> None:
    from consultations.bench import seed

    seed(scale)


registry.register_bench_seeder(registry.BenchSeeder("consultations", _seed, order=50))


def _bench_path(name):
    def _path():
        from consultations import bench

        return bench.page_path(name)

    return _path


registry.register_bench_page(registry.BenchPage("consultations public event list", _bench_path("events")))
registry.register_bench_page(registry.BenchPage("consultations month calendar", _bench_path("calendar")))
registry.register_bench_page(registry.BenchPage("consultations event page", _bench_path("event")))
registry.register_bench_page(registry.BenchPage("consultations ICS feed", _bench_path("feed")))
registry.register_bench_page(registry.BenchPage("consultations opinions list", _bench_path("opinions")))
from consultations import protected  # noqa: E402,F401
