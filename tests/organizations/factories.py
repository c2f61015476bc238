"""Factories for the organizations tests."""

from __future__ import annotations

from datetime import date

from organizations.models import InspectionCampaign
from tests.factories import credit_code, make_org  # noqa: E402,F401  (the shared ones)


def make_campaign(
    year: int = 2025, *, opens_on: date = date(2026, 1, 5), deadline: date | None = None
) -> InspectionCampaign:
    return InspectionCampaign.objects.create(
        year=year, opens_on=opens_on, deadline=deadline or InspectionCampaign.default_deadline(year)
    )
