"""Self-registration, verification and refusal, the status workflow and its history."""

import pytest
from django.core import mail
from django.urls import reverse

from center.errors import DomainError, PermissionDeniedError, TransitionError
from center.models import Notification
from organizations import services
from organizations.models import AnnualReport, JoinRequest, Membership, Organization, OrganizationStatusChange
from tests.organizations.factories import credit_code, make_campaign, make_org

S = Organization.Status


def _form(network, **over):
    data = {
        "name": "星星的孩子家长互助论坛",
        "short_name": "星星论坛",
        "english_name": "Stars' Children Parents Forum",
        "org_type": "social_group",
        "credit_code": credit_code("social_group"),
        "street": network.nanmen.pk,
        "community": network.nanmen_c1.pk,
        "registration_authority": "宁波市海曙区民政局",
        "registration_date": "2012-02-15",
        "legal_representative": "张三",
        "supervising_unit": "海曙区残联",
        "registered_funds": "30000.00",
        "business_scope": "家长互助、心理支持",
        "address": "南门街道1号",
        "contact_person": "李四",
        "phone": "138 1234 5678",
        "email": "stars@example.cn",
        "website": "https://stars.example.cn",
    }
    data.update(over)
    return data


@pytest.mark.django_db
def test_organization_account_registers_with_certificate(client, network, make_user, pdf):
    person = make_user("newcomer", role="organization")
    client.force_login(person)
    resp = client.post(reverse("organizations:create"), {**_form(network), "certificate": pdf("cert.pdf")})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    org = Organization.objects.get(name="星星的孩子家长互助论坛")
    assert org.status == S.PENDING
    assert org.phone == "13812345678"
    assert org.certificate.name.endswith(".pdf")
    assert Membership.objects.get(organization=org).user == person
    assert Membership.objects.get(organization=org).role == "owner"


