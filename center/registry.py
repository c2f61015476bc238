"""Contribution points for the domain apps.

`center` imports no domain app. Each app registers, in its `AppConfig.ready`, what it adds
to shared pages: home-page figures, workbench queues, navigation links, demo data loaders
and benchmark pages. Adding an app never means editing `center`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HomeFigure:
    key: str
    label: Any  # lazy string
    compute: Callable[[], Any]  # returns a number or a short string
    order: int = 100
    suffix: Any = ""


@dataclass(frozen=True)
class WorkbenchItem:
    label: Any
    count: int | None
    url: str
    tone: str = ""  # "", "warn", "danger"


@dataclass(frozen=True)
class WorkbenchPanel:
    key: str
    title: Any
    # Returns the panel's items for this user, or None when the panel is not theirs.
    items: Callable[[Any], list[WorkbenchItem] | None]
    order: int = 100
    # When set (a center.caching.Namespace), the items are kept per user under the namespace's
    # data version: computed again after any write to its models, or after its TTL (counts
    # that depend on the clock, like "overdue", lag by at most that).
    cache: Any = None


@dataclass(frozen=True)
class NavLink:
    label: Any
    url_name: str
    visible: Callable[[Any], bool]  # user -> bool (user may be anonymous)
    order: int = 100
    url_kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DemoLoader:
    key: str
    load: Callable[..., None]  # load(stdout=...) ; must be idempotent
    order: int = 100


@dataclass(frozen=True)
class BenchPage:
    """A URL for `make bench`. `path` is resolved after seeding; `login` names a user whose
    session drives the request (None = anonymous)."""

    name: str
    path: Callable[[], str]
    login: Callable[[], str | None] = lambda: None


@dataclass(frozen=True)
class BenchSeeder:
    key: str
    seed: Callable[
        [int], None
    ]  # seed(scale); scale 1 = production size: 100,000 organizations, 5,000 venture applications x 5 reviews, 500,000 hotline tickets
    order: int = 100


_home_figures: dict[str, HomeFigure] = {}
_workbench: dict[str, WorkbenchPanel] = {}
_nav: dict[str, NavLink] = {}
_demo: dict[str, DemoLoader] = {}
_bench_pages: dict[str, BenchPage] = {}
_bench_seeders: dict[str, BenchSeeder] = {}


def register_home_figure(fig: HomeFigure) -> None:
    _home_figures[fig.key] = fig


def register_workbench_panel(panel: WorkbenchPanel) -> None:
    _workbench[panel.key] = panel


def register_nav(key: str, link: NavLink) -> None:
    _nav[key] = link


def register_demo_loader(loader: DemoLoader) -> None:
    _demo[loader.key] = loader


def register_bench_page(page: BenchPage) -> None:
    _bench_pages[page.name] = page


def register_bench_seeder(seeder: BenchSeeder) -> None:
    _bench_seeders[seeder.key] = seeder


def home_figures() -> list[HomeFigure]:
    return sorted(_home_figures.values(), key=lambda f: f.order)


def workbench_panels() -> list[WorkbenchPanel]:
    return sorted(_workbench.values(), key=lambda p: p.order)


def nav_links() -> list[NavLink]:
    return sorted(_nav.values(), key=lambda n: n.order)


def demo_loaders() -> list[DemoLoader]:
    return sorted(_demo.values(), key=lambda d: d.order)


def bench_pages() -> list[BenchPage]:
    return list(_bench_pages.values())


def bench_seeders() -> list[BenchSeeder]:
    return sorted(_bench_seeders.values(), key=lambda s: s.order)


# --- "My page": what a signed-in organization, reviewer or resident has to do -------------
# Each app adds sections; a section returns its items for this user, or None when it has
# nothing for this kind of account. Items reuse WorkbenchItem (label, count, url, tone).


@dataclass(frozen=True)
class MyPageSection:
    key: str
    title: Any
    items: Callable[[Any], list[WorkbenchItem] | None]
    order: int = 100
    # When set (a center.caching.Namespace), the items are kept per user under the namespace's
    # data version: computed again after any write to its models, or after its TTL (counts
    # that depend on the clock, like "overdue", lag by at most that).
    cache: Any = None


_my_page: dict[str, MyPageSection] = {}


def register_my_page_section(section: MyPageSection) -> None:
    _my_page[section.key] = section


def my_page_sections() -> list[MyPageSection]:
    return sorted(_my_page.values(), key=lambda s: s.order)


# --- An organization's page: what other apps show about that organization -----------------
# A section names a template and returns its context for (organization, viewer), or None to
# show nothing. The organizations app renders them without importing the apps that add them.


@dataclass(frozen=True)
class OrganizationSection:
    key: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100


_organization_sections: dict[str, OrganizationSection] = {}


def register_organization_section(section: OrganizationSection) -> None:
    _organization_sections[section.key] = section


def organization_sections() -> list[OrganizationSection]:
    return sorted(_organization_sections.values(), key=lambda s: s.order)


# --------------------------------------------------------------- permission matrix ----
# Every app registers the objects only some people may reach, with every page, API operation
# and export that shows one; tests/security/test_permission_matrix.py walks each of them as
# every role of a standard cast and checks that exactly the allowed roles get through.
# The cast (built by the test, handed to `make`): anonymous, resident, other_resident, owner
# (an organization account), other_owner, reviewer, street_handler (南门街道),
# community_handler (南门东社区), other_street_handler (月湖街道), staff_resource,
# staff_projects, staff_info, staff_operations, admin (a center administrator); plus
# `network` (the units). Objects belong to resident / owner / 南门街道.

MATRIX_ROLES = (
    "anonymous",
    "resident",
    "other_resident",
    "owner",
    "other_owner",
    "reviewer",
    "street_handler",
    "community_handler",
    "other_street_handler",
    "staff_resource",
    "staff_projects",
    "staff_info",
    "staff_operations",
    "admin",
)


# Every department of the center, and the center administrators.
STAFF_ROLES = ("staff_resource", "staff_projects", "staff_info", "staff_operations", "admin")


@dataclass(frozen=True)
class ProtectedView:
    kind: str  # "page", "api" or "export"
    url: str
    allowed: frozenset[str]  # the roles of MATRIX_ROLES that may open it


@dataclass(frozen=True)
class ProtectedObject:
    key: str
    make: Callable[[Any], Any]  # make(cast) -> the object, owned as the comment above says
    views: Callable[[Any], list[ProtectedView]]  # views(object) -> where it is shown


_protected: dict[str, ProtectedObject] = {}


def register_protected(obj: ProtectedObject) -> None:
    _protected[obj.key] = obj


def protected_objects() -> list[ProtectedObject]:
    return sorted(_protected.values(), key=lambda o: o.key)


def roles(*names: str) -> frozenset[str]:
    """The roles named, checked against MATRIX_ROLES (a typo fails at registration)."""
    unknown = set(names) - set(MATRIX_ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    return frozenset(names)
