"""Every write of the organizations app.

Each status change goes through one transition function per workflow
(`organization_transition`, `annual_report_transition`, `grading_transition`), which locks
the row, checks the pipeline and writes a history row. The small wrappers check who may act.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from center.calendar import is_overdue, working_days_left
from center.dates import add_years
from center.errors import DomainError, PermissionDeniedError, TransitionError
from center.services import notification_send, reminder_send_once
from center.validators import normalize_phone, validate_upload
from center.workflow import transition
from organizations.credit_codes import validate_credit_code
from organizations.models import (
    AnnualReport,
    AnnualReportStatusChange,
    GradingEvaluation,
    GradingThreshold,
    InspectionCampaign,
    JoinRequest,
    JoinRequestStatusChange,
    Membership,
    Organization,
    OrganizationStatusChange,
)
from organizations.selectors import organization_owners, user_is_member

S = Organization.Status
R = AnnualReport.Status

# ---------------------------------------------------------------- permissions ----


def _is_staff(user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.is_center_staff)


def _require_staff(user) -> None:
    if not _is_staff(user):
        raise PermissionDeniedError(_("Only center staff may do this."))


def _require_owner_or_staff(user, organization: Organization) -> None:
    if _is_staff(user):
        return
    if not user_is_member(user, organization.pk, owner_only=True):
        raise PermissionDeniedError(_("Only an owner of this organization may do this."))


def _notify_owners(organization: Organization, *, title: str, body: str = "", url: str = "") -> None:
    for owner in organization_owners(organization.pk):
        notification_send(user=owner, title=title, body=body, url=url)


# ---------------------------------------------------------------- the record ----

PROFILE_FIELDS = [
    "name",
    "short_name",
    "english_name",
    "org_type",
    "credit_code",
    "street",
    "community",
    "registration_authority",
    "registration_date",
    "legal_representative",
    "supervising_unit",
    "registered_funds",
    "business_scope",
    "address",
    "contact_person",
    "phone",
    "email",
    "website",
]


def organization_clean(organization: Organization) -> None:
    """Check the record as a whole: the credit code against the type, the phone, the community
    inside the street. Raises ValidationError (field -> messages)."""
    errors: dict[str, list] = {}
    code = (organization.credit_code or "").strip()
    if code:
        try:
            organization.credit_code = validate_credit_code(code, org_type=organization.org_type)
        except ValidationError as e:
            errors["credit_code"] = e.error_list
        else:
            clash = Organization.objects.filter(credit_code=organization.credit_code).exclude(
                pk=organization.pk
            )
            if clash.exists():
                errors["credit_code"] = [
                    _("An organization with this credit code is already in the registry.")
                ]
    else:
        organization.credit_code = None
        if organization.org_type != Organization.Type.COMMUNITY:
            errors["credit_code"] = [
                _(
                    "A unified social credit code is required; only community organizations on record may go without."
                )
            ]
    if organization.phone:
        try:
            organization.phone = normalize_phone(organization.phone)
        except ValidationError as e:
            errors["phone"] = e.error_list
    if (
        organization.community_id
        and organization.street_id
        and organization.community.parent_id != organization.street_id
    ):
        errors["community"] = [_("This community is not in the chosen street.")]
    if errors:
        raise ValidationError(errors)


def _ensure_history_baseline(organization: Organization) -> None:
    """Rows written in bulk (demo data, the civil-affairs import) have no history record yet, so
    the first edit would have nothing to be compared with: record the state before it."""
    if not Organization.history.filter(id=organization.pk).exists():
        organization._change_reason = _("State before the first recorded change")
        organization.save()
        del organization._change_reason


def _save_certificate(organization: Organization, certificate) -> None:
    if certificate:
        validate_upload(certificate)
        organization.certificate = certificate


@transaction.atomic
def organization_create(*, user, data: dict, service_areas=(), certificate=None) -> Organization:
    """An organization account registers its organization; it becomes the owner and the record
    waits for staff verification. Raises ValidationError (bad code, phone, upload) or
    PermissionDeniedError (not an organization account)."""
    if not (user.is_organization_account or _is_staff(user)):
        raise PermissionDeniedError(_("Only organization accounts register organizations."))
    organization = Organization(**{k: v for k, v in data.items() if k in PROFILE_FIELDS})
    organization.status = S.PENDING
    organization_clean(organization)
    _save_certificate(organization, certificate)
    organization.save()
    organization.service_areas.set(service_areas)
    Membership.objects.create(organization=organization, user=user, role=Membership.Role.OWNER)
    OrganizationStatusChange.objects.create(
        organization=organization,
        from_status="",
        to_status=S.PENDING,
        by=user,
        reason=_("Registered on the portal"),
    )
    return organization


IDENTITY_FIELDS = frozenset({"credit_code", "org_type", "registration_date", "registration_authority"})


def identity_editable(organization: Organization, user) -> bool:
    """The one rule for the identity fields (credit code, type, registration): the owners
    edit them while the record waits for verification or after a refusal (they are invited
    to correct it); once verified only staff change them. The edit page and
    `organization_update` both ask this."""
    return organization.status in (S.PENDING, S.REFUSED) or _is_staff(user)


@transaction.atomic
def organization_update(
    *, organization: Organization, user, data: dict, service_areas=None, certificate=None
) -> Organization:
    """Owners (and staff) edit the profile; every change is kept in the record's history.
    Raises PermissionDeniedError, ValidationError."""
    _require_owner_or_staff(user, organization)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    _ensure_history_baseline(organization)
    may_change_identity = identity_editable(organization, user)
    for key, value in data.items():
        if key not in PROFILE_FIELDS:
            continue
        # Once verified, the identity comes from the certificate: only staff change it.
        if key in IDENTITY_FIELDS and not may_change_identity and value != getattr(organization, key):
            raise PermissionDeniedError(
                _(
                    "The credit code, type and registration of a verified organization are "
                    "changed by the center."
                )
            )
        setattr(organization, key, value)
    organization_clean(organization)
    _save_certificate(organization, certificate)
    organization._change_reason = _("Profile edited")
    organization.save()
    if service_areas is not None:
        organization.service_areas.set(service_areas)
    return organization


ORGANIZATION_PIPELINE = {
    S.PENDING: {S.VERIFIED, S.REFUSED},
    S.REFUSED: {S.PENDING},
    S.VERIFIED: {S.ABNORMAL, S.DEREGISTERED},
    S.ABNORMAL: {S.VERIFIED, S.DEREGISTERED},
    S.DEREGISTERED: set(),
}
REASON_REQUIRED = {
    (S.PENDING, S.REFUSED),
    (S.VERIFIED, S.ABNORMAL),
    (S.ABNORMAL, S.VERIFIED),
    (S.VERIFIED, S.DEREGISTERED),
    (S.ABNORMAL, S.DEREGISTERED),
}


def _next_filing_number(organization: Organization) -> str:
    return f"HSBA{timezone.localdate().year}{organization.pk:06d}"


def organization_transition(
    *, organization: Organization, to: str, by=None, reason: str = ""
) -> Organization:
    """The one status change of an organization: pipeline check, history row (who, when, from,
    to, reason), abnormal-list fields, notification to the owners.
    Raises TransitionError (not allowed from the current status) or DomainError (reason missing)."""
    reason = (reason or "").strip()

    def extra(locked, current) -> dict:  # decided on the locked row
        if (current, to) in REASON_REQUIRED and not reason:
            raise DomainError(_("Please give a reason."), code="reason_required")
        updates: dict = {}
        if to == S.ABNORMAL:
            updates = {"abnormal_since": timezone.localdate(), "abnormal_reason": reason[:300]}
        elif current == S.ABNORMAL:
            updates = {"abnormal_since": None, "abnormal_reason": ""}
        if to == S.VERIFIED and current == S.PENDING and not locked.credit_code and not locked.filing_number:
            updates["filing_number"] = _next_filing_number(locked)
        return updates

    with transaction.atomic():
        result = transition(
            organization,
            to=to,
            pipeline=ORGANIZATION_PIPELINE,
            by=by,
            reason=reason,
            history_model=OrganizationStatusChange,
            extra_updates=extra,
        )
        locked = result.obj
        if not result.changed:  # already there (e.g. a second worker of the nightly job): no second notice
            return locked
        label = dict(S.choices)[to]
        _notify_owners(
            locked,
            title=_("%(org)s: %(status)s") % {"org": locked.name, "status": label},
            body=reason,
            url=reverse("organizations:manage", args=[locked.pk]),
        )
    return locked


def organization_verify(*, organization: Organization, by) -> Organization:
    _require_staff(by)
    return organization_transition(
        organization=organization, to=S.VERIFIED, by=by, reason=_("Certificate checked")
    )


def organization_refuse(*, organization: Organization, by, reason: str) -> Organization:
    _require_staff(by)
    return organization_transition(organization=organization, to=S.REFUSED, by=by, reason=reason)


def organization_resubmit(*, organization: Organization, by) -> Organization:
    """After a refusal the owner corrects the record and asks again."""
    _require_owner_or_staff(by, organization)
    return organization_transition(
        organization=organization, to=S.PENDING, by=by, reason=_("Corrected and resubmitted")
    )


def organization_mark_abnormal(*, organization: Organization, by, reason: str) -> Organization:
    _require_staff(by)
    return organization_transition(organization=organization, to=S.ABNORMAL, by=by, reason=reason)


def organization_deregister(*, organization: Organization, by, reason: str) -> Organization:
    _require_staff(by)
    return organization_transition(organization=organization, to=S.DEREGISTERED, by=by, reason=reason)


def organization_remove_from_abnormal_list(*, organization: Organization, by, reason: str) -> Organization:
    """Staff take an organization off the abnormal list once it has filed every report that was
    overdue. Raises DomainError when a report of a closed campaign is still not filed."""
    _require_staff(by)
    today = timezone.localdate()
    missing = (
        AnnualReport.objects.filter(organization=organization, status=R.DRAFT, campaign__deadline__lt=today)
        .select_related("campaign")
        .first()
    )
    if missing is not None:
        raise DomainError(
            _("The annual report for %(year)s has not been filed yet.") % {"year": missing.campaign.year},
            code="report_missing",
        )
    return organization_transition(organization=organization, to=S.VERIFIED, by=by, reason=reason)


# ---------------------------------------------------------------- members ----


def _find_user(identifier: str):
    User = get_user_model()
    identifier = (identifier or "").strip()
    users = list(
        User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier), is_active=True)[:2]
    )
    if len(users) != 1:
        raise DomainError(
            _("No single account has this username or e-mail: “%(who)s”.") % {"who": identifier},
            code="user_not_found",
        )
    return users[0]


@transaction.atomic
def membership_invite(
    *, organization: Organization, by, identifier: str, role: str = Membership.Role.MEMBER
) -> Membership:
    """An owner adds an existing account (by username or e-mail) to the organization.
    Raises PermissionDeniedError, DomainError (no such account, already a member)."""
    _require_owner_or_staff(by, organization)
    user = _find_user(identifier)
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise DomainError(_("%(who)s is already a member.") % {"who": user}, code="already_member")
    membership = Membership.objects.create(organization=organization, user=user, role=role)
    notification_send(
        user=user,
        title=_("You were added to %(org)s") % {"org": organization.name},
        url=reverse("organizations:manage", args=[organization.pk]),
    )
    return membership


def _lock_members(organization_id: int) -> None:
    """Serialise membership changes of one organization: the organization row is locked, so
    two owners removing (or demoting) each other at once run one after the other and the
    second sees that it would leave no owner."""
    Organization.objects.select_for_update().only("pk").get(pk=organization_id)


def _ensure_an_owner_stays(membership: Membership) -> None:
    others = Membership.objects.filter(
        organization_id=membership.organization_id, role=Membership.Role.OWNER
    ).exclude(pk=membership.pk)
    if membership.role == Membership.Role.OWNER and not others.exists():
        raise DomainError(_("An organization keeps at least one owner."), code="last_owner")


@transaction.atomic
def membership_set_role(*, membership: Membership, by, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise DomainError(_("Unknown role."), code="bad_role")
    _lock_members(membership.organization_id)
    membership = Membership.objects.select_related("organization").get(pk=membership.pk)
    _require_owner_or_staff(by, membership.organization)  # decided after the lock
    if role != Membership.Role.OWNER:
        _ensure_an_owner_stays(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by) -> None:
    """Raises PermissionDeniedError (not an owner, checked after the lock) or DomainError (it
    would leave the organization without an owner)."""
    _lock_members(membership.organization_id)
    membership = Membership.objects.select_related("organization").filter(pk=membership.pk).first()
    if membership is None:
        return  # removed meanwhile
    _require_owner_or_staff(by, membership.organization)
    _ensure_an_owner_stays(membership)
    membership.delete()


@transaction.atomic
def join_request_create(*, user, credit_code: str, message: str = "") -> JoinRequest:
    """Ask to join an existing organization by its credit code (or filing number); its owners
    are notified. Raises DomainError (no such organization, already a member, already asked)."""
    code = (credit_code or "").strip().upper()
    organization = Organization.objects.filter(Q(credit_code=code) | Q(filing_number=code)).first()
    if organization is None:
        raise DomainError(
            _("No organization in the registry has the code “%(code)s”.") % {"code": code}, code="not_found"
        )
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise DomainError(
            _("You are already a member of %(org)s.") % {"org": organization.name}, code="already_member"
        )
    if JoinRequest.objects.filter(
        organization=organization, user=user, status=JoinRequest.Status.PENDING
    ).exists():
        raise DomainError(
            _("You have already asked to join; the owner has not answered yet."), code="already_asked"
        )
    req = JoinRequest.objects.create(organization=organization, user=user, message=message)
    _notify_owners(
        organization,
        title=_("%(who)s asks to join %(org)s") % {"who": user, "org": organization.name},
        body=message,
        url=reverse("organizations:members", args=[organization.pk]),
    )
    return req


JOIN_PIPELINE = {
    JoinRequest.Status.PENDING: {JoinRequest.Status.APPROVED, JoinRequest.Status.DECLINED},
    JoinRequest.Status.APPROVED: set(),
    JoinRequest.Status.DECLINED: set(),
}


@transaction.atomic
def join_request_decide(*, join_request: JoinRequest, by, approve: bool) -> JoinRequest:
    """An owner approves (the person becomes a member) or declines. Raises PermissionDeniedError,
    DomainError when already decided."""
    _require_owner_or_staff(by, join_request.organization)
    to = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    req = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if req.status != JoinRequest.Status.PENDING:
        raise DomainError(_("This request has already been answered."), code="already_decided")
    req = transition(
        req,
        to=to,
        pipeline=JOIN_PIPELINE,
        by=by,
        history_model=JoinRequestStatusChange,
        extra_updates={"decided_by": by, "decided_at": timezone.now()},
    ).obj
    if approve:
        Membership.objects.get_or_create(organization=req.organization, user=req.user)
    notification_send(
        user=req.user,
        title=(_("Welcome to %(org)s") if approve else _("Your request to join %(org)s was declined"))
        % {"org": req.organization.name},
        url=reverse("organizations:mine"),
    )
    return req


# ---------------------------------------------------------------- annual inspection ----


def _enrolled_organizations(campaign: InspectionCampaign):
    return Organization.objects.filter(
        status__in=[S.VERIFIED, S.ABNORMAL],
        registration_date__isnull=False,
        registration_date__lte=campaign.enrollment_cutoff,
    )


def campaign_enroll(*, campaign: InspectionCampaign) -> int:
    """Create a draft report for every enrolled organization that has none yet; safe to repeat."""
    existing = set(campaign.reports.values_list("organization_id", flat=True))
    new = [
        AnnualReport(campaign=campaign, organization_id=pk)
        for pk in _enrolled_organizations(campaign).values_list("pk", flat=True)
        if pk not in existing
    ]
    AnnualReport.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def campaign_create(
    *,
    year: int,
    opens_on: date,
    by,
    deadline: date | None = None,
    supervising_unit_deadline: date | None = None,
) -> InspectionCampaign:
    """Open the annual inspection of `year` and enroll the organizations registered at least six
    months before that year's end. Raises PermissionDeniedError, DomainError (year exists, dates)."""
    _require_staff(by)
    if InspectionCampaign.objects.filter(year=year).exists():
        raise DomainError(_("There is already a campaign for %(year)s.") % {"year": year}, code="duplicate")
    deadline = deadline or InspectionCampaign.default_deadline(year)
    if deadline < opens_on:
        raise DomainError(_("The deadline is before the opening day."), code="bad_dates")
    if supervising_unit_deadline and supervising_unit_deadline > deadline:
        raise DomainError(
            _("The supervising units' deadline must not be after the deadline."), code="bad_dates"
        )
    campaign = InspectionCampaign.objects.create(
        year=year,
        opens_on=opens_on,
        deadline=deadline,
        supervising_unit_deadline=supervising_unit_deadline,
        created_by=by,
    )
    campaign_enroll(campaign=campaign)
    return campaign


