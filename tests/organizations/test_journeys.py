"""Whole journeys through the pages, as the people who use them."""

import pytest
from django.core import mail
from django.urls import reverse

from center.models import Notification, User
from organizations.models import Membership, Organization
from tests.organizations.factories import credit_code


@pytest.mark.django_db
def test_sign_up_register_verify_and_appear_in_the_directory(
    client, network, staff, pdf, django_capture_on_commit_callbacks
):
    resp = client.post(
        reverse("center:signup"),
        {
            "username": "stars_parent",
            "display_name": "陈静",
            "email": "chen@example.cn",
            "phone": "",
            "role": "organization",
            "password1": "Xk3!pqrs-long",
            "password2": "Xk3!pqrs-long",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:3000]
    person = User.objects.get(username="stars_parent")
    page = client.get(reverse("organizations:mine"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You do not belong to any organization yet." in page
    assert reverse("organizations:create") in page
    code = credit_code("social_group")
    resp = client.post(
        reverse("organizations:create"),
        {
            "name": "星星的孩子家长互助论坛",
            "org_type": "social_group",
            "credit_code": code,
            "street": network.nanmen.pk,
            "registration_date": "2012-02-15",
            "phone": "13812345678",
            "certificate": pdf("cert.pdf"),
        },
    )
    org = Organization.objects.get(credit_code=code)
    assert resp.url == reverse("organizations:manage", args=[org.pk])
    assert org.status == "pending"
    # not public before staff verify it
    assert client.get(reverse("organizations:detail", args=[org.pk])).status_code == 404
    client.force_login(staff)
    queue = client.get(reverse("organizations:verify_queue")).content.decode()
    assert (
        "星星的孩子家长互助论坛" in queue
        and reverse("organizations:certificate_file", args=[org.pk]) in queue
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organizations:status_action", args=[org.pk]), {"action": "verify"})
    assert Notification.objects.filter(
        user=person, url=reverse("organizations:manage", args=[org.pk])
    ).exists()
    assert [m.to for m in mail.outbox] == [["chen@example.cn"]]
    client.logout()
    directory = client.get(reverse("organizations:directory"), {"q": "星星的孩子"}).content.decode()
    assert reverse("organizations:detail", args=[org.pk]) in directory


@pytest.mark.django_db
def test_resident_is_told_who_registers_organizations(client, resident):
    client.force_login(resident)
    page = client.get(reverse("organizations:mine"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Only organization accounts register organizations" in page
    assert reverse("organizations:create") not in page
    assert client.get(reverse("organizations:create")).status_code == 403


@pytest.mark.django_db
def test_ask_to_join_by_code_through_the_pages(client, network, make_user):
    from tests.organizations.factories import make_org

    owner = make_user("forum_owner", role="organization")
    org = make_org("海曙区助残志愿者协会", owner=owner, street=network.nanmen)
    person = make_user("volunteer", role="organization")
    client.force_login(person)
    resp = client.post(
        reverse("organizations:join"),
        {"credit_code": org.credit_code.lower(), "message": "我是志愿者"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Your request was sent" in resp.content.decode()
    assert "海曙区助残志愿者协会" in resp.content.decode()  # listed under my requests
    resp = client.post(
        reverse("organizations:join"),
        {"credit_code": "51330203MJ0000000X"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "No organization in the registry has the code" in resp.content.decode()
    client.force_login(owner)
    page = client.get(reverse("organizations:members", args=[org.pk])).content.decode()
    assert "我是志愿者" in page
    req = org.join_requests.get()
    client.post(reverse("organizations:join_request_decide", args=[org.pk, req.pk]), {"approve": "1"})
    assert Membership.objects.get(organization=org, user=person).role == "member"
