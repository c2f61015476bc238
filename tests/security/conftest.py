"""Fixtures for the security tests: the department groups as the data migrations leave them,
and one staff account per department placed in its groups by the post_save hook."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import connection

DEPARTMENTS = ["resource", "projects", "info", "operations"]


def _replay_rights_migrations() -> None:
    """A transactional test elsewhere may have flushed the tables the migrations filled:
    run the department-rights migrations again, in dependency order."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    keys = [k for k in loader.graph.leaf_nodes() for k in loader.graph.forwards_plan(k)]
    seen = []
    for key in keys:
        if key not in seen and key[1].endswith("department_rights"):
            seen.append(key)
    editor = SimpleNamespace(connection=connection)
    for key in seen:
        state = loader.project_state(key, at_end=True)
        for operation in loader.graph.nodes[key].operations:
            operation.code(state.apps, editor)


@pytest.fixture
def department_groups(db):
    if not Group.objects.filter(name="dept-projects", permissions__isnull=False).exists():
        _replay_rights_migrations()
    return {g.name: g for g in Group.objects.all()}


@pytest.fixture
def dept_staff(department_groups, make_user):
    """{department: staff account} for the four departments, plus the center administrator."""
    people = {
        dept: make_user(f"staff_{dept}_s", role="staff", department=dept, is_staff=True)
        for dept in DEPARTMENTS
    }
    people["admin"] = make_user(
        "center_admin_s", role="staff", department="admin", is_staff=True, is_superuser=True
    )
    return people