REPORT_FIELDS = [
    "activities",
    "event_count",
    "beneficiaries",
    "income",
    "expenditure",
    "net_assets",
    "fulltime_staff",
    "parttime_staff",
    "volunteers",
    "has_party_organization",
]
REPORT_FILES = ["financial_statements", "audit_report", "rectification_report"]


@transaction.atomic
def annual_report_update(*, report: AnnualReport, by, data: dict, files: dict | None = None) -> AnnualReport:
    """Owners fill in the report while it is a draft or returned. Raises PermissionDeniedError,
    DomainError (already submitted), ValidationError (attachment type or size)."""
    if not user_is_member(by, report.organization_id, owner_only=True):
        raise PermissionDeniedError(_("Only an owner of this organization may edit its annual report."))
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.status not in (R.DRAFT, R.RETURNED):
        raise DomainError(_("A submitted report can no longer be edited."), code="not_editable")
    for key in REPORT_FIELDS:
        if key in data:
            setattr(report, key, data[key])
    for key, upload in (files or {}).items():
        if key in REPORT_FILES and upload:
            validate_upload(upload)
            setattr(report, key, upload)
    report.save()
    return report


def previous_result(report: AnnualReport) -> str:
    prev = (
        AnnualReport.objects.filter(
            organization_id=report.organization_id, campaign__year=report.campaign.year - 1
        )
        .values_list("result", flat=True)
        .first()
    )
    return prev or ""


