"""What center staff may do in the admin console: one group per department, kept in data
migrations.

Every staff account (role "staff" with `is_staff`) is placed in `center-staff` (what every
department sees) and in its department's group (`dept-resource`, `dept-projects`,
`dept-info`, `dept-operations`; center administrators in `center-admins`). The groups'
rights are written by data migrations, one per app, with `grant_rights`:

    # <app>/migrations/00NN_department_rights.py
    from django.db import migrations
    from center.staff_access import grant_rights

    class Migration(migrations.Migration):
        dependencies = [("center", "0002_department_rights"), ("<app>", "<its latest>")]
        operations = [grant_rights({
            "center-admins": {"<app>.*": ("view", "add", "change")},
            "dept-projects": {"<app>.booking": ("view", "change")},
        })]

A data migration runs in order with the schema migrations, so the rights exist on a fresh
database as soon as `migrate` finishes (Django creates permissions only after all apps have
migrated, which is why a post_migrate hook in `center` saw none of the other apps' models).
Rights over user accounts are never granted through groups: the user admin lets only center
administrators change accounts (see `center/admin.py`). Deleting stays with superusers:
business records are kept, not removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

STAFF_GROUP = "center-staff"
ADMIN_GROUP = "center-admins"
DEPARTMENT_GROUPS = {
    "resource": "dept-resource",
    "projects": "dept-projects",
    "info": "dept-info",
    "operations": "dept-operations",
    "admin": ADMIN_GROUP,
}
ALL_GROUPS = [STAFF_GROUP, *dict.fromkeys(DEPARTMENT_GROUPS.values())]

Rights = Mapping[str, Mapping[str, Iterable[str]]]


def _apply_rights(apps, schema_editor, rights: Rights, *, revoke: bool = False) -> None:
    from django.contrib.auth.management import create_permissions

    using = schema_editor.connection.alias
    labels = {key.split(".")[0] for models in rights.values() for key in models}
    for label in labels:
        config = apps.get_app_config(label)
        had_module = getattr(config, "models_module", None)
        config.models_module = had_module or True  # historical app configs carry no module
        try:
            create_permissions(config, verbosity=0, apps=apps, using=using)
        finally:
            config.models_module = had_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for group_name, models in rights.items():
        group, _ = Group.objects.using(using).get_or_create(name=group_name)
        perms = []
        for key, actions in models.items():
            label, model_name = key.lower().split(".")
            if model_name == "*":
                model_names = [m._meta.model_name for m in apps.get_app_config(label).get_models()]
            else:
                model_names = [model_name]
            for name in model_names:
                ct = ContentType.objects.db_manager(using).get_by_natural_key(label, name)
                for action in actions:
                    perms.append(
                        Permission.objects.using(using).get(content_type=ct, codename=f"{action}_{name}")
                    )
        if revoke:
            group.permissions.remove(*perms)
        else:
            group.permissions.add(*perms)


def grant_rights(rights: Rights):
    """A migration operation giving each group (created when missing) the listed rights.

    `rights`: {group name: {"<app_label>.<model_name>" or "<app_label>.*": ("view", "change", ...)}}.
    The wildcard means every model the app has at this point of its migrations. Reversing the
    migration takes the rights away again.
    """
    from django.db import migrations

    def forwards(apps, schema_editor):
        _apply_rights(apps, schema_editor, rights)

    def backwards(apps, schema_editor):
        _apply_rights(apps, schema_editor, rights, revoke=True)

    return migrations.RunPython(forwards, backwards)


def reset_group(group_name: str):
    """A migration operation emptying a group (used once to withdraw the old blanket rights)."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        Group = apps.get_model("auth", "Group")
        group, _ = Group.objects.using(schema_editor.connection.alias).get_or_create(name=group_name)
        group.permissions.clear()

    return migrations.RunPython(forwards, migrations.RunPython.noop)


def groups_for(user) -> list[str]:
    """The groups a staff account belongs in (none for other accounts)."""
    if user.role != "staff" or not user.is_staff:
        return []
    names = [STAFF_GROUP]
    if user.department in DEPARTMENT_GROUPS:
        names.append(DEPARTMENT_GROUPS[user.department])
    return names


def sync_staff_group(**kwargs):
    """Make sure the groups exist (their rights come from the data migrations)."""
    from django.contrib.auth.models import Group

    groups = [Group.objects.get_or_create(name=name)[0] for name in ALL_GROUPS]
    return groups[0]


def place_staff_in_group(sender, instance, created, **kwargs) -> None:
    """post_save of User: a staff account is in `center-staff` and its department's group and
    in no other department's group (moving department moves the rights)."""
    from django.contrib.auth.models import Group

    if kwargs.get("raw"):
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not {"role", "department", "is_staff"} & set(update_fields):
        return
    wanted = groups_for(instance)
    if not wanted and created:
        return
    managed = Group.objects.filter(name__in=ALL_GROUPS)
    current = set(instance.groups.filter(name__in=ALL_GROUPS).values_list("name", flat=True))
    if current == set(wanted):
        return
    to_remove = [g for g in managed if g.name in current - set(wanted)]
    if to_remove:
        instance.groups.remove(*to_remove)
    for name in set(wanted) - current:
        group = Group.objects.get_or_create(name=name)[0]
        instance.groups.add(group)
