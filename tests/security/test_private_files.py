"""Uploads are private: stored under random names, never served from /media/, reached only
through views that check rights; in production the web server sends the bytes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse

from hotline.models import TicketImage
from organizations.models import AnnualReport, InspectionCampaign
from tests.consultations.factories import make_event
from tests.factories import make_org
from tests.hotline.factories import file_ticket

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% certificate scan\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def org_with_files(make_user, network):
    owner = make_user("files_owner", role="organization")
    org = make_org(owner=owner, street=network.nanmen)
    org.certificate.save("张三协会登记证书.pdf", SimpleUploadedFile("x.pdf", PDF), save=True)
    return owner, org


def test_nothing_is_served_from_media(org_with_files, client):
    _owner, org = org_with_files
    with pytest.raises(Resolver404):
        resolve("/media/" + org.certificate.name)
    assert client.get("/media/" + org.certificate.name).status_code == 404


def test_stored_under_a_random_name(org_with_files):
    _owner, org = org_with_files
    name = org.certificate.name
    assert name.startswith("organizations/certificates/") and name.endswith(".pdf")
    assert "张三" not in name and "证书" not in name and len(name.rsplit("/", 1)[1]) >= 24


def test_certificate_for_members_and_staff_only(org_with_files, client, make_user, staff):
    owner, org = org_with_files
    url = reverse("organizations:certificate_file", args=[org.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(make_user("someone_else", role="organization"))
    assert client.get(url).status_code == 403
    client.force_login(make_user("a_resident", role="resident"))
    assert client.get(url).status_code == 403
    for user in (owner, staff):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and _body(response) == PDF
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]


def test_manage_page_links_to_the_checked_view(org_with_files, client):
    owner, org = org_with_files
    client.force_login(owner)
    page = client.get(reverse("organizations:manage", args=[org.pk])).content.decode()
    assert reverse("organizations:certificate_file", args=[org.pk]) in page
    assert "/media/" not in page


def test_report_files_for_whoever_sees_the_report(org_with_files, client, make_user):
    owner, org = org_with_files
    from datetime import date

    campaign = InspectionCampaign.objects.create(
        year=2025, opens_on=date(2026, 3, 1), deadline=date(2026, 5, 31)
    )
    report = AnnualReport.objects.create(organization=org, campaign=campaign)
    report.audit_report.save("audit.pdf", SimpleUploadedFile("audit.pdf", PDF), save=True)
    url = reverse("organizations:report_file", args=[report.pk, "audit_report"])
    client.force_login(make_user("other_org_user", role="organization"))
    assert client.get(url).status_code == 403
    client.force_login(owner)
    assert _body(client.get(url)) == PDF
    assert client.get(reverse("organizations:report_file", args=[report.pk, "password"])).status_code == 404


def test_ticket_photo_for_those_who_see_the_ticket(client, make_user, network):
    ticket = file_ticket()
    image = TicketImage.objects.create(ticket=ticket, file=SimpleUploadedFile("我家门口.png", PNG))
    url = reverse("hotline:ticket_image", args=[ticket.tracking_number, image.pk])
    client.force_login(make_user("h_yuehu_f", role="handler", network_unit=network.yuehu))
    assert client.get(url).status_code == 403
    client.force_login(make_user("staff_info_f", role="staff", department="info", is_staff=True))
    response = client.get(url)
    assert response.status_code == 200 and _body(response) == PNG
    assert response["Content-Type"] == "image/png" and response["Content-Disposition"].startswith("inline")


def test_html_upload_is_never_shown_inline(client, make_user):
    ticket = file_ticket()
    image = TicketImage.objects.create(
        ticket=ticket, file=SimpleUploadedFile("x.html", b"<script>1</script>")
    )
    client.force_login(make_user("staff_info_h", role="staff", department="info", is_staff=True))
    response = client.get(reverse("hotline:ticket_image", args=[ticket.tracking_number, image.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]


def test_event_attachments_public_or_staff_only(client, make_user):
    from consultations.models import Attachment

    event = make_event(status="published")
    slides = Attachment.objects.create(
        event=event, title="课件", public=True, file=SimpleUploadedFile("slides.pdf", PDF)
    )
    notes = Attachment.objects.create(
        event=event, title="内部签到表", public=False, file=SimpleUploadedFile("sign-in.pdf", PDF)
    )
    page = client.get(reverse("consultations:event_detail", args=[event.pk])).content.decode()
    assert "课件" in page and "内部签到表" not in page
    assert (
        client.get(reverse("consultations:event_attachment", args=[event.pk, slides.pk])).status_code == 200
    )
    private = reverse("consultations:event_attachment", args=[event.pk, notes.pk])
    assert client.get(private).status_code == 404
    client.force_login(make_user("staff_resource_f", role="staff", department="resource", is_staff=True))
    assert _body(client.get(private)) == PDF


def test_production_hands_the_bytes_to_the_web_server(org_with_files, client, settings):
    owner, org = org_with_files
    settings.PRIVATE_FILES_ACCEL_PREFIX = "/_protected/"
    client.force_login(owner)
    response = client.get(reverse("organizations:certificate_file", args=[org.pk]))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/_protected/" + org.certificate.name


def test_space_photos_are_served_by_their_view(client):
    from decimal import Decimal

    from incubation.models import Base, Space, SpacePhoto

    base = Base.objects.create(name="基地", address="海曙区", area_m2=Decimal("100"))
    space = Space.objects.create(base=base, code="A1", kind="office")
    first = SpacePhoto.objects.create(
        space=space, file=SimpleUploadedFile("我的办公室.png", PNG), caption="正门"
    )
    second = SpacePhoto.objects.create(space=space, file=SimpleUploadedFile("窗.png", PNG), order=1)
    assert "我的办公室" not in first.file.name
    page = client.get(reverse("incubation:space_detail", args=[space.pk])).content.decode()
    for photo in (first, second):
        assert reverse("incubation:space_photo", args=[space.pk, photo.pk]) in page
    assert "<figcaption>正门</figcaption>" in page and "/media/" not in page
    response = client.get(reverse("incubation:space_photo", args=[space.pk, first.pk]))
    assert response.status_code == 200 and _body(response) == PNG
    other = Space.objects.create(base=base, code="A2", kind="office")
    assert client.get(reverse("incubation:space_photo", args=[other.pk, first.pk])).status_code == 404


def test_admin_refuses_a_space_photo_that_is_not_an_image(client, make_user):
    from decimal import Decimal

    from incubation.models import Base, Space, SpacePhoto

    base = Base.objects.create(name="基地", address="海曙区", area_m2=Decimal("100"))
    space = Space.objects.create(base=base, code="A1", kind="office")
    client.force_login(
        make_user("root_photo", role="staff", department="admin", is_staff=True, is_superuser=True)
    )
    url = reverse("admin:incubation_space_change", args=[space.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (list, tuple))}
    data.update(
        {
            "base": base.pk,
            "photos-TOTAL_FORMS": "1",
            "photos-INITIAL_FORMS": "0",
            "photos-0-file": SimpleUploadedFile("x.png", b"MZ not an image"),
            "photos-0-order": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error next to the file
    errors = [f.errors for f in response.context["inline_admin_formsets"][0].formset.forms]
    assert "file" in errors[0], errors
    assert not SpacePhoto.objects.exists()