def annual_report_missing(report: AnnualReport) -> list[str]:
    """What a report still lacks before it can be submitted (empty when complete)."""
    missing = []
    for key in [
        "activities",
        "event_count",
        "beneficiaries",
        "income",
        "expenditure",
        "net_assets",
        "fulltime_staff",
        "parttime_staff",
        "volunteers",
    ]:
        if getattr(report, key) in (None, ""):
            missing.append(str(AnnualReport._meta.get_field(key).verbose_name))
    if not report.financial_statements:
        missing.append(_("financial statements"))
    if report.organization.org_type == Organization.Type.FOUNDATION and not report.audit_report:
        missing.append(_("audit report (required for foundations)"))
    if (
        previous_result(report) in (AnnualReport.Result.BASICALLY_QUALIFIED, AnnualReport.Result.UNQUALIFIED)
        and not report.rectification_report
    ):
        missing.append(_("rectification report (last year's result was not Qualified)"))
    return missing


REPORT_PIPELINE = {
    R.DRAFT: {R.SUBMITTED},
    R.RETURNED: {R.SUBMITTED},
    R.SUBMITTED: {R.RETURNED, R.ACCEPTED},
    R.ACCEPTED: set(),
}


def annual_report_transition(
    *, report: AnnualReport, to: str, by, comment: str = "", result: str = ""
) -> AnnualReport:
    """The one status change of an annual report. Raises TransitionError, DomainError (incomplete
    report, comment or result missing)."""
    comment = (comment or "").strip()
    report = AnnualReport.objects.select_related("organization", "campaign").get(pk=report.pk)
    extra: dict = {}
    now = timezone.now()
    if to == R.SUBMITTED:
        missing = annual_report_missing(report)
        if missing:
            raise DomainError(
                _("The report is not complete. Missing: %(what)s.") % {"what": "; ".join(missing)},
                code="incomplete",
                details={"missing": missing},
            )
        extra = {"submitted_at": now}
    elif to == R.RETURNED:
        if not comment:
            raise DomainError(_("Say what needs to change."), code="comment_required")
        extra = {"staff_comments": comment, "reviewed_at": now, "reviewed_by": by}
    elif to == R.ACCEPTED:
        if result not in AnnualReport.Result.values:
            raise DomainError(
                _("Choose a result: Qualified, Basically qualified or Unqualified."), code="result_required"
            )
        extra = {"result": result, "staff_comments": comment, "reviewed_at": now, "reviewed_by": by}

    with transaction.atomic():
        locked = transition(
            report,
            to=to,
            pipeline=REPORT_PIPELINE,
            by=by,
            reason=comment,
            history_model=AnnualReportStatusChange,
            extra_updates=extra,
        ).obj
        if to in (R.RETURNED, R.ACCEPTED):
            _notify_owners(
                report.organization,
                title=_("Annual report %(year)s: %(status)s")
                % {"year": report.campaign.year, "status": dict(R.choices)[to]},
                body=comment,
                url=reverse("organizations:report", args=[report.pk]),
            )
    return locked


