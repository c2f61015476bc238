"""Reads other apps may call (ventures, hotline, incubation, consultations)."""

from __future__ import annotations

from organizations.models import Membership, Organization


def organization_ids_for_user(user, *, owner_only: bool = False) -> set[int]:
    """Ids of the organizations this user belongs to (as owner, or as any member)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    qs = Membership.objects.filter(user=user)
    if owner_only:
        qs = qs.filter(role=Membership.Role.OWNER)
    return set(qs.values_list("organization_id", flat=True))


def user_is_member(user, organization_id: int, *, owner_only: bool = False) -> bool:
    return organization_id in organization_ids_for_user(user, owner_only=owner_only)


def organization_is_on_abnormal_list(organization: Organization) -> bool:
    return organization.status == Organization.Status.ABNORMAL


def organization_owners(organization_id: int):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        memberships__organization_id=organization_id, memberships__role=Membership.Role.OWNER, is_active=True
    )
