"""Reads other apps may call (ventures, hotline, incubation, consultations)."""

from __future__ import annotations

from organizations.models import Membership, Organization

# --- the public API other apps use (never import organizations.models from another app) ----


def organizations_for_user(user, *, owner_only: bool = False):
    """The organizations `user` belongs to (owners only with owner_only=True), by name."""
    return Organization.objects.filter(
        pk__in=organization_ids_for_user(user, owner_only=owner_only)
    ).order_by("name")


def organization_get(pk: int) -> Organization:
    """One organization by id; raises Organization.DoesNotExist."""
    return Organization.objects.get(pk=pk)


def organizations_by_ids(ids) -> object:
    """A queryset of the organizations with these ids (e.g. to offer them in a form)."""
    return Organization.objects.filter(pk__in=list(ids))


def organization_name(pk: int) -> str:
    return Organization.objects.filter(pk=pk).values_list("name", flat=True).first() or ""


def organization_may_apply(organization: Organization) -> bool:
    """Verified, or a community organization on record (community groups have no certificate)."""
    return (
        organization.status == Organization.Status.VERIFIED
        or organization.org_type == Organization.Type.COMMUNITY
    )


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


def service_areas():
    """Every service area (扶老, 助残, …), for other apps' filters and tags."""
    from organizations.models import ServiceArea

    return ServiceArea.objects.order_by("sort_order", "code")


# ------------------------------------------------------------------ pages and APIs ----
# (everything below is this app's own reads; the functions above are used by other apps)

from django.db.models import Count, Prefetch, Q  # noqa: E402

from organizations.models import (  # noqa: E402
    AnnualReport,
    GradingEvaluation,
    InspectionCampaign,
    JoinRequest,
    OrganizationStatusChange,
    ServiceArea,
)

PUBLIC_STATUSES = (Organization.Status.VERIFIED,)