def annual_report_submit(*, report: AnnualReport, by) -> AnnualReport:
    if not user_is_member(by, report.organization_id, owner_only=True):
        raise PermissionDeniedError(_("Only an owner of this organization may submit its annual report."))
    return annual_report_transition(report=report, to=R.SUBMITTED, by=by)


def annual_report_return(*, report: AnnualReport, by, comment: str) -> AnnualReport:
    _require_staff(by)
    return annual_report_transition(report=report, to=R.RETURNED, by=by, comment=comment)


def annual_report_accept(*, report: AnnualReport, by, result: str, comment: str = "") -> AnnualReport:
    _require_staff(by)
    return annual_report_transition(report=report, to=R.ACCEPTED, by=by, result=result, comment=comment)


def campaigns_enroll_open(*, today: date | None = None) -> int:
    """Enroll organizations verified or imported since their open campaign started (daily job)."""
    today = today or timezone.localdate()
    return sum(campaign_enroll(campaign=c) for c in InspectionCampaign.objects.filter(deadline__gte=today))


REMINDER_DAYS = (30, 7, 1)  # working days before the deadline


def annual_reminders_send(*, today: date | None = None) -> int:
    """Remind the owners of every enrolled organization that has not submitted, 30, 7 and 1
    working days before the deadline. A missed day is caught up with the nearest occasion; each
    (campaign, organization, occasion) is sent once. Returns the reminders sent."""
    today = today or timezone.localdate()
    sent = 0
    # a deadline on a day off runs to the next working day (center.calendar.effective_deadline)
    for campaign in InspectionCampaign.objects.filter(
        opens_on__lte=today, deadline__gte=today - timedelta(days=31)
    ):
        if is_overdue(today, campaign.deadline):
            continue
        remaining = working_days_left(today, campaign.deadline)
        due = [n for n in REMINDER_DAYS if remaining <= n]
        if not due:
            continue
        occasion = min(due)
        reports = campaign.reports.filter(
            status__in=[R.DRAFT, R.RETURNED],
            organization__status__in=[S.VERIFIED, S.ABNORMAL],
        ).select_related("organization")
        owners = _owners_by_organization([r.organization_id for r in reports])
        for report in reports:
            ok = reminder_send_once(
                key=f"annual:{campaign.pk}:{report.organization_id}:d{occasion}",
                users=owners.get(report.organization_id, []),
                title=_("%(org)s: the annual report for %(year)s is due on %(deadline)s")
                % {"org": report.organization.name, "year": campaign.year, "deadline": campaign.deadline},
                body=_("%(n)d working day(s) left.") % {"n": remaining},
                url=reverse("organizations:report", args=[report.pk]),
            )
            sent += int(ok)
    return sent


