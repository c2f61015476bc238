"""Public directory: search, filters, only verified organizations, constant queries; the API."""

import pytest
from django.urls import reverse

from organizations.models import Organization, ServiceArea
from tests.organizations.factories import make_org
from tests.queries import assert_constant_queries, cold


@pytest.fixture
def orgs(network):
    elderly = ServiceArea.objects.get(code="elderly")
    stars = make_org("星星的孩子家长互助论坛", org_type="social_group", street=network.nanmen, grade="4A")
    stars.service_areas.add(ServiceArea.objects.get(code="disabled"))
    home = make_org("海曙区夕阳红养老服务中心", org_type="private_non_enterprise", street=network.yuehu)
    home.service_areas.add(elderly)
    hidden = make_org("待审核的星星协会", status="pending", street=network.nanmen)
    gone = make_org("已注销的星星协会", status="deregistered", street=network.nanmen)
    return stars, home, hidden, gone


def _names(resp):
    return [o.name for o in resp.context["page_obj"]]


@pytest.mark.django_db
def test_search_by_chinese_substring_shows_only_verified(client, orgs):
    resp = client.get(reverse("organizations:directory"), {"q": "星星"})
    assert _names(resp) == ["星星的孩子家长互助论坛"]


@pytest.mark.django_db
def test_search_by_credit_code(client, orgs):
    stars = orgs[0]
    resp = client.get(reverse("organizations:directory"), {"q": stars.credit_code.lower()})
    assert _names(resp) == [stars.name]


@pytest.mark.django_db
def test_filters(client, orgs, network):
    url = reverse("organizations:directory")
    assert _names(client.get(url, {"org_type": "private_non_enterprise"})) == ["海曙区夕阳红养老服务中心"]
    assert _names(client.get(url, {"street": network.nanmen.pk})) == ["星星的孩子家长互助论坛"]
    assert _names(client.get(url, {"service_area": "elderly"})) == ["海曙区夕阳红养老服务中心"]
    assert _names(client.get(url, {"grade": "4A"})) == ["星星的孩子家长互助论坛"]


@pytest.mark.django_db
def test_detail_page_only_for_verified(client, orgs):
    stars, _home, hidden, _gone = orgs
    resp = client.get(reverse("organizations:detail", args=[stars.pk]))
    assert resp.status_code == 200 and stars.credit_code in resp.content.decode()
    assert client.get(reverse("organizations:detail", args=[hidden.pk])).status_code == 404


@pytest.mark.django_db
def test_directory_pagination(client, network):
    for i in range(25):
        make_org(f"组织{i:02d}", street=network.nanmen)
    resp = client.get(reverse("organizations:directory"), {"page": 2})
    assert len(resp.context["page_obj"]) == 5


@pytest.mark.django_db
def test_directory_page_query_count_constant(client, network):
    area = ServiceArea.objects.get(code="elderly")

    def grow():  # 10 organizations, then well past one page (20 a page)
        for _ in range(25):
            make_org(street=network.yuehu, grade="3A").service_areas.add(area)

    for _ in range(10):
        make_org(street=network.nanmen).service_areas.add(area)
    assert_constant_queries(cold(lambda: client.get(reverse("organizations:directory"))), grow)
    assert_constant_queries(
        cold(lambda: client.get(reverse("organizations:directory"), {"q": "测试", "page": 2})), grow
    )
    assert_constant_queries(
        cold(
            lambda: client.get(
                reverse("organizations:directory"), {"service_area": "elderly", "street": network.yuehu.pk}
            )
        ),
        grow,
    )


@pytest.mark.django_db
def test_directory_api_query_count_constant(client, network):
    area = ServiceArea.objects.get(code="health")

    def grow():
        for _ in range(25):
            make_org(street=network.yuehu).service_areas.add(area)

    for _ in range(10):
        make_org(street=network.nanmen).service_areas.add(area)
    assert_constant_queries(lambda: client.get(reverse("api-organizations")), grow)
    assert_constant_queries(
        lambda: client.get(reverse("api-organizations"), {"service_area": "health", "q": "测试"}), grow
    )


@pytest.mark.django_db
def test_directory_api_filters_and_detail(client, orgs, network):
    stars, home, hidden, _ = orgs
    body = client.get(reverse("api-organizations"), {"q": "星星"}).json()
    assert [r["name"] for r in body["results"]] == [stars.name]
    assert body["results"][0]["service_areas"] == [{"code": "disabled", "name": "助残"}]
    body = client.get(
        reverse("api-organizations"), {"service_area": "elderly", "street": network.yuehu.pk}
    ).json()
    assert [r["name"] for r in body["results"]] == [home.name]
    assert client.get(reverse("api-organization", args=[stars.pk])).json()["grade"] == "4A"
    assert client.get(reverse("api-organization", args=[hidden.pk])).status_code == 404