def user_may_see_private(user, organization_id: int) -> bool:
    """Staff, or a member of this very organization."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_center_staff or user_is_member(user, organization_id)


def user_may_manage(user, organization_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_center_staff or user_is_member(user, organization_id, owner_only=True)


def directory_queryset():
    """Verified organizations, with what a directory row shows (constant queries per page)."""
    return (
        Organization.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("street")
        .prefetch_related(
            Prefetch("service_areas", queryset=ServiceArea.objects.only("id", "name", "name_en", "code"))
        )
        .only(
            "id",
            "name",
            "short_name",
            "org_type",
            "credit_code",
            "filing_number",
            "status",
            "grade",
            "grade_valid_until",
            "registration_date",
            "street__id",
            "street__name",
            "legal_representative",
        )
        .order_by("name", "id")
    )


def directory_detail(pk: int) -> Organization:
    return (
        Organization.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("street", "community")
        .prefetch_related("service_areas")
        .get(pk=pk)
    )


def abnormal_list():
    return (
        Organization.objects.filter(status=Organization.Status.ABNORMAL)
        .select_related("street")
        .only(
            "id",
            "name",
            "org_type",
            "credit_code",
            "filing_number",
            "abnormal_since",
            "abnormal_reason",
            "street__name",
        )
        .order_by("-abnormal_since", "name")
    )


def memberships_of_user(user):
    return (
        Membership.objects.filter(user=user)
        .select_related("organization", "organization__street")
        .order_by("organization__name")
    )


def organization_private(pk: int) -> Organization:
    return (
        Organization.objects.select_related("street", "community")
        .prefetch_related("service_areas")
        .get(pk=pk)
    )


def member_list(organization_id: int):
    return (
        Membership.objects.filter(organization_id=organization_id)
        .select_related("user")
        .order_by("-role", "user__username")
    )


def join_requests_pending(organization_id: int):
    return JoinRequest.objects.filter(
        organization_id=organization_id, status=JoinRequest.Status.PENDING
    ).select_related("user")


def status_history(organization_id: int):
    return OrganizationStatusChange.objects.filter(organization_id=organization_id).select_related("by")


def reports_of_organization(organization_id: int):
    return (
        AnnualReport.objects.filter(organization_id=organization_id)
        .select_related("campaign")
        .order_by("-campaign__year")
    )


def pending_verification():
    return (
        Organization.objects.filter(status=Organization.Status.PENDING)
        .select_related("street")
        .order_by("created_at")
    )


def reports_to_review(campaign_id: int | None = None):
    qs = (
        AnnualReport.objects.filter(status=AnnualReport.Status.SUBMITTED)
        .select_related("organization", "organization__street", "campaign")
        .order_by("submitted_at")
    )
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    return qs


def campaign_list():
    return InspectionCampaign.objects.annotate(
        enrolled=Count("reports"),
        filed=Count(
            "reports",
            filter=Q(reports__status__in=[AnnualReport.Status.SUBMITTED, AnnualReport.Status.ACCEPTED]),
        ),
    ).order_by("-year")


def campaign_progress(campaign: InspectionCampaign) -> dict:
    """Counts by street and by type: enrolled, not filed, submitted, returned, accepted (one query each)."""
    S = AnnualReport.Status

    def counts(group_field):
        rows = (
            AnnualReport.objects.filter(campaign=campaign)
            .values(group_field)
            .annotate(
                enrolled=Count("id"),
                draft=Count("id", filter=Q(status=S.DRAFT)),
                submitted=Count("id", filter=Q(status=S.SUBMITTED)),
                returned=Count("id", filter=Q(status=S.RETURNED)),
                accepted=Count("id", filter=Q(status=S.ACCEPTED)),
                qualified=Count("id", filter=Q(result=AnnualReport.Result.QUALIFIED)),
                basically=Count("id", filter=Q(result=AnnualReport.Result.BASICALLY_QUALIFIED)),
                unqualified=Count("id", filter=Q(result=AnnualReport.Result.UNQUALIFIED)),
            )
            .order_by(group_field)
        )
        return list(rows)

    by_street = counts("organization__street__name")
    type_labels = dict(Organization.Type.choices)
    by_type = counts("organization__org_type")
    for row in by_street:
        row["label"] = row.pop("organization__street__name") or "—"
    for row in by_type:
        row["label"] = str(type_labels.get(row.pop("organization__org_type"), ""))
    total = {
        k: sum(r[k] for r in by_street)
        for k in (
            "enrolled",
            "draft",
            "submitted",
            "returned",
            "accepted",
            "qualified",
            "basically",
            "unqualified",
        )
    }
    total["label"] = "all"
    return {"by_street": by_street, "by_type": by_type, "total": total}


def evaluations_to_score():
    return (
        GradingEvaluation.objects.filter(status=GradingEvaluation.Status.APPLIED)
        .select_related("organization", "organization__street")
        .order_by("applied_at")
    )


def evaluation_list():
    return GradingEvaluation.objects.select_related("organization").order_by("-year", "-applied_at")


def join_requests_for_owner(user):
    return JoinRequest.objects.filter(
        status=JoinRequest.Status.PENDING,
        organization__memberships__user=user,
        organization__memberships__role=Membership.Role.OWNER,
    )


def profile_changes(organization_id: int, *, limit: int = 30) -> list[dict]:
    """Who changed which fields of the profile and when (simple-history), newest first."""
    records = list(
        Organization.history.filter(id=organization_id)
        .select_related("history_user")
        .order_by("-history_date")[: limit + 1]
    )
    area_names = dict(ServiceArea.objects.values_list("pk", "name"))

    def shown(field: str, value):
        if field == "service_areas":  # m2m history: [{"organization": 1, "servicearea": 3}, …]
            return "、".join(sorted(area_names.get(row.get("servicearea"), "?") for row in value or []))
        if field in ("street", "community") and value:
            from center.models import NetworkUnit

            return NetworkUnit.objects.filter(pk=value).values_list("name", flat=True).first() or value
        return value

    # one save writes one record, and setting the service areas one more per removal and addition:
    # the records of one edit (same person, seconds apart) are shown as one change
    edits: list[dict] = []
    for newer, older in zip(records, records[1:], strict=False):
        delta = newer.diff_against(older)
        if not delta.changes:
            continue
        changes = {c.field: (c.old, c.new) for c in delta.changes}
        last = edits[-1] if edits else None
        if (
            last
            and last["who_id"] == newer.history_user_id
            and (last["first"] - newer.history_date).total_seconds() < 5
        ):
            for field, (old, new) in changes.items():
                last["changes"][field] = (old, last["changes"].get(field, (old, new))[1])
            last["first"] = newer.history_date
            last["reason"] = last["reason"] or newer.history_change_reason or ""
        else:
            edits.append(
                {
                    "when": newer.history_date,
                    "first": newer.history_date,
                    "who": newer.history_user,
                    "who_id": newer.history_user_id,
                    "reason": newer.history_change_reason or "",
                    "changes": changes,
                }
            )
    out = []
    for edit in edits:
        fields = [
            {
                "field": str(Organization._meta.get_field(f).verbose_name),
                "old": shown(f, old),
                "new": shown(f, new),
            }
            for f, (old, new) in edit["changes"].items()
            if old != new
        ]
        if fields:
            out.append({"when": edit["when"], "who": edit["who"], "reason": edit["reason"], "fields": fields})
    return out


def thresholds_by_year(*, limit: int = 5) -> list[dict]:
    """The grade thresholds of the latest evaluation years: [{"year", "scores": {grade: min}}]."""
    from organizations.models import GradingThreshold

    years = list(GradingThreshold.objects.order_by("-year").values_list("year", flat=True).distinct()[:limit])
    rows: dict[int, dict] = {y: {"year": y, "scores": {}} for y in years}
    for t in GradingThreshold.objects.filter(year__in=years):
        rows[t.year]["scores"][t.grade] = t.min_score
    return [rows[y] for y in years]