def _owners_by_organization(org_ids) -> dict[int, list]:
    out: dict[int, list] = {}
    rows = Membership.objects.filter(
        organization_id__in=org_ids, role=Membership.Role.OWNER, user__is_active=True
    ).select_related("user")
    for m in rows:
        out.setdefault(m.organization_id, []).append(m.user)
    return out


def abnormal_list_draw_up(*, today: date | None = None) -> int:
    """The day after a campaign's deadline, put every organization that never submitted on the
    abnormal list, with that reason. Safe to run again. Returns how many were listed."""
    today = today or timezone.localdate()
    listed = 0
    for campaign in InspectionCampaign.objects.filter(deadline__lt=today):
        if not is_overdue(today, campaign.deadline):
            continue  # a deadline on a day off runs to the end of the next working day
        # never submitted = still a draft; a returned report was filed and is being corrected
        reports = campaign.reports.filter(status=R.DRAFT, organization__status=S.VERIFIED).select_related(
            "organization"
        )
        for report in reports:
            organization_transition(
                organization=report.organization,
                to=S.ABNORMAL,
                by=None,
                reason=_("Did not file the annual report for %(year)s by %(deadline)s.")
                % {"year": campaign.year, "deadline": campaign.deadline},
            )
            listed += 1
        if campaign.abnormal_list_done_at is None:
            InspectionCampaign.objects.filter(pk=campaign.pk).update(abnormal_list_done_at=timezone.now())
    return listed


