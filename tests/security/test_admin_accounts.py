"""Finding 1: no staff account can make itself (or anyone) superuser through the admin, and
department staff see the accounts they work with without phone numbers."""

import pytest
from django.contrib.auth.models import Group, Permission

from center.models import User
from tests.security.conftest import DEPARTMENTS

pytestmark = pytest.mark.django_db


def _form_data(client, url):
    """What the admin change form would post back unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    for name in ("date_joined", "last_login"):
        value = form.initial.get(name)
        if value is not None and name in form.fields:
            data.pop(name, None)
            data[f"{name}_0"] = value.strftime("%Y-%m-%d")
            data[f"{name}_1"] = value.strftime("%H:%M:%S")
    return data


@pytest.mark.parametrize("dept", DEPARTMENTS)
def test_department_staff_cannot_touch_accounts(client, dept_staff, department_groups, dept):
    me = dept_staff[dept]
    root = dept_staff["admin"]
    old_root_password = root.password
    client.force_login(me)

    # the center administrator's password page
    password_url = f"/admin/center/user/{root.pk}/password/"
    assert client.get(password_url).status_code == 403
    r = client.post(password_url, {"password1": "Taken-over-123", "password2": "Taken-over-123"})
    assert r.status_code == 403
    root.refresh_from_db()
    assert root.password == old_root_password

    # the add page
    users_before = User.objects.count()
    assert client.get("/admin/center/user/add/").status_code == 403
    r = client.post(
        "/admin/center/user/add/",
        {
            "username": "evil",
            "password1": "Evil-pass-123",
            "password2": "Evil-pass-123",
            "usable_password": "true",
        },
    )
    assert r.status_code == 403
    assert User.objects.count() == users_before

    # the change form of one's own account with every right switched on
    perm = Permission.objects.get(codename="change_user")
    admins = department_groups["center-admins"]
    for target in (me, root):
        r = client.post(
            f"/admin/center/user/{target.pk}/change/",
            {
                "username": target.username,
                "is_superuser": "on",
                "is_staff": "on",
                "is_active": "on",
                "groups": [admins.pk],
                "user_permissions": [perm.pk],
                "role": "staff",
                "department": "admin",
            },
        )
        assert r.status_code == 403
    me.refresh_from_db()
    assert not me.is_superuser and me.department == dept
    assert not me.user_permissions.exists()
    assert not me.groups.filter(name="center-admins").exists()
    assert not me.has_perm("center.change_user") and not me.has_perm("center.add_user")
    assert not me.has_perm("auth.change_group")


@pytest.mark.parametrize("dept", DEPARTMENTS)
def test_department_staff_never_see_or_search_phones(client, dept_staff, make_user, dept):
    resident = make_user("res_phone", role="resident", phone="13912345678")
    org = make_user("org_phone", role="organization", phone="13987654321")
    client.force_login(dept_staff[dept])
    listing = client.get("/admin/center/user/")
    assert listing.status_code == 200
    assert client.get("/admin/center/user/", {"q": "13987654321"}).context["cl"].result_count == 0
    assert client.get("/admin/center/user/", {"q": "1391234"}).context["cl"].result_count == 0
    page = client.get(f"/admin/center/user/{org.pk}/change/")
    assert page.status_code == 200 and "13987654321" not in page.text
    resident_page = client.get(f"/admin/center/user/{resident.pk}/change/")
    if dept == "info":  # the hotline's callers; still without the phone
        assert resident_page.status_code == 200 and "13912345678" not in resident_page.text
    else:
        assert resident_page.status_code in (302, 403, 404) or "13912345678" not in resident_page.text
    history = org.history.first().history_id
    assert client.get(f"/admin/center/user/{org.pk}/history/{history}/").status_code == 403


def test_center_admin_manages_accounts_but_never_its_own_rights(client, department_groups, make_user):
    boss = make_user("boss", role="staff", department="admin", is_staff=True)
    other = make_user("clerk", role="staff", department="projects", is_staff=True)
    client.force_login(boss)
    assert client.get("/admin/center/user/add/").status_code == 200

    # another account: department may change, superuser rights may not be granted
    url = f"/admin/center/user/{other.pk}/change/"
    data = _form_data(client, url)
    data.update({"department": "resource", "is_superuser": "on"})
    r = client.post(url, data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    other.refresh_from_db()
    assert other.department == "resource" and not other.is_superuser
    assert set(other.groups.values_list("name", flat=True)) == {"center-staff", "dept-resource"}

    # one's own account: rights fields are read-only
    url = f"/admin/center/user/{boss.pk}/change/"
    data = _form_data(client, url)
    assert "is_superuser" not in data and "groups" not in data and "user_permissions" not in data
    data.update(
        {
            "display_name": "主任",
            "is_superuser": "on",
            "groups": [Group.objects.get(name="dept-info").pk],
            "user_permissions": [Permission.objects.get(codename="delete_user").pk],
            "department": "info",
        }
    )
    r = client.post(url, data)
    assert r.status_code == 302
    boss.refresh_from_db()
    assert boss.display_name == "主任" and not boss.is_superuser and boss.department == "admin"
    assert not boss.user_permissions.exists()
    assert set(boss.groups.values_list("name", flat=True)) == {"center-staff", "center-admins"}

    # a superuser's password is not for a non-superuser administrator
    root = make_user("root_s", role="staff", department="admin", is_staff=True, is_superuser=True)
    assert client.get(f"/admin/center/user/{root.pk}/password/").status_code == 403
