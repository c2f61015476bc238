"""The desk, the handler list and Open311 keep their counts and rows in the shared cache per
hotline data version: a repeated request reads no ticket, and any ticket change shows at once."""

import pytest
from django.urls import reverse

from hotline import services
from tests.hotline.factories import file_ticket
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def _ticket_queries(fn):
    _n, sql = count_queries(fn)
    return [q for q in sql if "hotline_ticket" in q]


def test_desk_repeated_request_reads_no_ticket_and_a_new_ticket_shows_at_once(client, people):
    first = file_ticket(title="第一个求助")
    client.force_login(people.dispatcher)
    url = reverse("hotline:desk")

    page = client.get(url, {"queue": "to_dispatch"})
    assert first.tracking_number in page.content.decode()
    assert "(1)" in page.content.decode()  # the tab count
    assert _ticket_queries(lambda: client.get(url, {"queue": "to_dispatch"})) == []

    second = file_ticket(title="第二个求助")
    page = client.get(url, {"queue": "to_dispatch"}).content.decode()
    assert second.tracking_number in page and "(2)" in page

    services.ticket_dispatch(ticket=second, unit=people.net.nanmen, actor=people.dispatcher)
    page = client.get(url, {"queue": "to_dispatch"}).content.decode()
    assert second.tracking_number not in page and "(1)" in page


def test_desk_all_queue_pages_by_keyset(client, people):
    tickets = [file_ticket() for _ in range(27)]
    client.force_login(people.dispatcher)
    url = reverse("hotline:desk")

    first = client.get(url, {"queue": "all"})
    html = first.content.decode()
    assert tickets[-1].tracking_number in html and tickets[1].tracking_number not in html
    assert "after=" in html
    link = html.split('rel="next"')[0].rsplit('href="?', 1)[1].split('"')[0].replace("&amp;", "&")
    second = client.get(url + "?" + link).content.decode()
    assert tickets[1].tracking_number in second and tickets[0].tracking_number in second
    assert tickets[-1].tracking_number not in second


def test_handler_list_is_cached_per_user(client, people):
    t = file_ticket()
    services.ticket_dispatch(ticket=t, unit=people.net.nanmen_c1, actor=people.dispatcher)
    client.force_login(people.street)
    url = reverse("hotline:unit")
    assert t.tracking_number in client.get(url).content.decode()
    assert _ticket_queries(lambda: client.get(url)) == []
    client.force_login(people.c2)  # a sibling community sees nothing of it
    assert t.tracking_number not in client.get(url).content.decode()


def test_open311_list_is_public_cacheable_and_follows_changes(client):
    file_ticket()
    url = "/open311/v2/requests.json"
    response = client.get(url)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert len(response.json()) == 1
    assert _ticket_queries(lambda: client.get(url)) == []
    file_ticket()
    assert len(client.get(url).json()) == 2
    assert client.get("/open311/v2/requests.xml").content.count(b"<request>") == 2