# ---------------------------------------------------------------- grading ----


def grading_eligibility(organization: Organization, *, today: date | None = None) -> list[str]:
    """Why this organization may not apply for a grade (empty when it may)."""
    today = today or timezone.localdate()
    problems = []
    if organization.status == S.ABNORMAL:
        problems.append(_("It is on the abnormal list."))
    elif organization.status != S.VERIFIED:
        problems.append(_("It is not a verified organization."))
    if not organization.registration_date or add_years(organization.registration_date, 2) > today:
        problems.append(_("It has not been registered for two full years."))
    last = (
        AnnualReport.objects.filter(organization=organization, status=R.ACCEPTED)
        .order_by("-campaign__year")
        .values_list("result", flat=True)
        .first()
    )
    if last == AnnualReport.Result.UNQUALIFIED:
        problems.append(_("Its last annual inspection was Unqualified."))
    return problems


@transaction.atomic
def grading_apply(*, organization: Organization, by, year: int | None = None) -> GradingEvaluation:
    """An owner applies for the grading evaluation of `year`. Raises PermissionDeniedError,
    DomainError (not eligible, already applied)."""
    _require_owner_or_staff(by, organization)
    year = year or timezone.localdate().year
    problems = grading_eligibility(organization)
    if problems:
        raise DomainError(
            _("Not eligible for grading: %(why)s") % {"why": " ".join(problems)},
            code="not_eligible",
            details={"problems": problems},
        )
    existing = GradingEvaluation.objects.filter(organization=organization, year=year).first()
    if existing is not None and existing.status == GradingEvaluation.Status.WITHDRAWN:
        return grading_transition(
            evaluation=existing,
            to=GradingEvaluation.Status.APPLIED,
            by=by,
            extra={"applied_by": by, "applied_at": timezone.now()},
        )
    if existing is not None:
        raise DomainError(
            _("This organization has already applied for %(year)s.") % {"year": year}, code="duplicate"
        )
    return GradingEvaluation.objects.create(organization=organization, year=year, applied_by=by)


