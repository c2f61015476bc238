"""The organization workflow on the shared kernel: refused records can be corrected (page and
service agree), join requests and status changes leave StatusHistory rows, staff buttons come
from the pipeline."""

import pytest
from django.urls import reverse

from center.errors import DomainError, PermissionDeniedError
from organizations import services
from organizations.models import JoinRequest, JoinRequestStatusChange, Organization, OrganizationStatusChange
from tests.organizations.factories import credit_code, make_org

S = Organization.Status
pytestmark = pytest.mark.django_db


def test_a_refused_organization_corrects_its_credit_code(owner_a, staff):
    org = make_org(owner=owner_a, status=S.PENDING, org_type="social_group")
    services.organization_refuse(organization=org, by=staff, reason="信用代码有误")
    org.refresh_from_db()
    assert services.identity_editable(org, owner_a)  # the edit page unlocks the field ...
    fixed = credit_code("social_group")
    data = {k: getattr(org, k) for k in services.PROFILE_FIELDS}
    data["credit_code"] = fixed
    services.organization_update(organization=org, user=owner_a, data=data)  # ... and the service agrees
    org.refresh_from_db()
    assert org.credit_code == fixed


def test_a_verified_organization_cannot_change_its_identity(owner_a):
    org = make_org(owner=owner_a, status=S.VERIFIED, org_type="social_group")
    assert not services.identity_editable(org, owner_a)
    data = {k: getattr(org, k) for k in services.PROFILE_FIELDS}
    data["credit_code"] = credit_code("social_group")
    with pytest.raises(PermissionDeniedError):
        services.organization_update(organization=org, user=owner_a, data=data)


def test_status_history_has_the_shared_shape(owner_a, staff):
    org = make_org(owner=owner_a, status=S.VERIFIED)
    services.organization_mark_abnormal(organization=org, by=staff, reason="未年检")
    row = OrganizationStatusChange.objects.get(organization=org, to_status=S.ABNORMAL)
    assert (row.by, row.from_status, row.reason) == (staff, S.VERIFIED, "未年检") and row.at


def test_join_request_decision_writes_history_and_refuses_a_second_answer(owner_a, make_user):
    org = make_org(owner=owner_a)
    asker = make_user("asker_t", role="organization")
    req = services.join_request_create(user=asker, credit_code=org.credit_code, message="想加入")
    stale = JoinRequest.objects.get(pk=req.pk)
    services.join_request_decide(join_request=req, by=owner_a, approve=True)
    row = JoinRequestStatusChange.objects.get(join_request=req)
    assert (row.from_status, row.to_status, row.by) == ("pending", "approved", owner_a)
    with pytest.raises(DomainError):
        services.join_request_decide(join_request=stale, by=owner_a, approve=False)
    assert JoinRequestStatusChange.objects.filter(join_request=req).count() == 1


def test_staff_buttons_follow_the_pipeline(client, owner_a, staff):
    org = make_org(owner=owner_a, status=S.ABNORMAL)
    client.force_login(staff)
    page = client.get(reverse("organizations:manage", args=[org.pk])).content.decode()
    assert 'value="unlist"' in page and 'value="deregister"' in page
    assert 'value="abnormal"' not in page and 'value="refuse"' not in page