@pytest.mark.django_db
def test_directory_export(client, orgs):
    from io import BytesIO

    from openpyxl import load_workbook

    resp = client.get(reverse("organizations:directory_export"), {"q": "星星"})
    assert resp.status_code == 200
    rows = list(load_workbook(BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "星星的孩子家长互助论坛"


@pytest.mark.django_db
def test_name_search_index_exists_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm index exists on PostgreSQL only")
    with connection.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'organizations_organization'")
        names = {r[0] for r in cur.fetchall()}
    assert {"org_name_trgm", "org_name_upper_trgm"} <= names


@pytest.mark.django_db
def test_home_figure_and_nav(client, orgs):
    from center import registry

    fig = next(f for f in registry.home_figures() if f.key == "organizations")
    assert fig.compute() == Organization.objects.filter(status="verified").count() == 2


@pytest.mark.django_db
def test_directory_total_is_cached_briefly(client, settings, network):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from organizations.caching import DATA

    settings.ORGANIZATIONS_COUNT_CACHE_SECONDS = 60
    make_org(street=network.nanmen)
    url = reverse("organizations:directory")
    client.get(url)
    DATA.data_changed()  # the rendered results are stale: the rows are read again, not the count
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.context["page_obj"].paginator.count == 1
    assert any("organizations_organization" in q["sql"] for q in ctx.captured_queries)
    assert not any("COUNT(*)" in q["sql"] for q in ctx.captured_queries)
    resp = client.get(url, {"org_type": "foundation"})  # another filter: its own count
    assert resp.context["page_obj"].paginator.count == 0


@pytest.mark.django_db
def test_latin_name_search_ignores_case(client, network):
    make_org("海曙区YOUTH志愿者协会", street=network.nanmen)
    assert _names(client.get(reverse("organizations:directory"), {"q": "youth"})) == ["海曙区YOUTH志愿者协会"]


@pytest.mark.django_db
def test_a_bad_filter_value_is_named_and_the_other_filters_still_apply(client, orgs, network):
    resp = client.get(
        reverse("organizations:directory"),
        {"grade": "9A", "street": network.yuehu.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert _names(resp) == ["海曙区夕阳红养老服务中心"]  # street applied, the bad grade left out
    page = resp.content.decode()
    assert "These filters were left out:" in page and "Grade: Select a valid choice. 9A" in page
    # the API refuses a bad filter with a 400 that names it
    resp = client.get(reverse("api-organizations"), {"grade": "9A"})
    assert resp.status_code == 400
    assert list(resp.json()["error"]["details"]) == ["grade"]


@pytest.mark.django_db
def test_chinese_name_search_is_served_by_the_trigram_index(network):
    from django.db import connection

    from organizations import selectors
    from organizations.filters import name_search

    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm index exists on PostgreSQL only")
    for i in range(50):
        make_org(f"海曙区测试{i}号服务中心", street=network.nanmen)
    make_org("星星的孩子家长互助论坛", street=network.nanmen)
    with connection.cursor() as cur:
        # a small table would be scanned anyway; a full walk of the btree on name is no answer either
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_indexscan = off")
    # the planner can answer a Chinese substring from the index alone (no scan of every name)
    plan = Organization.objects.filter(name_search("星星的孩子")).order_by().explain()
    assert "org_name_trgm" in plan, plan
    latin = Organization.objects.filter(name_search("Stars")).order_by().explain()
    assert "org_name_upper_trgm" in latin, latin
    assert [o.name for o in selectors.directory_queryset().filter(name_search("星星的孩子"))] == [
        "星星的孩子家长互助论坛"
    ]


@pytest.mark.django_db
def test_links_from_the_manage_page_never_lead_to_a_missing_public_page(client, network, make_user):
    owner = make_user("link_owner", role="organization")
    for status, public in [
        ("verified", True),
        ("abnormal", False),
        ("pending", False),
        ("deregistered", False),
    ]:
        org = make_org(owner=owner, status=status, street=network.nanmen)
        client.force_login(owner)
        html = client.get(reverse("organizations:manage", args=[org.pk])).content.decode()
        detail = reverse("organizations:detail", args=[org.pk])
        assert (f'href="{detail}"' in html) == public, status
        client.logout()
        assert client.get(detail).status_code == (200 if public else 404), status
    abnormal = Organization.objects.get(status="abnormal", memberships__user=owner)
    client.force_login(owner)
    assert (
        reverse("organizations:abnormal_list")
        in client.get(reverse("organizations:manage", args=[abnormal.pk])).content.decode()
    )


def test_certificate_line_agrees_with_verification(client, network, make_user):
    owner = make_user("cert_owner", role="organization")
    verified = make_org(owner=owner, status="verified", street=network.nanmen)
    pending = make_org(owner=owner, status="pending", street=network.nanmen)
    client.force_login(owner)
    html = client.get(reverse("organizations:manage", args=[verified.pk])).content.decode()
    assert "中心核验时已查验，未上传扫描件" in html
    html = client.get(reverse("organizations:manage", args=[pending.pk])).content.decode()
    assert "中心核验时已查验" not in html and "未上传" in html


@pytest.mark.django_db
def test_directory_results_are_shared_and_follow_a_change(client, network):
    from tests.queries import count_queries

    org = make_org("月湖书香志愿者协会", street=network.yuehu)
    url = reverse("organizations:directory")
    assert "月湖书香志愿者协会" in client.get(url).content.decode()
    _n, sql = count_queries(lambda: client.get(url))
    assert not any("organizations_organization" in q for q in sql)  # served from the cache

    org.name = "月湖书香阅读推广协会"
    org.save()
    page = client.get(url).content.decode()
    assert "月湖书香阅读推广协会" in page and "月湖书香志愿者协会" not in page

    network.yuehu.name = "月湖街道（新）"
    network.yuehu.save()  # a renamed street shows in the rows and the filter at once
    assert client.get(url).content.decode().count("月湖街道（新）") >= 2


@pytest.mark.django_db
def test_directory_api_pages_are_shared_and_follow_a_change(client, network):
    from tests.queries import count_queries

    org = make_org("江厦街道邻里互助会", street=network.nanmen)
    url = "/api/v1/organizations/"
    assert [o["name"] for o in client.get(url).json()["results"]] == ["江厦街道邻里互助会"]
    _n, sql = count_queries(lambda: client.get(url))
    assert not any("organizations_organization" in q for q in sql)  # served from the cache
    org.name = "江厦邻里互助协会"
    org.save()
    assert [o["name"] for o in client.get(url).json()["results"]] == ["江厦邻里互助协会"]
    assert client.get(url, {"grade": "9A"}).status_code == 400  # a bad filter is still refused
