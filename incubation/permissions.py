"""Who may do what in incubation.

- staff of the Project Operations Department (项目运作部, and center admins) manage every base;
- a street handler manages its own street's sub-base only (`handler_may_act`);
- an incubatee's people (its contact person, members of its registered organization) see
  only their own applications, agreements, reports and bookings.
"""

from __future__ import annotations

from django.db.models import Q

from center.permissions import handler_may_act
from organizations import selectors as org_selectors


def is_operations_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.in_department("operations"))


def may_manage_base(user, base) -> bool:
    if is_operations_staff(user):
        return True
    return bool(base.street_id) and handler_may_act(user, base.street)


def is_base_manager(user) -> bool:
    """Operations staff, or a handler whose unit holds a sub-base (checked per object)."""
    return is_operations_staff(user) or bool(getattr(user, "is_authenticated", False) and user.is_handler)


def managed_base_filter(user, prefix: str = "") -> Q:
    """A Q over `<prefix>base` limiting rows to the bases this user manages."""
    if is_operations_staff(user):
        # not an empty Q: an empty Q vanishes when OR-ed with another condition
        return Q(pk__isnull=False)
    if getattr(user, "is_authenticated", False) and user.is_handler:
        return Q(**{f"{prefix}base__street__path__startswith": user.network_unit.path})
    return Q(pk__in=[])


def incubatee_filter(user, prefix: str = "") -> Q:
    """A Q over `<prefix>incubatee` for the incubatees this user speaks for."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    org_ids = org_selectors.organization_ids_for_user(user)
    return Q(**{f"{prefix}contact": user}) | Q(**{f"{prefix}organization_id__in": org_ids})


def speaks_for(user, incubatee) -> bool:
    if not getattr(user, "is_authenticated", False) or incubatee is None:
        return False
    if incubatee.contact_id == user.pk:
        return True
    return bool(incubatee.organization_id) and org_selectors.user_is_member(user, incubatee.organization_id)
