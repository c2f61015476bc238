"""Factories for the organizations tests."""

from __future__ import annotations

import itertools
from datetime import date

from organizations.credit_codes import make_credit_code
from organizations.models import InspectionCampaign, Membership, Organization

_seq = itertools.count(1)


def credit_code(org_type: str = "social_group", n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return make_credit_code(org_type, f"330203MJ{n:07d}")


def make_org(
    name: str | None = None,
    *,
    org_type: str = "social_group",
    status: str = "verified",
    owner=None,
    street=None,
    registration_date: date | None = date(2020, 3, 1),
    **fields,
) -> Organization:
    n = next(_seq)
    code = fields.pop("credit_code", credit_code(org_type, n) if org_type != "community" else None)
    org = Organization.objects.create(
        name=name or f"测试组织{n}",
        org_type=org_type,
        credit_code=code,
        status=status,
        street=street,
        registration_date=registration_date,
        **fields,
    )
    if owner is not None:
        Membership.objects.create(organization=org, user=owner, role=Membership.Role.OWNER)
    return org


def make_campaign(
    year: int = 2025, *, opens_on: date = date(2026, 1, 5), deadline: date | None = None
) -> InspectionCampaign:
    return InspectionCampaign.objects.create(
        year=year, opens_on=opens_on, deadline=deadline or InspectionCampaign.default_deadline(year)
    )