@transaction.atomic
def grading_withdraw(*, evaluation: GradingEvaluation, by) -> GradingEvaluation:
    """An owner withdraws an application that has not been scored yet (it may apply again).
    Raises PermissionDeniedError, TransitionError (already scored)."""
    _require_owner_or_staff(by, evaluation.organization)
    return grading_transition(evaluation=evaluation, to=GradingEvaluation.Status.WITHDRAWN, by=by)


GRADE_ORDER = ["5A", "4A", "3A", "2A", "1A"]


@transaction.atomic
def grading_thresholds_set(*, year: int, by, min_scores: dict) -> list[GradingThreshold]:
    """Staff set the lowest total score (out of 1000) of every grade for one evaluation year.
    Raises PermissionDeniedError, DomainError (a score missing, outside 0–1000, or not lower for
    each lower grade)."""
    _require_staff(by)
    values = []
    for grade in GRADE_ORDER:
        try:
            value = Decimal(str(min_scores[grade]))
        except Exception:
            raise DomainError(_("Every grade needs a minimum score."), code="threshold_missing") from None
        if not 0 <= value <= 1000:
            raise DomainError(
                _("The minimum score of %(grade)s must be between 0 and 1000.") % {"grade": grade},
                code="threshold_range",
            )
        values.append((grade, value))
    for (higher, high), (lower, low) in zip(values, values[1:], strict=False):
        if low >= high:
            raise DomainError(
                _("%(lower)s must need a lower score than %(higher)s.") % {"lower": lower, "higher": higher},
                code="threshold_order",
            )
    out = []
    for grade, value in values:
        threshold, _created = GradingThreshold.objects.update_or_create(
            year=year, grade=grade, defaults={"min_score": value}
        )
        out.append(threshold)
    return out


GRADING_PIPELINE = {
    GradingEvaluation.Status.APPLIED: {
        GradingEvaluation.Status.GRADED,
        GradingEvaluation.Status.NOT_GRADED,
        GradingEvaluation.Status.WITHDRAWN,
    },
    # an owner who withdrew may apply again for the same year
    GradingEvaluation.Status.WITHDRAWN: {GradingEvaluation.Status.APPLIED},
}