@pytest.mark.django_db
def test_bad_credit_code_shows_message_and_writes_nothing(client, network, make_user):
    client.force_login(make_user("newcomer", role="organization"))
    code = credit_code("foundation")
    resp = client.post(reverse("organizations:create"), _form(network, credit_code=code))
    assert resp.status_code == 200
    assert resp.context["form"].errors.as_data()["credit_code"][0].code == "credit_code_type_mismatch"
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_bad_phone_and_fake_certificate_are_refused(client, network, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(make_user("newcomer", role="organization"))
    resp = client.post(reverse("organizations:create"), _form(network, phone="12345"))
    assert resp.context["form"].errors.as_data()["phone"][0].code == "invalid_phone"
    fake = SimpleUploadedFile("cert.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    resp = client.post(reverse("organizations:create"), {**_form(network), "certificate": fake})
    assert resp.status_code == 200
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_community_organization_without_code_gets_filing_number_on_verify(network, make_user, staff):
    person = make_user("community_owner", role="organization")
    org = services.organization_create(
        user=person, data={"name": "南门东社区舞蹈队", "org_type": "community", "street": network.nanmen}
    )
    assert org.credit_code is None
    org = services.organization_verify(organization=org, by=staff)
    assert org.status == S.VERIFIED
    assert org.filing_number.startswith("HSBA")


@pytest.mark.django_db
def test_non_community_organization_needs_a_code(network, make_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        services.organization_create(
            user=make_user("p", role="organization"),
            data={"name": "无码协会", "org_type": "social_group", "street": network.nanmen},
        )
    assert "credit_code" in info.value.message_dict


@pytest.mark.django_db
def test_staff_verify_notifies_owner_and_records_history(
    client, network, owner_a, staff, django_capture_on_commit_callbacks
):
    org = make_org(owner=owner_a, status=S.PENDING, street=network.nanmen)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("organizations:status_action", args=[org.pk]), {"action": "verify"})
    assert resp.status_code == 302
    org.refresh_from_db()
    assert org.status == S.VERIFIED
    change = OrganizationStatusChange.objects.get(organization=org)
    assert (change.from_status, change.to_status, change.by) == (S.PENDING, S.VERIFIED, staff)
    assert Notification.objects.filter(user=owner_a).exists()
    assert any(owner_a.email in m.to for m in mail.outbox)


@pytest.mark.django_db
def test_refusal_needs_a_reason_then_owner_resubmits(network, owner_a, staff):
    org = make_org(owner=owner_a, status=S.PENDING)
    with pytest.raises(DomainError):
        services.organization_refuse(organization=org, by=staff, reason="  ")
    org.refresh_from_db()
    assert org.status == S.PENDING
    services.organization_refuse(organization=org, by=staff, reason="证书照片不清晰")
    org.refresh_from_db()
    assert org.status == S.REFUSED
    assert OrganizationStatusChange.objects.filter(
        organization=org, to_status=S.REFUSED, reason="证书照片不清晰"
    ).exists()
    services.organization_resubmit(organization=org, by=owner_a)
    org.refresh_from_db()
    assert org.status == S.PENDING


@pytest.mark.django_db
def test_every_organization_transition_and_a_refused_one(owner_a, staff):
    org = make_org(owner=owner_a, status=S.PENDING)
    services.organization_verify(organization=org, by=staff)
    services.organization_mark_abnormal(organization=org, by=staff, reason="长期未开展活动")
    org.refresh_from_db()
    assert (org.status, org.abnormal_reason) == (S.ABNORMAL, "长期未开展活动")
    assert org.abnormal_since is not None
    services.organization_remove_from_abnormal_list(organization=org, by=staff, reason="已恢复活动")
    org.refresh_from_db()
    assert (org.status, org.abnormal_reason, org.abnormal_since) == (S.VERIFIED, "", None)
    services.organization_deregister(organization=org, by=staff, reason="自行注销")
    org.refresh_from_db()
    assert org.status == S.DEREGISTERED
    with pytest.raises(TransitionError):
        services.organization_verify(organization=org, by=staff)
    assert [c.to_status for c in org.status_changes.order_by("id")] == [
        S.VERIFIED,
        S.ABNORMAL,
        S.VERIFIED,
        S.DEREGISTERED,
    ]


@pytest.mark.django_db
def test_only_staff_change_status(owner_a):
    org = make_org(owner=owner_a, status=S.PENDING)
    with pytest.raises(PermissionDeniedError):
        services.organization_verify(organization=org, by=owner_a)


@pytest.mark.django_db
def test_owner_cannot_post_staff_actions(client, owner_a):
    org = make_org(owner=owner_a, status=S.PENDING)
    client.force_login(owner_a)
    resp = client.post(reverse("organizations:status_action", args=[org.pk]), {"action": "verify"})
    assert resp.status_code == 403
    org.refresh_from_db()
    assert org.status == S.PENDING


@pytest.mark.django_db
def test_remove_from_abnormal_list_requires_the_missing_report(owner_a, staff):
    from datetime import date

    org = make_org(owner=owner_a)
    campaign = make_campaign(2024, opens_on=date(2025, 1, 1), deadline=date(2025, 5, 31))
    report = AnnualReport.objects.create(campaign=campaign, organization=org)
    services.organization_mark_abnormal(organization=org, by=staff, reason="未年检")
    with pytest.raises(DomainError) as info:
        services.organization_remove_from_abnormal_list(organization=org, by=staff, reason="已补报")
    assert "2024" in str(info.value.message)
    AnnualReport.objects.filter(pk=report.pk).update(status=AnnualReport.Status.SUBMITTED)
    services.organization_remove_from_abnormal_list(organization=org, by=staff, reason="已补报")
    org.refresh_from_db()
    assert org.status == S.VERIFIED


@pytest.mark.django_db
def test_owner_edits_profile_and_history_keeps_the_change(client, org_a, owner_a, network):
    client.force_login(owner_a)
    url = reverse("organizations:edit", args=[org_a.pk])
    assert client.get(url).status_code == 200
    data = _form(
        network,
        name="甲公益服务中心（新）",
        org_type=org_a.org_type,
        credit_code=org_a.credit_code,
        registration_date="2020-03-01",
        registration_authority="",
    )
    resp = client.post(url, data)
    assert resp.status_code == 302, resp.content.decode()[:3000]
    org_a.refresh_from_db()
    assert org_a.name == "甲公益服务中心（新）"
    assert org_a.history.count() >= 2
    assert org_a.history.first().name == "甲公益服务中心（新）"


@pytest.mark.django_db
def test_owner_cannot_change_identity_of_verified_org(org_a, owner_a):
    with pytest.raises(PermissionDeniedError):
        services.organization_update(organization=org_a, user=owner_a, data={"org_type": "foundation"})


@pytest.mark.django_db
def test_join_by_code_owner_approves(client, org_a, owner_a, make_user):
    person = make_user("volunteer", role="organization")
    client.force_login(person)
    resp = client.post(
        reverse("organizations:join"), {"credit_code": org_a.credit_code.lower(), "message": "我是新成员"}
    )
    assert resp.status_code == 302
    req = JoinRequest.objects.get(user=person)
    assert Notification.objects.filter(user=owner_a).exists()
    # the person cannot approve their own request
    resp = client.post(
        reverse("organizations:join_request_decide", args=[org_a.pk, req.pk]), {"approve": "1"}
    )
    assert resp.status_code == 403
    client.force_login(owner_a)
    client.post(reverse("organizations:join_request_decide", args=[org_a.pk, req.pk]), {"approve": "1"})
    assert Membership.objects.filter(organization=org_a, user=person, role="member").exists()
    req.refresh_from_db()
    assert req.status == "approved"
    with pytest.raises(DomainError):
        services.join_request_decide(join_request=req, by=owner_a, approve=False)


@pytest.mark.django_db
def test_join_unknown_code(make_user):
    with pytest.raises(DomainError):
        services.join_request_create(
            user=make_user("x", role="organization"), credit_code="5133020000000000XX"
        )


@pytest.mark.django_db
def test_owner_invites_and_manages_roles(client, org_a, owner_a, make_user):
    other = make_user("helper", role="organization", email="helper@example.cn")
    client.force_login(owner_a)
    resp = client.post(
        reverse("organizations:members", args=[org_a.pk]),
        {"identifier": "helper@example.cn", "role": "member"},
    )
    assert resp.status_code == 302
    m = Membership.objects.get(organization=org_a, user=other)
    client.post(reverse("organizations:member_action", args=[org_a.pk, m.pk]), {"role": "owner"})
    m.refresh_from_db()
    assert m.role == "owner"
    # the last owner cannot step down
    services.membership_remove(membership=m, by=owner_a)
    own = Membership.objects.get(organization=org_a, user=owner_a)
    with pytest.raises(DomainError):
        services.membership_set_role(membership=own, by=owner_a, role="member")


@pytest.mark.django_db
def test_member_cannot_invite(client, org_a, make_user):
    member = make_user("plain_member", role="organization")
    Membership.objects.create(organization=org_a, user=member, role="member")
    make_user("someone", role="organization")
    client.force_login(member)
    resp = client.post(
        reverse("organizations:members", args=[org_a.pk]), {"identifier": "someone", "role": "member"}
    )
    assert resp.status_code == 403
    assert Membership.objects.filter(organization=org_a).count() == 2


@pytest.mark.django_db
def test_staff_see_profile_changes(client, org_a, owner_a, staff):
    services.organization_update(organization=org_a, user=owner_a, data={"address": "新地址1号"})
    client.force_login(staff)
    resp = client.get(reverse("organizations:manage", args=[org_a.pk]))
    changes = resp.context["changes"]
    assert changes and changes[0]["fields"][0]["new"] == "新地址1号"
    client.force_login(owner_a)
    assert client.get(reverse("organizations:manage", args=[org_a.pk])).context["changes"] == []


@pytest.mark.django_db
def test_newly_verified_org_is_enrolled_in_open_campaign(owner_a, staff):
    from datetime import date

    from organizations.models import InspectionCampaign

    campaign = services.campaign_create(
        year=2026, opens_on=date(2026, 11, 1), deadline=date(2099, 5, 31), by=staff
    )
    org = make_org(owner=owner_a, status=S.PENDING, registration_date=date(2021, 1, 1))
    assert not campaign.reports.filter(organization=org).exists()
    services.organization_verify(organization=org, by=staff)
    assert services.campaigns_enroll_open() == 1
    assert InspectionCampaign.objects.get(pk=campaign.pk).reports.filter(organization=org).exists()


@pytest.mark.django_db
def test_status_action_does_not_redirect_off_site(client, owner_a, staff):
    org = make_org(owner=owner_a, status=S.PENDING)
    client.force_login(staff)
    resp = client.post(
        reverse("organizations:status_action", args=[org.pk]),
        {"action": "verify", "next": "https://evil.example.com/"},
    )
    assert resp["Location"] == reverse("organizations:manage", args=[org.pk])


@pytest.mark.django_db
def test_staff_manage_page_offers_each_action_with_its_own_reason_and_confirmation(client, owner_a, staff):
    import re

    org = make_org("丙互助会", owner=owner_a, status=S.VERIFIED)
    client.force_login(staff)
    page = client.get(
        reverse("organizations:manage", args=[org.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    forms = re.findall(r'<form method="post" action="[^"]*/status/"[^>]*>.*?</form>', page, flags=re.S)
    actions = {re.search(r'name="action" value="(\w+)"', f).group(1): f for f in forms}
    assert set(actions) == {"abnormal", "deregister"}  # verified: no verify/refuse/unlist
    for form in actions.values():
        assert "data-confirm=" in form and "丙互助会" in form
        assert 'name="reason"' in form and "required" in form
    # posting without a reason changes nothing and says why
    resp = client.post(
        reverse("organizations:status_action", args=[org.pk]),
        {"action": "deregister", "reason": ""},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Please give a reason." in resp.content.decode()
    org.refresh_from_db()
    assert org.status == S.VERIFIED
    client.post(
        reverse("organizations:status_action", args=[org.pk]),
        {"action": "abnormal", "reason": "长期未开展活动"},
    )
    org.refresh_from_db()
    assert org.status == S.ABNORMAL
    page = client.get(
        reverse("organizations:manage", args=[org.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'value="unlist"' in page and 'value="deregister"' in page and 'value="abnormal"' not in page


@pytest.mark.django_db
def test_verify_queue_refuse_asks_first_and_notifies_the_owner(
    client, network, owner_a, staff, django_capture_on_commit_callbacks
):
    org = make_org("丁协会", owner=owner_a, status=S.PENDING, street=network.nanmen)
    client.force_login(staff)
    page = client.get(reverse("organizations:verify_queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Refuse the registration of 丁协会?" in page
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            reverse("organizations:status_action", args=[org.pk]),
            {"action": "refuse", "reason": "证书与名称不符", "next": reverse("organizations:verify_queue")},
        )
    assert resp.url == reverse("organizations:verify_queue")
    org.refresh_from_db()
    assert org.status == S.REFUSED
    note = Notification.objects.get(user=owner_a)
    assert note.body == "证书与名称不符"
    assert any("证书与名称不符" in m.body for m in mail.outbox)


@pytest.mark.django_db
def test_owner_declines_a_join_request(client, org_a, owner_a, make_user):
    person = make_user("asker", role="organization")
    req = services.join_request_create(user=person, credit_code=org_a.credit_code, message="想加入")
    client.force_login(owner_a)
    client.post(
        reverse("organizations:join_request_decide", args=[org_a.pk, req.pk]),
        {"approve": "0"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    req.refresh_from_db()
    assert req.status == JoinRequest.Status.DECLINED
    assert not Membership.objects.filter(organization=org_a, user=person).exists()
    assert Notification.objects.filter(user=person, title__contains="declined").exists()
    with pytest.raises(DomainError):  # answered once
        services.join_request_decide(join_request=req, by=owner_a, approve=True)


@pytest.mark.django_db
def test_first_edit_of_a_bulk_written_record_is_in_the_history_with_readable_values(
    client, network, owner_a, staff
):
    """Demo data and the civil-affairs import write rows in bulk, without a history record."""
    from organizations.models import ServiceArea

    [org] = Organization.objects.bulk_create(
        [
            Organization(
                name="批量导入协会",
                org_type="social_group",
                credit_code=credit_code("social_group"),
                status=S.VERIFIED,
                street=network.nanmen,
                address="旧地址",
                registration_date="2015-01-01",
            )
        ]
    )
    Membership.objects.create(organization=org, user=owner_a, role="owner")
    assert not Organization.history.filter(id=org.pk).exists()
    client.force_login(owner_a)
    resp = client.patch(
        reverse("api-organization-profile", args=[org.pk]),
        {"address": "新地址2号", "service_areas": ["elderly", "health"]},
        content_type="application/json",
    )
    assert resp.status_code == 200
    client.force_login(staff)
    page = client.get(reverse("organizations:manage", args=[org.pk]), HTTP_ACCEPT_LANGUAGE="en")
    fields = {f["field"]: (f["old"], f["new"]) for c in page.context["changes"] for f in c["fields"]}
    assert fields["address"] == ("旧地址", "新地址2号")
    names = dict(ServiceArea.objects.filter(code__in=["elderly", "health"]).values_list("code", "name"))
    assert fields["service areas"][1] == "、".join(sorted(names.values()))
    html = page.content.decode()
    assert "“旧地址” → “新地址2号”" in html and "servicearea" not in html
    assert len(page.context["changes"]) == 1  # one edit, one entry (the save and the service areas together)
    # a staff member changing the street is shown by name
    services.organization_update(organization=org, user=staff, data={"street": network.yuehu})
    changes = client.get(reverse("organizations:manage", args=[org.pk]), HTTP_ACCEPT_LANGUAGE="en").context[
        "changes"
    ]
    assert {"field": "street / town", "old": "南门街道", "new": "月湖街道"} in changes[0]["fields"]
