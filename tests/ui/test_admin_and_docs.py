"""The admin console greets the person by name and speaks Chinese for axes' tables; the API
docs lead back to the portal; after login each kind of account lands on its page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_welcomes_by_display_name(client, make_user):
    user = make_user("STAFF_PROJECTS", role="staff", department="admin", is_staff=True, is_superuser=True)
    user.display_name = "王项目"
    user.save()
    client.force_login(user)
    html = client.get(reverse("admin:index")).content.decode()
    assert "欢迎，<strong>王项目</strong>。" in html
    assert "STAFF_PROJECTS</strong>" not in html
    assert "overflow-x: auto" in html  # wide change lists scroll instead of being clipped


def test_admin_axes_tables_in_chinese(client, make_user):
    user = make_user("root_t", role="staff", department="admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    html = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "登录尝试" in html
    assert "筛选" in html and "过滤器" not in html  # the portal says 筛选 everywhere
    index = client.get(reverse("admin:index")).content.decode()
    assert "登录保护" in index and ">Axes<" not in index
    assert "Access attempts" not in html


def test_api_docs_link_back_to_the_portal(client):
    html = client.get(reverse("api-docs")).content.decode()
    assert "返回门户首页" in html and 'href="/"' in html
    assert "swagger-ui" in html