def grade_for_total(year: int, total: Decimal) -> str:
    thresholds = list(GradingThreshold.objects.filter(year=year).order_by("-min_score"))
    if not thresholds:
        raise DomainError(
            _("No grade thresholds are configured for %(year)s.") % {"year": year}, code="no_thresholds"
        )
    for t in thresholds:
        if total >= t.min_score:
            return t.grade
    return ""


def grading_transition(
    *, evaluation: GradingEvaluation, to: str, by, extra: dict | None = None
) -> GradingEvaluation:
    """The one status change of a grading evaluation (history kept by simple-history)."""
    return transition(evaluation, to=to, pipeline=GRADING_PIPELINE, by=by, extra_updates=extra).obj


@transaction.atomic
def grading_score(*, evaluation: GradingEvaluation, by, scores: dict) -> GradingEvaluation:
    """Staff enter the four indicator scores; the total gives the grade by the year's thresholds,
    valid five years. Raises PermissionDeniedError, DomainError (score out of range, no thresholds),
    TransitionError (already scored)."""
    _require_staff(by)
    if evaluation.status != GradingEvaluation.Status.APPLIED:
        raise TransitionError(
            _("This evaluation has already been decided."), details={"from": evaluation.status}
        )
    values = {}
    for key, top in GradingEvaluation.MAX_SCORES.items():
        try:
            value = Decimal(str(scores[key]))
        except Exception:
            raise DomainError(_("Every indicator needs a score."), code="score_missing") from None
        if not 0 <= value <= top:
            label = GradingEvaluation._meta.get_field(key).verbose_name
            raise DomainError(
                _("%(what)s must be between 0 and %(top)d.") % {"what": label, "top": top}, code="score_range"
            )
        values[key] = value
    total = sum(values.values())
    grade = grade_for_total(evaluation.year, total)
    today = timezone.localdate()
    valid_until = add_years(today, 5) if grade else None
    result = transition(
        evaluation,
        to=GradingEvaluation.Status.GRADED if grade else GradingEvaluation.Status.NOT_GRADED,
        pipeline=GRADING_PIPELINE,
        by=by,
        extra_updates={
            **values,
            "total": total,
            "grade": grade,
            "valid_until": valid_until,
            "scored_by": by,
            "scored_at": timezone.now(),
        },
    )
    evaluation = result.obj
    if not result.changed:  # a double submit: already scored, nothing rewritten, no second notice
        return evaluation
    if grade:
        org = Organization.objects.select_for_update().get(pk=evaluation.organization_id)
        _ensure_history_baseline(org)
        org.grade, org.grade_valid_until = grade, valid_until
        org._change_reason = _("Grading evaluation %(year)s") % {"year": evaluation.year}
        org.save(update_fields=["grade", "grade_valid_until"])
    _notify_owners(
        evaluation.organization,
        title=_("Grading evaluation %(year)s: %(result)s")
        % {"year": evaluation.year, "result": grade or _("below every grade")},
        body=_("Total score: %(total)s / 1000") % {"total": total},
        url=reverse("organizations:manage", args=[evaluation.organization_id]),
    )
    return evaluation


def grade_expiry_reminders_send(*, today: date | None = None, days: int = 90) -> int:
    """Remind owners `days` days before their grade expires; once per organization and expiry date."""
    from datetime import timedelta

    today = today or timezone.localdate()
    orgs = list(
        Organization.objects.filter(
            grade__gt="",
            grade_valid_until__gte=today,
            grade_valid_until__lte=today + timedelta(days=days),
            status__in=[S.VERIFIED, S.ABNORMAL],
        ).only("pk", "name", "grade", "grade_valid_until")
    )
    owners = _owners_by_organization([o.pk for o in orgs])
    sent = 0
    for org in orgs:
        sent += int(
            reminder_send_once(
                key=f"grade:{org.pk}:{org.grade_valid_until:%Y%m%d}:d{days}",
                users=owners.get(org.pk, []),
                title=_("%(org)s: your %(grade)s grade expires on %(date)s")
                % {"org": org.name, "grade": org.grade, "date": org.grade_valid_until},
                body=_("Apply for a new grading evaluation in time."),
                url=reverse("organizations:manage", args=[org.pk]),
            )
        )
    return sent
