"""What center staff may do in the admin console.

Every staff account (role "staff") is in the group "center-staff", which may view, add and
change every model of the portal's apps and the beat schedule; deleting stays with the
center administrators (superusers), since business records are kept, not removed.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission

STAFF_GROUP = "center-staff"


def sync_staff_group(**kwargs) -> Group:
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    perms = Permission.objects.filter(
        content_type__app_label__in=[*settings.LOCAL_APPS, "django_celery_beat"],
        codename__regex=r"^(view|add|change)_",
    )
    group.permissions.set(perms)
    return group


def place_staff_in_group(sender, instance, created, **kwargs) -> None:
    if instance.role == "staff" and instance.is_staff:
        group = Group.objects.filter(name=STAFF_GROUP).first() or sync_staff_group()
        instance.groups.add(group)
