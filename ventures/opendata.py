"""The 360Giving 1.4.3 data package of awarded venture grants (`/api/v1/ventures/360giving.json`).

Identifiers used in the feed:

- Grant id: ``360G-haishu-<application id>``. ``360G-haishu`` is the portal's 360Giving prefix.
- Recipient organization id: ``CN-USCC-<unified social credit code>`` — the org-id.guide
  scheme for China's unified social credit code (统一社会信用代码). An organization without a
  code on record is identified as ``360G-haishu-org-<organization id>``.
- Funding organization: the Haishu District Social Organization Service Center,
  ``CN-USCC-52330203MJ5H20101H``. The code is a placeholder of valid format and check digit
  (civil affairs 5, private non-enterprise unit 2, Haishu district 330203) until the center's
  real code is configured in settings (VENTURES_FUNDER_CREDIT_CODE).
- Service area (扶老 / 助残 / 救孤 / 济困 …) as a classification, vocabulary
  ``haishu-venture-service-area``.
- Currency CNY; amountDisbursed is the sum of paid installments; plannedDates give the planned
  start, end and duration in months; beneficiaryLocation is the street (and community) of
  the project, country CN.

The schemas live in ventures/standards/360giving (CC BY 4.0, © 360Giving).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ventures import selectors

GRANT_PREFIX = "360G-haishu"
ORG_PREFIX = "CN-USCC"
FUNDER_CREDIT_CODE = "52330203MJ5H20101H"
FUNDER_NAME = "宁波市海曙区社会组织服务中心"
# Chinese service-area names, independent of the request's language (the feed is data).
CATEGORY_TITLES = {
    "elderly": "扶老",
    "disabled": "助残",
    "orphans": "救孤",
    "poor": "济困",
    "social_work": "社工服务",
    "community": "社区营造",
}
SCHEMA_DIR = Path(__file__).resolve().parent / "standards" / "360giving"
GRANT_SCHEMA_REFS = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json",
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-schema.json",
)


def funder() -> dict:
    code = getattr(settings, "VENTURES_FUNDER_CREDIT_CODE", FUNDER_CREDIT_CODE)
    return {"id": f"{ORG_PREFIX}-{code}", "name": FUNDER_NAME}


def recipient_id(org) -> str:
    return f"{ORG_PREFIX}-{org.credit_code}" if org.credit_code else f"{GRANT_PREFIX}-org-{org.pk}"


def _grant(app) -> dict:
    from center.dates import add_months
    from center.validators import scrub_phones

    start = app.start_date or app.awarded_at
    fund = app.fund or app.round.fund
    grant = {
        "id": f"{GRANT_PREFIX}-{app.pk}",
        "title": scrub_phones(app.title),
        "description": scrub_phones(app.summary or app.title),
        "currency": "CNY",
        "amountAppliedFor": float(app.requested_amount),
        "amountAwarded": float(app.award_amount),
        "amountDisbursed": float(app.paid),
        "awardDate": app.awarded_at.isoformat(),
        "plannedDates": [
            {
                "startDate": start.isoformat(),
                "endDate": add_months(start, app.duration_months).isoformat(),
                "duration": app.duration_months,
            }
        ],
        "recipientOrganization": [{"id": recipient_id(app.organization), "name": app.organization.name}],
        "fundingOrganization": [{**funder(), "department": "项目管理部"}],
        "grantProgramme": [{"code": f"round-{app.round_id}", "title": f"{app.round.title}（{fund.name}）"}],
        "fromOpenCall": "Yes",
        "classifications": [
            {
                "vocabulary": "haishu-venture-service-area",
                "code": app.category,
                "title": CATEGORY_TITLES.get(app.category, app.category),
            }
        ],
        "dateModified": timezone.localtime(app.updated_at).isoformat(),
    }
    places = [u for u in (app.street, app.community) if u is not None]
    if places:
        grant["beneficiaryLocation"] = [
            {"id": f"{GRANT_PREFIX}-unit-{u.code}", "name": u.name, "countryCode": "CN"} for u in places
        ]
    else:
        grant["beneficiaryLocation"] = [{"name": "海曙区", "countryCode": "CN"}]
    return grant


def grants_package(*, base_url: str = "") -> dict:
    qs = (
        selectors.awarded_projects()
        .select_related("fund", "round__fund", "community")
        .filter(awarded_at__isnull=False)
    )
    grants = [_grant(a) for a in qs.iterator(chunk_size=1000)]
    package = {
        "grants": grants,
        "version": "1.4",
        "title": "海曙区公益创投资助项目 / Haishu venture philanthropy grants",
        "description": "Grants awarded by the Haishu District Social Organization Service Center's venture philanthropy rounds.",
        "issued": timezone.localdate().isoformat(),
        "publisher": {"identifier": funder()["id"], "name": FUNDER_NAME},
        "license": "https://creativecommons.org/licenses/by/4.0/",
    }
    if base_url:
        package["publisher"]["website"] = base_url
    return package


@lru_cache(maxsize=1)
def _schemas() -> tuple[dict, dict]:
    package = json.loads((SCHEMA_DIR / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    grant = json.loads((SCHEMA_DIR / "360-giving-schema.json").read_text(encoding="utf-8"))
    return package, grant


def package_validator():
    """A jsonschema validator for the package with the local grant schema registered under
    every URL the package refers to it by."""
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    package, grant = _schemas()
    resource = DRAFT202012.create_resource(grant)
    registry = Registry().with_resources([(url, resource) for url in GRANT_SCHEMA_REFS])
    return Draft202012Validator(package, registry=registry, format_checker=FormatChecker())
