import pytest

from center.models import Announcement
from tests.queries import assert_constant_queries


@pytest.mark.django_db
def test_home_page_in_chinese_by_default(client, network):
    Announcement.objects.create(title="年检通知", body="请按时提交")
    body = client.get("/").content.decode()
    assert '<html lang="zh-CN">' in body
    assert "海曙区社会组织服务中心" in body
    assert "资源开发部" in body and "信息服务部" in body
    assert "年检通知" in body
    assert "南门街道" in body  # the network, from the database


@pytest.mark.django_db
def test_home_page_in_english_after_switching_language(client, network):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Haishu District Social Organization Service Center" in body
    assert "Resource Development Department" in body
    assert "资源开发部" not in body


@pytest.mark.django_db
def test_home_figures_come_from_the_database(client, network):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    figures = {str(f["label"]): f["value"] for f in response.context["figures"]}
    assert figures["street federations in the network"] == 2
    assert figures["communities in the network"] == 3


@pytest.mark.django_db
def test_assets_are_served_locally(client, network):
    body = client.get("/").content.decode()
    assert "/static/css/portal.css" in body
    assert "https://" not in body.split("<body")[0]


@pytest.mark.django_db
def test_announcement_list_query_count_is_constant(client):
    Announcement.objects.create(title="一", body="x")

    def grow():
        Announcement.objects.bulk_create([Announcement(title=f"通知{i}", body="x") for i in range(30)])

    assert_constant_queries(lambda: client.get("/announcements/"), grow)


@pytest.mark.django_db
def test_announcement_changes_are_audited_in_admin(client, staff):
    client.force_login(staff)
    item = Announcement.objects.create(title="旧标题", body="x")
    response = client.post(
        f"/admin/center/announcement/{item.pk}/change/",
        {
            "title": "新标题",
            "body": "x",
            "published_at_0": "2026-11-25",
            "published_at_1": "10:00:00",
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    history = client.get(
        f"/admin/center/announcement/{item.pk}/history/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert staff.username in history or str(staff) in history
    assert "旧标题" in history and "新标题" in history  # what changed, old and new
    assert item.history.count() == 2
    assert item.history.first().history_user == staff


@pytest.mark.django_db
def test_home_figures_are_computed_once_a_minute_for_everyone(client, network):
    from tests.queries import count_queries

    first, _ = count_queries(lambda: client.get("/"))
    second, sql = count_queries(lambda: client.get("/"))
    assert second < first
    assert not any("COUNT(" in q.upper() and "center_networkunit" in q for q in sql)


@pytest.mark.django_db
def test_home_page_is_shared_and_shows_a_new_announcement_and_street_at_once(client, network, staff):
    from center.models import Announcement
    from tests.queries import count_queries

    client.get("/")
    n, _sql = count_queries(lambda: client.get("/"))
    assert n == 0  # anonymous: the whole content from the cache
    Announcement.objects.create(title="2027年度公益创投开始申报", body="……", is_published=True)
    network.nanmen.children.create(name="新芝社区", code="nanmen-c9", level="community")
    page = client.get("/").content.decode()
    assert "2027年度公益创投开始申报" in page and "新芝社区" in page
