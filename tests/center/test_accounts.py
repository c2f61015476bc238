import pytest
from django.core import mail

from center.models import User
from tests.factories import PASSWORD


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account(client, make_user, settings):
    make_user("alice", role="resident")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
        assert response.status_code in (200, 429)
    # Even the right password is refused while the lock lasts.
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 429
    assert "locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_with_right_password_works(client, make_user):
    make_user("bob", role="resident")
    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["organization", "resident"])
def test_signup_creates_account_of_that_role(client, role):
    response = client.post(
        "/accounts/signup/",
        {
            "username": f"new_{role}",
            "display_name": "新用户",
            "email": f"{role}@example.cn",
            "phone": "13812345678",
            "role": role,
            "password1": "Quite-Long-Pass-91",
            "password2": "Quite-Long-Pass-91",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username=f"new_{role}")
    assert user.role == role and user.phone == "13812345678"


@pytest.mark.django_db
def test_signup_refuses_staff_role_and_bad_phone(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "sneaky",
            "display_name": "x",
            "email": "s@example.cn",
            "phone": "12345",
            "role": "staff",
            "password1": "Quite-Long-Pass-91",
            "password2": "Quite-Long-Pass-91",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "not a valid phone number" in body
    assert "Select a valid choice" in body
    assert not User.objects.filter(username="sneaky").exists()


@pytest.mark.django_db
def test_password_reset_sends_mail(client, make_user):
    make_user("carol", role="resident", email="carol@example.cn")
    response = client.post("/accounts/password_reset/", {"email": "carol@example.cn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "carol" in mail.outbox[0].body


@pytest.mark.django_db
def test_workbench_refuses_residents_and_serves_staff(client, resident, staff):
    client.force_login(resident)
    assert client.get("/workbench/").status_code == 403
    client.force_login(staff)
    assert client.get("/workbench/").status_code == 200
